// The reminders page (templates/reminders/settings.html). Without this script the page works as
// a plain form (e-mail reminders). With it:
// - before the first save, the time zone is set to the browser's, when the list has it;
// - where the browser can take push messages, the "notification on this phone" box is shown, and
//   saving with it ticked first subscribes this phone (pushManager.subscribe with the server's
//   VAPID key) and posts the subscription, then submits the form.
// Every text shown comes from the template's data- attributes (translated there).
(function () {
  "use strict";

  const form = document.getElementById("reminder-form");
  if (!form) return;

  const zone = form.querySelector("select[data-prefill='browser']");
  if (zone && window.Intl) {
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browserZone && Array.from(zone.options).some((o) => o.value === browserZone)) {
      zone.value = browserZone;
    }
  }

  const channel = document.getElementById("push-channel");
  const supported =
    "serviceWorker" in navigator && "PushManager" in window && "Notification" in window &&
    window.isSecureContext;
  if (!channel || !supported) return;
  channel.hidden = false;
  const unsupported = document.getElementById("push-unsupported");
  if (unsupported) unsupported.hidden = true;

  const box = channel.querySelector("input[type='checkbox']");
  const status = document.getElementById("push-status");
  const csrf = form.querySelector("input[name='csrfmiddlewaretoken']").value;
  const READY_WAIT_MS = 8000; // the service worker (sw.js) is registered by another script

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function withTimeout(promise, ms) {
    return Promise.race([
      promise,
      new Promise((resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms)),
    ]);
  }

  async function subscribe() {
    const registration = await withTimeout(navigator.serviceWorker.ready, READY_WAIT_MS);
    const subscription =
      (await registration.pushManager.getSubscription()) ||
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(channel.dataset.key),
      }));
    const response = await fetch(channel.dataset.subscribeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(subscription.toJSON()),
    });
    if (!response.ok) throw new Error("subscription refused: " + response.status);
  }

  let subscribed = false;
  form.addEventListener("submit", async (event) => {
    if (!box || !box.checked || subscribed) return;
    event.preventDefault();
    status.textContent = channel.dataset.asking;
    try {
      await subscribe();
    } catch (error) {
      status.textContent = channel.dataset.failed;
      box.focus();
      return;
    }
    subscribed = true;
    status.textContent = "";
    form.submit();
  });
})();
