// hipcare's service worker (issue 17). Served at /sw.js by hipcare/pwa.py, which puts the
// build's settings in front of this file as HIPCARE: {version, precache, offline, pages, home,
// staticPrefix, hashedStatic, picturesPrefix, icon}. Registered by offline.js for a signed-in patient only.
//
// - Static files and exercise pictures (their URLs change when their content does): cache
//   first. Static files are kept per version; old versions are dropped when a new one activates.
//   Without hashed names (development, tests) static files come from the network first.
// - The patient's own pages (today's checklist, the program): network first, the last good copy
//   kept for use offline. Kept for this patient only: a page of anyone else (offline.js tells)
//   drops them, and the log-out clears them (offline.js, before it posts the log-out).
// - Everything else: the network only; a page that cannot load offline gets the offline page.
// - Push: shows a reminder (reminders/push.py sends {"title", "body", "url"}); a tap opens it.
/* global HIPCARE */
"use strict";

const STATIC_CACHE = `hipcare-static-${HIPCARE.version}`;
// Their keys do not change with a new version: a new version keeps them.
const PAGES_CACHE = "hipcare-pages-v1";
const PICTURES_CACHE = "hipcare-pictures-v1";
const KEEP = [STATIC_CACHE, PAGES_CACHE, PICTURES_CACHE];
// In PAGES_CACHE: whose pages these are (a key, not a name: hipcare/pwa.py device_key).
const OWNER = new URL("/__hipcare/pages-owner", self.location.origin).href;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(STATIC_CACHE);
      await cache.addAll(HIPCARE.precache);
      await cache.add(new Request(HIPCARE.offline, { credentials: "same-origin" }));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("hipcare-") && !KEEP.includes(name)) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// A response worth keeping: a whole, same-origin, successful answer (not a redirect to the
// log-in page, not an error page).
function keepable(response) {
  return response && response.status === 200 && response.type === "basic" && !response.redirected;
}

async function cacheFirst(event, cacheName) {
  const cache = await caches.open(cacheName);
  const kept = await cache.match(event.request, { ignoreVary: true });
  if (kept) return kept;
  const response = await fetch(event.request);
  if (keepable(response)) event.waitUntil(cache.put(event.request, response.clone()));
  return response;
}

function pageKey(url) {
  const key = new URL(url);
  key.hash = "";
  return key.href;
}

async function offlinePage() {
  const kept = await caches.match(HIPCARE.offline, { ignoreSearch: true, ignoreVary: true });
  return kept || Response.error();
}

// `page`: only an HTML page is kept (not, say, a JSON answer at the same address).
async function networkFirst(event, cacheName, page = false) {
  const key = pageKey(event.request.url);
  try {
    const response = await fetch(event.request);
    const type = response.headers.get("Content-Type") || "";
    if (keepable(response) && (!page || type.startsWith("text/html"))) {
      const copy = response.clone();
      event.waitUntil(caches.open(cacheName).then((cache) => cache.put(key, copy)));
    }
    return response;
  } catch (error) {
    const cache = await caches.open(cacheName);
    const kept = await cache.match(key, { ignoreVary: true });
    if (kept) return kept;
    if (event.request.mode === "navigate") return offlinePage();
    throw error;
  }
}

async function networkOrOffline(event, url) {
  try {
    return await fetch(event.request);
  } catch (error) {
    // The app opens at "/", which sends a patient on to today's session: the kept copy of it.
    if (url.pathname === HIPCARE.home) {
      const cache = await caches.open(PAGES_CACHE);
      const today = new URL(HIPCARE.pages[0], self.location.origin).href;
      const kept = await cache.match(today, { ignoreVary: true });
      if (kept) return kept;
    }
    return offlinePage();
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return; // ticks and answers: the network (offline.js keeps them)
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(HIPCARE.staticPrefix)) {
    event.respondWith(
      HIPCARE.hashedStatic ? cacheFirst(event, STATIC_CACHE) : networkFirst(event, STATIC_CACHE),
    );
  } else if (url.pathname.startsWith(HIPCARE.picturesPrefix)) {
    event.respondWith(cacheFirst(event, PICTURES_CACHE));
  } else if (HIPCARE.pages.includes(url.pathname)) {
    event.respondWith(networkFirst(event, PAGES_CACHE, true));
  } else if (request.mode === "navigate") {
    event.respondWith(networkOrOffline(event, url));
  }
});

// Messages from offline.js on each page.
async function setOwner(owner) {
  const cache = await caches.open(PAGES_CACHE);
  const kept = await cache.match(OWNER);
  const current = kept ? await kept.text() : null;
  if (current === owner) return;
  if (current !== null || !owner) {
    // Someone else's pages (or no patient's page at all): none of them stays.
    await caches.delete(PAGES_CACHE);
  }
  if (owner) await (await caches.open(PAGES_CACHE)).put(OWNER, new Response(owner));
}

async function refreshOfflinePage(language) {
  const cache = await caches.open(STATIC_CACHE);
  const kept = await cache.match(HIPCARE.offline);
  if (kept && kept.headers.get("Content-Language") === language) return;
  try {
    await cache.add(new Request(HIPCARE.offline, { credentials: "same-origin" }));
  } catch (error) {
    // Offline: the copy in the other language stays until the next time.
  }
}

// A page loaded before this worker controlled it: fetched again, to keep, if it is one it keeps.
async function keepPage(url) {
  const target = new URL(url, self.location.origin);
  if (target.origin !== self.location.origin || !HIPCARE.pages.includes(target.pathname)) return;
  try {
    const response = await fetch(target.href, { credentials: "same-origin" });
    const type = response.headers.get("Content-Type") || "";
    if (keepable(response) && type.startsWith("text/html")) {
      await (await caches.open(PAGES_CACHE)).put(pageKey(target.href), response);
    }
  } catch (error) {
    // Offline: kept the next time.
  }
}

async function keepPictures(urls) {
  const cache = await caches.open(PICTURES_CACHE);
  for (const url of urls) {
    const target = new URL(url, self.location.origin);
    if (target.origin !== self.location.origin) continue;
    if (!target.pathname.startsWith(HIPCARE.picturesPrefix)) continue;
    if (await cache.match(target.href)) continue;
    try {
      const response = await fetch(target.href, { credentials: "same-origin" });
      if (keepable(response)) await cache.put(target.href, response);
    } catch (error) {
      return; // offline: the next page tries again
    }
  }
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "page") {
    event.waitUntil(
      (async () => {
        await setOwner(data.owner || "");
        if (data.owner && data.keep) await keepPage(data.keep);
        if (data.language) await refreshOfflinePage(data.language);
        if (Array.isArray(data.pictures)) await keepPictures(data.pictures);
      })(),
    );
  }
});

// Push: a reminder. Only a path of this site is opened when it is tapped.
function samePath(value) {
  if (typeof value !== "string" || !value) return null;
  try {
    const url = new URL(value, self.location.origin);
    return url.origin === self.location.origin ? url.pathname + url.search + url.hash : null;
  } catch (error) {
    return null;
  }
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  const title = typeof data.title === "string" && data.title ? data.title : "hipcare";
  const options = {
    body: typeof data.body === "string" ? data.body : "",
    data: { url: samePath(data.url) || HIPCARE.home },
    icon: HIPCARE.icon,
    badge: HIPCARE.icon,
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const path = samePath(event.notification.data && event.notification.data.url) || HIPCARE.home;
  const target = new URL(path, self.location.origin);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of windows) {
        if (new URL(client.url).pathname === target.pathname && "focus" in client) {
          return client.focus();
        }
      }
      return self.clients.openWindow(target.href);
    })(),
  );
});
