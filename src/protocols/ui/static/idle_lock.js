// Idle lock for the job aids (see protocols/ui/idle_lock.py and protocols/serve/session_lock.py).
//
// No key press, tap, click or scroll for `lock_after_seconds`: the aid's content is hidden
// (inert, hidden from screen readers, not drawn) behind a "Job aid locked" screen, and the
// server is told, so the page's kernel takes no widget message. `warn_seconds` before that, a
// banner offers "Keep working" (one action, WCAG 2.2.1). Only the server's yes shows the content
// again: with a token it wants the token typed again, behind a sign-on proxy the proxy's header
// must still name the user the job aid was opened for (no password is asked: the proxy's own
// session decides), and without sign-in it always says yes (the screen then says it is a
// privacy screen only). Resume waits for the server to have heard of the lock, so the two can
// never arrive the other way round; a lock request that got no answer is sent again.
// Locking and unlocking are told to the rest of the page with a LOCK_EVENT on the document
// (kernel_link.js: nothing is sent while locked, what waits is sent after).
// All text here is fixed; nothing is inserted as HTML.

const ACTIVITY = ["pointerdown", "keydown", "wheel", "touchstart", "scroll"];
const TICK_MS = 250;
const LOCK_RETRY_MS = 3000;
const LOCK_EVENT = "handbook:idle-lock";

const EXPLAIN = {
  none:
    "This is a privacy screen only, not a sign-in check. Anyone at this computer can resume. " +
    "Your saved answers are kept.",
  token: "Your saved answers are kept. To resume, enter the access token you use to open the job aids.",
  header:
    "Your saved answers are kept. Resume does not ask for a password. It only checks that your " +
    "agency's sign-in in this browser still names the user who opened this job aid. That sign-in " +
    "ends when your agency's sign-in time runs out.",
  unknown: "Your saved answers are kept. Press Resume to show the job aid again.",
};

function make(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

function pageConfig() {
  const node = document.getElementById("jupyter-config-data");
  try {
    return node ? JSON.parse(node.textContent || "{}") : {};
  } catch {
    return {};
  }
}

function xsrfToken() {
  const found = document.cookie.split("; ").find((cookie) => cookie.startsWith("_xsrf="));
  return found ? decodeURIComponent(found.slice("_xsrf=".length)) : "";
}

// POST to this page's kernel route; `{status, answer}`, status 0 when the server did not answer.
async function askServer(action, body = {}) {
  const config = pageConfig();
  if (!config.kernelId) return { status: 0, answer: {} };
  const base = config.baseUrl || "/";
  try {
    const response = await fetch(`${base}api/kernels/${encodeURIComponent(config.kernelId)}/handbook-${action}`, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-XSRFToken": xsrfToken() },
      body: JSON.stringify(body),
    });
    let answer = {};
    try {
      answer = await response.json();
    } catch {
      answer = {};
    }
    return { status: response.status, answer };
  } catch {
    return { status: 0, answer: {} };
  }
}

// Why the server said no, in words for the officer (`signIn`: the server's sign-in mode).
function refusalText(status, answer, signIn) {
  switch (answer.reason) {
    case "wrong-token":
      return `That token is not right. Tries left: ${Number(answer.tries_left) || 0}.`;
    case "no-token":
      return "Enter the access token first.";
    case "refused":
      return `Too many wrong tokens. Try again in ${Number(answer.wait_minutes) || 10} minutes.`;
    case "other-user":
      return "Another user opened this job aid, so it stays locked. Reload the page to sign in as yourself.";
    case "closed":
      return "This job aid has closed. Reload the page to open it again. Your saved answers are kept.";
    default:
      if (status === 401) return "Your sign-in has ended. Reload the page to sign in again.";
      if (status === 0 && signIn === "header") {
        return "The server did not answer. Check the connection, then press Resume again. " +
          "If your agency's sign-in has ended, reload the page to sign in again.";
      }
      if (status === 0) return "The server did not answer. Check the connection, then press Resume again.";
      return "The job aid could not be unlocked. Reload the page to sign in again.";
  }
}

function tellPage(locked) {
  document.dispatchEvent(new CustomEvent(LOCK_EVENT, { detail: { locked } }));
}

function render({ model, el }) {
  const lockMs = () => Math.max(1, Number(model.get("lock_after_seconds")) || 1800) * 1000;
  const warnMs = () => Math.min(Math.max(0, Number(model.get("warn_seconds")) || 0) * 1000, lockMs());
  // The widget's own box sits inside the aid's outer box (`.hb-aid`); the lock hides the rest of
  // it. Looked up when needed: the view is not in the page yet while it renders.
  const aidOf = () => el.closest(".hb-aid") || document.body;
  // The page itself takes a sign-in token out of its address as it loads (the job-aid page
  // template's first-screen.js), so a reload after the lock asks for the token again.

  const seconds = make("span", { class: "hb-idle-seconds", text: "" });
  const keep = make("button", { type: "button", class: "hb-idle-keep", text: "Keep working" });
  const warning = make("div", { class: "hb-idle-warning", role: "alert", hidden: true }, [
    make("p", {}, [
      document.createTextNode("Nobody has used this job aid for a while. For privacy its content will be hidden in "),
      seconds,
      document.createTextNode(" seconds. "),
    ]),
    keep,
  ]);
  const id = Math.random().toString(36).slice(2);
  const explain = make("p", { class: "hb-idle-explain", text: EXPLAIN.unknown });
  const tokenBox = make("input", {
    id: `hb-idle-token-${id}`, class: "hb-idle-token", type: "password", autocomplete: "off",
    spellcheck: "false", autocapitalize: "off",
  });
  const tokenField = make("p", { class: "hb-idle-token-field", hidden: true }, [
    make("label", { for: tokenBox.id, text: "Access token" }),
    tokenBox,
  ]);
  const message = make("p", { class: "hb-idle-message", role: "alert" });
  const resume = make("button", { type: "submit", class: "hb-idle-resume", text: "Resume" });
  const form = make("form", { class: "hb-idle-form", novalidate: true }, [tokenField, message, resume]);
  const screen = make(
    "div",
    { class: "hb-idle-screen", role: "dialog", "aria-modal": "true", "aria-labelledby": `hb-idle-title-${id}`,
      "aria-describedby": `hb-idle-explain-${id}`, hidden: true },
    [make("div", { class: "hb-idle-panel" }, [make("h2", { id: `hb-idle-title-${id}`, text: "Job aid locked" }), explain, form])],
  );
  explain.id = `hb-idle-explain-${id}`;
  el.append(warning, screen);

  let last = Date.now();
  let locked = false;
  let signIn = "unknown";
  let hidden = [];
  let lockHeard = Promise.resolve(); // the latest lock request, settled when it has its answer
  let lockConfirmed = false; // the server answered the lock request
  let resuming = false;
  let lockRetry = null;

  function siblings() {
    return Array.from(aidOf().children).filter((child) => !child.contains(el));
  }

  function showSignIn(mode) {
    signIn = mode in EXPLAIN ? mode : "unknown";
    explain.textContent = EXPLAIN[signIn];
    tokenField.hidden = signIn !== "token";
    (signIn === "token" ? tokenBox : resume).focus();
  }

  async function lock() {
    locked = true;
    warning.hidden = true;
    aidOf().classList.add("hb-idle-locked");
    hidden = siblings();
    for (const child of hidden) {
      child.setAttribute("inert", "");
      child.setAttribute("aria-hidden", "true");
      child.classList.add("hb-idle-hidden");
    }
    message.textContent = "";
    tokenBox.value = "";
    screen.hidden = false;
    resume.focus();
    lockConfirmed = false;
    tellPage(true);
    await tellServer();
  }

  // Tell the server the page is locked. No answer (the network, a proxy): try again every
  // LOCK_RETRY_MS while the page stays locked and nobody is resuming.
  async function tellServer() {
    clearTimeout(lockRetry);
    lockRetry = null;
    const request = askServer("lock");
    lockHeard = request;
    const { status, answer } = await request;
    if (!locked) return;
    lockConfirmed = status !== 0;
    // (While resuming, only a change: the focus stays where the officer is.)
    if (answer.sign_in && (!resuming || answer.sign_in !== signIn)) showSignIn(answer.sign_in);
    if (resuming) return; // tryResume goes on from here
    if (status === 0) {
      lockRetry = setTimeout(() => {
        lockRetry = null;
        if (locked && !resuming && !lockConfirmed) tellServer();
      }, LOCK_RETRY_MS);
    } else if (status !== 200) {
      message.textContent = refusalText(status, answer, signIn);
    }
  }

  function unlock() {
    locked = false;
    clearTimeout(lockRetry);
    lockRetry = null;
    last = Date.now();
    aidOf().classList.remove("hb-idle-locked");
    for (const child of hidden) {
      child.removeAttribute("inert");
      child.removeAttribute("aria-hidden");
      child.classList.remove("hb-idle-hidden");
    }
    hidden = [];
    tokenBox.value = "";
    message.textContent = "";
    screen.hidden = true;
    tellPage(false);
  }

  // Resume: the content comes back only when the server says yes. The lock request goes first:
  // an unlock that overtook it would leave the server locked behind a page that looks unlocked.
  async function tryResume(event) {
    event.preventDefault();
    if (!locked || resume.disabled) return;
    resume.disabled = true;
    resuming = true;
    form.setAttribute("aria-busy", "true");
    const typed = tokenBox.value;
    await lockHeard;
    const body = signIn === "token" ? { token: typed } : {};
    const { status, answer } = await askServer("unlock", body);
    resuming = false;
    resume.disabled = false;
    form.removeAttribute("aria-busy");
    if (status === 200 && answer.unlocked === true) {
      unlock();
      return;
    }
    if (answer.sign_in && answer.sign_in !== signIn) showSignIn(answer.sign_in);
    tokenBox.value = "";
    message.textContent = refusalText(status, answer, signIn);
    if (signIn === "token") tokenBox.focus(); // ready to type it again
    if (!lockConfirmed && locked) tellServer(); // the server may still not know the page is locked
  }

  function activity() {
    if (!locked) {
      last = Date.now();
      if (!warning.hidden) warning.hidden = true;
    }
  }

  function tick() {
    if (locked) return;
    const idle = Date.now() - last;
    const left = lockMs() - idle;
    if (left <= 0) {
      lock();
    } else if (left <= warnMs()) {
      seconds.textContent = String(Math.ceil(left / 1000));
      warning.hidden = false;
    } else if (!warning.hidden) {
      warning.hidden = true;
    }
  }

  keep.addEventListener("click", () => {
    last = Date.now();
    warning.hidden = true;
  });
  form.addEventListener("submit", tryResume);
  for (const name of ACTIVITY) document.addEventListener(name, activity, { capture: true, passive: true });
  const timer = window.setInterval(tick, TICK_MS);
  document.addEventListener("visibilitychange", tick);

  return () => {
    window.clearInterval(timer);
    clearTimeout(lockRetry);
    document.removeEventListener("visibilitychange", tick);
    for (const name of ACTIVITY) document.removeEventListener(name, activity, { capture: true });
    warning.remove();
    screen.remove();
  };
}

export default { render };
