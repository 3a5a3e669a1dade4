// hipcare: today's session without a network (issue 17). Every page works without this file.
//
// For a signed-in patient (templates/includes/_offline.html names the account with a key):
// - registers the service worker (static/js/sw.js), which keeps the pages and the pictures;
// - gives each tick and each answer a key (client_key) before it is sent;
// - offline, keeps the tick or the answers on the phone (localStorage, per account), shows them
//   as saved on the phone, and shows them again when the page is reloaded;
// - when the network is back (the online event, a page load, every RETRY_MS), sends them again,
//   in order, each under its own key, so the server writes each once (plans/offline.py). An
//   item leaves the phone only when the server took it; a refusal is shown to the patient; a
//   log-in needed keeps it;
// - asks before logging out while changes are not sent.
// For anyone else: tells the service worker to drop the pages it kept for a patient.
// The words shown are the page's (data- attributes, translated); the safety questions' stop
// rule is the server's, given to the page as the answers that stop (data-stop-pains, -flags).
(() => {
  "use strict";
  const status = document.getElementById("offline-status");
  if (!status) return;
  const words = { ...status.dataset };
  const owner = words.pwaUser || "";
  const STORE = `hipcare.offline.${owner}`;
  const PAGES_CACHE_PREFIX = "hipcare-pages-";
  const RETRY_MS = 30000;
  const REPLAY_HEADER = "X-Hipcare-Replay";
  let sending = null; // the key of the item on its way to the server

  // --- The service worker -----------------------------------------------------------------------

  // This page came from the network without the worker (the first page after it is installed):
  // the worker fetches a copy to keep, if it is a page it keeps.
  const uncontrolled = "serviceWorker" in navigator && !navigator.serviceWorker.controller;

  function tellWorker(worker) {
    if (!worker) return;
    const pictures = [...document.querySelectorAll("img[src]")].map((img) => img.src);
    worker.postMessage({
      type: "page",
      owner,
      language: document.documentElement.lang,
      pictures: owner ? pictures : [],
      keep: owner && uncontrolled ? window.location.href : null,
    });
  }

  if ("serviceWorker" in navigator) {
    if (owner) {
      navigator.serviceWorker
        .register(words.pwaWorker, { scope: "/", updateViaCache: "none" })
        .catch(() => {});
      navigator.serviceWorker.ready.then((registration) => tellWorker(registration.active));
    } else {
      tellWorker(navigator.serviceWorker.controller); // no patient here: none of their pages stays
    }
  }
  if (!owner) return;

  // --- The phone's storage: {queue: [items, oldest first], notices: [{id, text}]} -------------

  function load() {
    try {
      const state = JSON.parse(localStorage.getItem(STORE)) || {};
      return { queue: state.queue || [], notices: state.notices || [], said: state.said };
    } catch (error) {
      return { queue: [], notices: [] };
    }
  }

  function save(state) {
    try {
      localStorage.setItem(STORE, JSON.stringify(state));
      return true;
    } catch (error) {
      return false; // no storage (private mode, full): the page behaves as without this file
    }
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // --- The page ---------------------------------------------------------------------------------

  const startForm = () => document.querySelector("form[data-offline-form='start']");
  const finishForm = () => document.querySelector("form[data-offline-form='finish']");
  const checklist = () => document.getElementById("checklist");

  function localToday() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }

  // The day the page shows, and whether it was made today: a copy the phone kept from another
  // day shows another day's session, and nothing is kept for it.
  function pageDay() {
    const form = startForm();
    return form ? form.dataset.day : null;
  }
  function pageIsCurrent() {
    const form = startForm();
    return !form || form.dataset.today === localToday();
  }
  function showStale(focus = true) {
    const stale = document.getElementById("offline-stale");
    if (!stale) return;
    stale.hidden = false;
    if (!focus) return;
    stale.setAttribute("tabindex", "-1");
    stale.focus({ preventScroll: true });
    stale.scrollIntoView({ block: "nearest" });
  }

  const itemOf = (node) => (node instanceof Element ? node.closest("[data-item]") : null);
  const tickForm = (node) =>
    node instanceof Element ? node.closest("#checklist form[hx-post]") : null;
  const exerciseOf = (row) => {
    const button = row && row.querySelector("[id^='tick-']");
    return button ? button.id.slice("tick-".length) : null;
  };
  const rowOf = (exercise) => itemOf(document.getElementById(`tick-${exercise}`));
  const nameOf = (row) => {
    const name = row && row.querySelector("[id^='tick-'] .visually-hidden");
    return name ? name.textContent.replace(/^\s*–\s*/, "").trim() : "";
  };
  const visible = (node) => node && node.getClientRects().length > 0;

  function fieldsOf(form) {
    return [...new FormData(form)].filter(
      ([name, value]) =>
        typeof value === "string" && name !== "csrfmiddlewaretoken" && name !== "client_key",
    );
  }
  const valueOf = (fields, name) => (fields.find(([n]) => n === name) || [])[1];

  function land(target) {
    if (!target) return;
    target.focus({ preventScroll: true });
    (itemOf(target) || target).scrollIntoView({ block: "nearest" });
  }

  // After a tick kept on the phone: on to the next exercise not yet done, or the finish.
  function moveOn(row) {
    let next = row.nextElementSibling;
    while (next) {
      const button = next.querySelector(".tick-btn");
      if (next.matches("[data-item]") && !next.dataset.pending && visible(button)) {
        if (!next.hasAttribute("data-done")) return land(button);
      }
      next = next.nextElementSibling;
    }
    const heading = document.getElementById("finish-heading");
    if (visible(heading)) {
      heading.focus({ preventScroll: true });
      document.getElementById("finish").scrollIntoView({ block: "nearest" });
    } else {
      land(row.querySelector(".hc-pending-undo"));
    }
  }

  function isDone(row) {
    return row.dataset.pending ? row.dataset.pending === "done" : row.hasAttribute("data-done");
  }

  function updateCount() {
    const list = checklist();
    const count = document.getElementById("done-count");
    if (!list || !count || !list.dataset.count) return;
    const done = [...list.querySelectorAll("[data-item]")].filter(isDone).length;
    const text = `(${list.dataset.count.replace("{done}", done)})`;
    if (count.textContent !== text) count.textContent = text; // a live region: only a change
  }

  function note(form, text) {
    let line = form.querySelector(":scope > .hc-pending-note");
    if (!line) {
      line = document.createElement("p");
      line.className = "hc-pending-note small fw-semibold mt-2 mb-0";
      line.setAttribute("role", "status");
      form.append(line);
    }
    line.textContent = text;
  }

  function formError(form, text, focus) {
    let alert = form.querySelector(".hc-offline-error");
    if (!alert) {
      alert = document.createElement("p");
      alert.className = "alert alert-danger py-2 hc-offline-error";
      alert.setAttribute("role", "alert");
      form.prepend(alert);
    }
    alert.textContent = text;
    land(focus || alert);
  }

  // A tick kept on the phone: the row says so, with an undo that takes it back off the phone.
  // The form's controls are hidden, not the form (answers that stop the session hide it).
  function showTick(item) {
    const row = rowOf(item.exercise);
    if (!row || item.day !== pageDay()) return;
    clearTick(row);
    const form = row.querySelector("form[hx-post]");
    if (!form) return;
    row.querySelectorAll(".tick-failed, .tick-error").forEach((node) => node.remove());
    for (const child of form.children) {
      if (child.matches("input[type='hidden']") || child.hidden) continue;
      child.hidden = true;
      child.setAttribute("data-offline-hid", "");
    }
    const box = document.createElement("div");
    box.className = "hc-pending";
    const text = document.createElement("p");
    text.className = "mb-1 fw-semibold hc-pending-text";
    text.setAttribute("role", "status");
    text.textContent = item.done ? `✓ ${words.pending}` : words.pendingUndone;
    const undo = document.createElement("button");
    undo.type = "button";
    undo.className = "btn btn-sm btn-outline-secondary hc-pending-undo";
    undo.dataset.offlineCancel = item.key;
    undo.textContent = words.undo;
    const name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = ` – ${nameOf(row)}`;
    undo.append(name);
    box.append(text, undo);
    form.after(box);
    row.dataset.pending = item.done ? "done" : "undone";
    row.classList.add("hc-pending-row");
  }

  function clearTick(row) {
    row.querySelectorAll(".hc-pending").forEach((node) => node.remove());
    row.querySelectorAll("[data-offline-hid]").forEach((node) => {
      node.hidden = false;
      node.removeAttribute("data-offline-hid");
    });
    delete row.dataset.pending;
    row.classList.remove("hc-pending-row");
  }

  // The answers before the session, kept on the phone: the server's stop rule, applied here.
  function stops(form, fields) {
    const pains = (form.dataset.stopPains || "").split(" ").filter(Boolean).map(Number);
    const flags = (form.dataset.stopFlags || "").split(" ").filter(Boolean);
    const pain = Number(valueOf(fields, "pain_before"));
    const given = fields.filter(([name]) => name === "red_flags").map(([, value]) => value);
    return { stop: pains.includes(pain) || given.some((flag) => flags.includes(flag)), pain, given };
  }

  function setTicking(on) {
    document.querySelectorAll("#checklist form[hx-post], #finish").forEach((node) => {
      node.hidden = !on;
    });
    document.querySelectorAll("[data-offline-answer-first]").forEach((node) => {
      node.hidden = on;
    });
  }

  function showStart(item, focus) {
    const form = startForm();
    if (!form || item.day !== pageDay()) return;
    note(form, words.pending);
    const answer = stops(form, item.fields);
    const advice = document.getElementById("offline-stop");
    if (answer.stop) {
      setTicking(false);
      if (advice) {
        const reason = answer.given.length
          ? advice.dataset.reasonFlag
          : advice.dataset.reasonPain.replace("{pain}", answer.pain);
        advice.querySelector("[data-reason]").textContent = reason;
        advice.hidden = false;
        if (focus) land(advice);
      }
    } else {
      if (advice) advice.hidden = true;
      if (checklist()) setTicking(true);
      if (focus) {
        const first = [...document.querySelectorAll("#checklist .tick-btn")].find(visible);
        land(first || document.getElementById("exercises"));
      }
    }
  }

  function showFinish(item, focus) {
    const form = finishForm();
    if (!form || item.day !== pageDay()) return;
    form.querySelectorAll(".hc-offline-error").forEach((node) => node.remove());
    note(form, words.pending);
    if (focus) land(form.querySelector(".hc-pending-note"));
  }

  function show(item, focus = false) {
    if (item.kind === "tick") showTick(item);
    else if (item.kind === "start") showStart(item, focus);
    else if (item.kind === "finish") showFinish(item, focus);
  }

  // Everything still on the phone for the day shown, as it was left (after a reload, offline).
  function restore() {
    const state = load();
    document.querySelectorAll(".hc-pending-row").forEach(clearTick);
    document.querySelectorAll(".hc-pending-note").forEach((node) => node.remove());
    for (const item of state.queue) show(item);
    updateCount();
    showNotices();
    const banner = document.getElementById("offline-banner");
    if (banner) banner.hidden = navigator.onLine;
    if (!navigator.onLine && !pageIsCurrent()) showStale(false);
  }

  // --- Keeping a change on the phone ------------------------------------------------------------

  function keep(item) {
    const state = load();
    state.queue.push(item);
    return save(state);
  }

  function newItem(form, kind, key) {
    const url = new URL(form.action, window.location.href);
    return {
      key,
      kind,
      url: url.pathname,
      fields: fieldsOf(form),
      day: pageDay(),
      at: new Date().toISOString(),
    };
  }

  function keepTick(form, key) {
    const row = itemOf(form);
    if (!row) return false;
    if (!pageIsCurrent()) {
      showStale();
      return true;
    }
    const item = newItem(form, "tick", key);
    item.exercise = exerciseOf(row);
    item.label = nameOf(row);
    item.done = valueOf(item.fields, "done") === "on";
    if (!keep(item)) return false;
    showTick(item);
    updateCount();
    moveOn(row);
    return true;
  }

  function keepAnswers(form, kind) {
    if (!pageIsCurrent()) return showStale();
    const item = newItem(form, kind, newKey());
    const pain = kind === "start" ? "pain_before" : "pain_after";
    if (!valueOf(item.fields, pain)) {
      return formError(form, form.dataset.missing, form.querySelector(`input[name='${pain}']`));
    }
    if (kind === "finish" && ![...document.querySelectorAll("#checklist [data-item]")].some(isDone)) {
      return formError(form, form.dataset.noTick);
    }
    form.querySelectorAll(".hc-offline-error").forEach((node) => node.remove());
    item.label = kind === "start" ? words.startLabel : words.finishLabel;
    if (keep(item)) show(item, true);
  }

  // htmx's ticks: each with a key; offline, kept instead of sent.
  document.addEventListener("htmx:configRequest", (event) => {
    const form = tickForm(event.detail.elt);
    if (!form) return;
    form.dataset.clientKey = newKey();
    event.detail.formData.set("client_key", form.dataset.clientKey);
  });

  document.addEventListener("htmx:confirm", (event) => {
    const form = tickForm(event.detail.elt);
    if (!form || navigator.onLine) return;
    if (keepTick(form, newKey())) event.preventDefault();
  });

  // The connection went while the tick was on its way: kept under the same key (the server may
  // have it already, and then takes the copy as done). With the phone still "online" (a server
  // error, a weak signal) the row says it was not saved (hipcare.js), as before.
  for (const name of ["htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(name, (event) => {
      const form = tickForm(event.detail.elt);
      if (!form || navigator.onLine) return;
      keepTick(form, form.dataset.clientKey || newKey());
    });
  }

  document.addEventListener("click", (event) => {
    const undo = event.target.closest("[data-offline-cancel]");
    if (!undo) return;
    const key = undo.dataset.offlineCancel;
    if (key === sending) return; // on its way: its answer decides
    const state = load();
    state.queue = state.queue.filter((item) => item.key !== key);
    save(state);
    const row = itemOf(undo);
    clearTick(row);
    updateCount();
    land(row.querySelector(".tick-btn"));
  });

  // The answers' forms post the page as before; with a key, and offline kept on the phone.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-offline-log-out]")) {
      logOut(event, form);
      return;
    }
    const kind = form.dataset.offlineForm;
    if (!kind) return;
    if (navigator.onLine) {
      let input = form.querySelector("input[name='client_key']");
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = "client_key";
        form.append(input);
      }
      input.value = newKey();
      return;
    }
    event.preventDefault();
    keepAnswers(form, kind);
  });

  // --- Sending again ----------------------------------------------------------------------------

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function announce(text) {
    const live = document.getElementById("offline-live");
    if (!live || !text) return;
    live.textContent = "";
    window.setTimeout(() => {
      live.textContent = text;
    }, 50);
  }

  function addNotice(id, text) {
    const state = load();
    state.notices = state.notices.filter((n) => n.id !== id);
    state.notices.push({ id, text });
    save(state);
  }

  function dropNotice(id) {
    const state = load();
    state.notices = state.notices.filter((n) => n.id !== id);
    save(state);
  }

  function showNotices() {
    const box = document.getElementById("offline-notices");
    if (!box) return;
    box.replaceChildren(
      ...load().notices.map((notice) => {
        const alert = document.createElement("div");
        alert.className = "alert alert-warning d-flex gap-2 align-items-start py-2";
        alert.setAttribute("role", "alert");
        const text = document.createElement("p");
        text.className = "mb-0 flex-grow-1";
        text.textContent = notice.text;
        const close = document.createElement("button");
        close.type = "button";
        close.className = "btn btn-sm btn-outline-secondary";
        close.dataset.offlineNotice = notice.id;
        close.textContent = words.close;
        alert.append(text, close);
        return alert;
      }),
    );
  }

  document.addEventListener("click", (event) => {
    const close = event.target.closest("[data-offline-notice]");
    if (!close) return;
    dropNotice(close.dataset.offlineNotice);
    showNotices();
  });

  function drop(key) {
    const state = load();
    state.queue = state.queue.filter((item) => item.key !== key);
    save(state);
  }

  // One item: "sent" (the server has it), "refused" (shown, and off the phone), or "wait" (no
  // network, a log-in needed, a server error: it stays, in its place, for the next try).
  async function sendOne(item) {
    let response;
    try {
      response = await fetch(item.url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "X-CSRFToken": csrfToken(),
          // Whose phone kept it: the server takes it only from the same account's log-in.
          [REPLAY_HEADER]: owner,
          Accept: "application/json",
        },
        body: new URLSearchParams([...item.fields, ["client_key", item.key]]),
      });
    } catch (error) {
      return { outcome: "wait" };
    }
    let body = null;
    if ((response.headers.get("Content-Type") || "").includes("application/json")) {
      body = await response.json().catch(() => null);
    }
    if (response.ok && !response.redirected && body && body.ok) {
      return { outcome: "sent", message: body.message };
    }
    if (response.redirected || response.status === 401 || response.status === 403) {
      addNotice("log-in", words.logIn); // signed out, or the page's key is stale
      return { outcome: "wait" };
    }
    if (response.status >= 400 && response.status < 500) {
      const reason = (body && body.error) || words.refusedReason;
      const text = words.refused.replace("{what}", item.label || "").replace("{reason}", reason);
      addNotice(item.key, text);
      return { outcome: "refused" };
    }
    return { outcome: "wait" };
  }

  async function sendAll() {
    let sent = 0;
    let message = "";
    for (;;) {
      const item = load().queue[0];
      if (!item || !navigator.onLine) break;
      sending = item.key;
      const result = await sendOne(item);
      sending = null;
      if (result.outcome === "wait") break;
      drop(item.key);
      if (result.outcome === "sent") {
        sent += 1;
        message = result.message || message;
        dropNotice("log-in");
      }
    }
    return { sent, message };
  }

  let running = false;
  async function send() {
    if (running || !navigator.onLine || !load().queue.length) return;
    running = true;
    try {
      // One tab at a time sends (another tab's copy of the queue waits for it).
      const result = navigator.locks
        ? await navigator.locks.request(`${STORE}.send`, sendAll)
        : await sendAll();
      if (result.sent) refresh(result.message || words.sent);
    } finally {
      running = false;
      restore();
    }
  }

  // The server has the changes: today's page is loaded again to show them as it keeps them,
  // with the server's words about them (unless the patient is typing: then the marks stay until
  // the next page load, and the words are said now).
  function refresh(message) {
    const typing = document.activeElement && document.activeElement.matches("input, textarea");
    if (startForm() && !typing) {
      const state = load();
      state.said = message;
      if (save(state)) {
        window.location.reload();
        return;
      }
    }
    announce(message);
  }

  function sayOnce() {
    const state = load();
    if (!state.said) return;
    const said = state.said;
    delete state.said;
    save(state);
    const box = document.getElementById("offline-notices");
    if (box) {
      const line = document.createElement("p");
      line.className = "alert alert-success py-2";
      line.textContent = said;
      box.before(line);
    }
    announce(said);
  }

  // --- Logging out ------------------------------------------------------------------------------

  // Synchronous, so the log-out posts at once (a navigation started after the click is never
  // cut short by a late submit): the queue goes now; the kept pages go here in the background
  // and, for certain, when the next page (the log-in page, no patient) tells the worker.
  function logOut(event, form) {
    const waiting = load().queue.length;
    if (waiting) {
      const text = (waiting === 1 ? words.logOutOne : words.logOutMany).replace("{n}", waiting);
      if (!window.confirm(text)) {
        event.preventDefault();
        return;
      }
    }
    try {
      localStorage.removeItem(STORE);
      if (window.caches) {
        caches
          .keys()
          .then((names) =>
            Promise.all(
              names.filter((n) => n.startsWith(PAGES_CACHE_PREFIX)).map((n) => caches.delete(n)),
            ),
          )
          .catch(() => {});
      }
    } catch (error) {
      // The log-out goes on.
    }
  }

  // --- When -------------------------------------------------------------------------------------

  window.addEventListener("online", () => {
    restore();
    send();
  });
  window.addEventListener("offline", restore);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") send();
  });
  window.setInterval(send, RETRY_MS);
  restore();
  sayOnce();
  send();
})();
