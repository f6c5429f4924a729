/* Crisis Intervention Field Handbook: the book offline (no network, no dependencies).
 * - Registers the book's service worker (service-worker.js at the site root), which keeps the
 *   whole handbook on this device after one visit.
 * - When a new edition has been fetched and waits, a bar says so, lists what changed (from the
 *   content's change notes) and offers to update now or later; updating reloads the page.
 * - Offline, a link to a job aid says plainly that the job aid needs a connection and offers
 *   the book's own checklists instead (the offline page), rather than failing to load.
 * - On the offline page itself, the job aid the officer tried to open is brought to the top.
 */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-content_root") || "./";
  var jobAidMeta = document.querySelector('meta[name="handbook-job-aid-base"]');

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function element(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function ask(worker, type) {
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      var timer = setTimeout(function () { resolve(null); }, 3000);
      channel.port1.onmessage = function (event) { clearTimeout(timer); resolve(event.data); };
      worker.postMessage({ type: type }, [channel.port2]);
    });
  }

  function newNotes(current, next) {
    var seen = {};
    ((current && current.changes) || []).forEach(function (note) { seen[note.key] = true; });
    return ((next && next.changes) || []).filter(function (note) { return !seen[note.key]; });
  }

  function offerUpdate(registration) {
    var waiting = registration.waiting;
    if (!waiting || !navigator.serviceWorker.controller || document.querySelector(".hc-update-bar")) { return; }
    Promise.all([ask(navigator.serviceWorker.controller, "handbook-edition"), ask(waiting, "handbook-edition")])
      .then(function (editions) {
        var notes = newNotes(editions[0], editions[1]);
        var list = element("ul", { class: "hc-update-notes" }, notes.slice(0, 6).map(function (note) {
          return element("li", {}, [
            element("strong", { text: note.title + " (" + note.kind + ", version " + note.version + ")" }),
            document.createTextNode(": " + note.change),
          ]);
        }));
        var more = notes.length > 6 ? element("p", { text: "And " + (notes.length - 6) + " more changes." }) : null;
        var update = element("button", { type: "button", class: "hc-update-now", text: "Update now" });
        var later = element("button", { type: "button", class: "hc-update-later", text: "Later" });
        var bar = element("section", { class: "hc-update-bar", role: "region", "aria-label": "New edition" }, [
          element("p", { class: "hc-update-title", role: "status",
            text: "A new edition of the handbook is ready." + (notes.length ? " What changed:" : "") }),
          notes.length ? list : null, more,
          element("p", { class: "hc-update-actions" }, [update, later]),
        ]);
        update.addEventListener("click", function () {
          update.disabled = true;
          update.textContent = "Updating…";
          waiting.postMessage({ type: "handbook-update" });
        });
        later.addEventListener("click", function () { bar.remove(); });
        document.body.appendChild(bar);
      });
  }

  function register() {
    if (!("serviceWorker" in navigator) || location.protocol === "file:") { return; }
    // A page that had a worker gets a new one only when a reader agreed to update (in this tab
    // or another): reload, so no page mixes two editions. The first worker takes over silently.
    var hadWorker = Boolean(navigator.serviceWorker.controller);
    var reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (hadWorker && !reloading) { reloading = true; location.reload(); }
      hadWorker = true;
    });
    navigator.serviceWorker.register(root + "service-worker.js").then(function (registration) {
      offerUpdate(registration);
      registration.addEventListener("updatefound", function () {
        var installing = registration.installing;
        if (!installing) { return; }
        installing.addEventListener("statechange", function () {
          if (installing.state === "installed") { offerUpdate(registration); }
        });
      });
      document.documentElement.setAttribute("data-offline-ready", "registered");
      navigator.serviceWorker.ready.then(function () {
        document.documentElement.setAttribute("data-offline-ready", "ready");
      });
    }).catch(function (error) {
      console.warn("handbook: the offline copy could not be set up", error);
    });
  }

  function jobAidKey(href) {
    if (!jobAidMeta) { return null; }
    var base = new URL(jobAidMeta.getAttribute("content"), document.baseURI).href;
    if (href.indexOf(base) !== 0) { return null; }
    return href.slice(base.length);
  }

  function guardJobAidLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href]") : null;
      if (!link || navigator.onLine !== false) { return; }
      var from = jobAidKey(link.href);
      if (from === null) { return; }
      event.preventDefault();
      var old = link.parentNode.querySelector(".hc-offline-note");
      if (old) { old.remove(); }
      var page = new URL(root + "offline-job-aid.html", document.baseURI);
      page.searchParams.set("from", from);
      var note = element("p", { class: "hc-offline-note", role: "alert" }, [
        document.createTextNode("You are offline. The job aid needs a connection to the handbook server. "),
        element("a", { href: page.href, text: "Use the book's own checklist instead" }),
        document.createTextNode("."),
      ]);
      link.insertAdjacentElement("afterend", note);
    });
  }

  function highlightAid() {
    var list = document.querySelector(".hc-offline-aids");
    var from = new URLSearchParams(location.search).get("from");
    if (!list || !from) { return; }
    var name = from.split("/").pop().replace(/\.ipynb/, "");
    var match = list.querySelector('[data-aid="' + CSS.escape(name) + '"]')
      || list.querySelector('[data-aid="' + CSS.escape(name.split("?")[0]) + '"]');
    if (match) {
      match.classList.add("hc-offline-aid-wanted");
      list.insertBefore(match, list.firstChild);
    }
  }

  register();
  ready(function () { guardJobAidLinks(); highlightAid(); });
})();
