// The handbook's service worker: the whole book from this phone's cache, with or without a network.
//
// The build puts `const EDITION = {...}` in front of this file: the edition's id, the files to keep
// (paths below this worker's folder), the job-aid folder and this edition's change notes.
// - install: keep every file of the edition in a cache named after it (all or nothing);
// - activate: drop older editions' caches. A new edition waits until the reader agrees to
//   update (offline.js asks, with what changed), so a page never mixes two editions;
// - fetch: the book's files come from the cache (the query, such as ?v=…, is ignored); a job-aid
//   page that cannot be reached goes to the offline page; everything else goes to the network.
/* global EDITION */

const CACHE = `handbook-${EDITION.id}`;
const ROOT = new URL("./", self.location.href);
const KEPT = new Set(EDITION.files);

function keyOf(url) {
  if (url.origin !== ROOT.origin || !url.pathname.startsWith(ROOT.pathname)) return null;
  let path = decodeURIComponent(url.pathname.slice(ROOT.pathname.length));
  if (path === "" || path.endsWith("/")) path += "index.html";
  return path;
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(EDITION.files.map((path) => new Request(new URL(path, ROOT), { cache: "reload" })))),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("handbook-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "handbook-update") self.skipWaiting();
  if (data.type === "handbook-edition" && event.ports[0]) {
    event.ports[0].postMessage({ id: EDITION.id, bytes: EDITION.bytes, changes: EDITION.changes });
  }
});

async function fromCache(request, path) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(new URL(path, ROOT), { ignoreSearch: true });
  return kept || fetch(request);
}

async function jobAidOrOfflinePage(request, url) {
  try {
    return await fetch(request);
  } catch (error) {
    const offline = new URL(EDITION.offlinePage, ROOT);
    offline.searchParams.set("from", url.pathname.slice(ROOT.pathname.length) + url.search);
    return Response.redirect(offline.href, 302);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const path = keyOf(url);
  if (path === null) return;
  if (KEPT.has(path)) {
    event.respondWith(fromCache(request, path));
  } else if (request.mode === "navigate" && EDITION.jobAidBase && path.startsWith(EDITION.jobAidBase)) {
    event.respondWith(jobAidOrOfflinePage(request, url));
  }
});
