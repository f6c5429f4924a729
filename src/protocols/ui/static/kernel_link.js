// The link between a job-aid page and its kernel, as the parts that save answers need it.
//
// Voila's widget manager holds the kernel connection (`model.widget_manager.kernel`, a
// KernelConnection of @jupyterlab/services). Its websocket reconnects by itself, but slowly
// and without saying so. This watcher tells the page sooner, in one of three states:
//   "connected"  answers reach Python, which saves them;
//   "lost"       no connection now (network or server down): answers wait on the page;
//   "gone"       the kernel no longer exists (the server restarted, or the kernel died), so
//                this page can never save again: the officer must reopen the case.
// While lost, and whenever a save goes unanswered, it asks the server whether the kernel still
// exists (404 or 403: gone; no answer: lost), and asks the connection to try again as soon as
// the server answers.
//
// This file is joined in front of a widget's own module (it exports nothing itself).

const LINK_PROBE_MS = 3000;
const REOPEN_KEY = "handbook-reopen:";
const CASE_KEY = "handbook-case:";
const GONE_STATUSES = ["dead", "restarting", "autorestarting"];

function kernelLink(model, onChange) {
  const manager = model.widget_manager;
  const kernel = manager && manager.kernel ? manager.kernel : null;
  let state = kernel && kernel.connectionStatus && kernel.connectionStatus !== "connected" ? "lost" : "connected";
  let timer = null;
  let probing = false;

  function set(next) {
    if (state === "gone" || next === state) return;
    state = next;
    if (state === "lost") schedule();
    onChange(state);
  }

  function schedule() {
    if (timer === null && state === "lost") timer = setTimeout(() => { timer = null; probe(); }, LINK_PROBE_MS);
  }

  async function probe() {
    if (!kernel || probing || state === "gone") return;
    probing = true;
    const settings = kernel.serverSettings || {};
    const url = `${settings.baseUrl || "/"}api/kernels/${encodeURIComponent(kernel.id)}`;
    const headers = settings.token ? { Authorization: `token ${settings.token}` } : {};
    try {
      const reply = await fetch(url, { credentials: "same-origin", cache: "no-store", headers });
      if (reply.status === 404 || reply.status === 403) set("gone");
      else if (reply.ok && kernel.connectionStatus !== "connected" && typeof kernel.reconnect === "function") {
        kernel.reconnect().catch(() => {});
      }
    } catch (error) {
      set("lost"); // the server does not answer
    } finally {
      probing = false;
      schedule();
    }
  }

  const onConnection = (_sender, status) => set(status === "connected" ? "connected" : "lost");
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
    // Messages sent now reach the kernel (the websocket is open and the kernel still there).
    ready() {
      return state !== "gone" && (!kernel || kernel.connectionStatus === "connected");
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
