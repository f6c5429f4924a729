// The link between a job-aid page and its kernel, as the parts that save answers need it.
//
// Voila's widget manager holds the kernel connection (`model.widget_manager.kernel`, a
// KernelConnection of @jupyterlab/services). Its websocket reconnects by itself, but slowly
// and without saying so. This watcher tells the page sooner, in one of four states:
//   "connected"  answers reach Python, which saves them;
//   "lost"       no connection now (network or server down): answers wait on the page;
//   "signin"     no connection, and the server wants a sign-in before it lets the page back
//                (401 or 403: the sign-in cookie ended, or an idle lock cleared it); it comes
//                back by itself once the officer is signed in again;
//   "gone"       the kernel no longer exists (404: the server restarted, or the kernel died),
//                so this page can never save again: the officer must reopen the case.
// While lost, and whenever a save goes unanswered, it asks the server whether the kernel still
// exists (no answer: lost), and asks the connection to try again as soon as the server answers.
// While the page is behind its idle lock (idle_lock.js) the server drops the page's widget
// messages, so nothing counts as ready to send; the lock says when it is lifted.
//
// This file is joined in front of a widget's own module (it exports nothing itself).

const LINK_PROBE_MS = 3000;
const REOPEN_KEY = "handbook-reopen:";
const CASE_KEY = "handbook-case:";
const GONE_STATUSES = ["dead", "restarting", "autorestarting"];
const IDLE_LOCK_EVENT = "handbook:idle-lock"; // idle_lock.js sends it on the document, detail {locked}
const SIGN_IN_STATUSES = [401, 403];

// True while a job aid on this page is behind its idle lock (the server then drops this page's
// widget messages: one kernel per page, one lock per kernel).
function pageLocked() {
  return typeof document !== "undefined" && document.querySelector(".hb-idle-locked") !== null;
}

// Call `callback` each time the idle lock is lifted (the server has already said yes). Returns
// the function that stops listening.
function onIdleUnlock(callback) {
  if (typeof document === "undefined") return () => {};
  const listener = (event) => {
    if (event.detail && event.detail.locked === false) callback();
  };
  document.addEventListener(IDLE_LOCK_EVENT, listener);
  return () => document.removeEventListener(IDLE_LOCK_EVENT, listener);
}

function kernelLink(model, onChange) {
  const manager = model.widget_manager;
  const kernel = manager && manager.kernel ? manager.kernel : null;
  let state = kernel && kernel.connectionStatus && kernel.connectionStatus !== "connected" ? "lost" : "connected";
  let timer = null;
  let probing = false;

  function set(next) {
    if (state === "gone" || next === state) return;
    state = next;
    schedule();
    onChange(state);
  }

  function schedule() {
    if (timer === null && (state === "lost" || state === "signin")) {
      timer = setTimeout(() => { timer = null; probe(); }, LINK_PROBE_MS);
    }
  }

  async function probe() {
    if (!kernel || probing || state === "gone") return;
    probing = true;
    const settings = kernel.serverSettings || {};
    const url = `${settings.baseUrl || "/"}api/kernels/${encodeURIComponent(kernel.id)}`;
    const headers = settings.token ? { Authorization: `token ${settings.token}` } : {};
    try {
      const reply = await fetch(url, { credentials: "same-origin", cache: "no-store", headers });
      if (reply.status === 404) {
        set("gone"); // no such kernel
      } else if (SIGN_IN_STATUSES.includes(reply.status)) {
        // Says nothing about the kernel. A working connection stays as it is; a lost one cannot
        // come back until the officer signs in again.
        if (state === "lost") set("signin");
      } else if (reply.ok && kernel.connectionStatus !== "connected") {
        if (state === "signin") set("lost"); // signed in again: now it only has to reconnect
        if (typeof kernel.reconnect === "function") kernel.reconnect().catch(() => {});
      }
    } catch (error) {
      set("lost"); // the server does not answer
    } finally {
      probing = false;
      schedule();
    }
  }

  const onConnection = (_sender, status) => {
    if (status === "connected") set("connected");
    else if (state !== "signin") set("lost"); // its own tries to reconnect fail until then
  };
  const onStatus = (_sender, status) => {
    if (GONE_STATUSES.includes(status)) set("gone");
  };
  const onClose = () => set("gone");
  if (kernel) {
    kernel.connectionStatusChanged.connect(onConnection);
    kernel.statusChanged.connect(onStatus);
  }
  model.on("comm:close", onClose);
  if (state === "lost") schedule();

  return {
    get state() {
      return state;
    },
    // A save went unanswered: find out now whether the server and the kernel are still there
    // (a kernel that is only slow, waiting for a locked database say, leaves the link as it is).
    check() {
      probe();
    },
    // Messages sent now reach the kernel (the websocket is open, the kernel still there, and
    // the page not behind its idle lock).
    ready() {
      return state !== "gone" && !pageLocked() && (!kernel || kernel.connectionStatus === "connected");
    },
    // Python answered: the link works.
    heard() {
      set("connected");
    },
    stop() {
      clearTimeout(timer);
      timer = null;
      if (kernel) {
        kernel.connectionStatusChanged.disconnect(onConnection);
        kernel.statusChanged.disconnect(onStatus);
      }
      model.off("comm:close", onClose);
    },
  };
}

function pageKey(prefix) {
  return prefix + window.location.pathname;
}

// The case this tab has open on this aid, so "Reopen the case" can start it again after a reload.
function rememberCase(caseNumber) {
  try {
    if (caseNumber) window.sessionStorage.setItem(pageKey(CASE_KEY), caseNumber);
  } catch (error) {
    /* storage blocked: the officer types the case number again */
  }
}

function reopenCase() {
  try {
    window.sessionStorage.setItem(pageKey(REOPEN_KEY), "1");
  } catch (error) {
    /* storage blocked: the page still reloads */
  }
  window.location.reload();
}

// The case number to start again after "Reopen the case" (read once), else "".
function caseToReopen() {
  try {
    const asked = window.sessionStorage.getItem(pageKey(REOPEN_KEY));
    window.sessionStorage.removeItem(pageKey(REOPEN_KEY));
    return asked ? window.sessionStorage.getItem(pageKey(CASE_KEY)) || "" : "";
  } catch (error) {
    return "";
  }
}
