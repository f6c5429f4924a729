// Idle lock for the job aids (see protocols/ui/idle_lock.py).
//
// No key press, tap, click or scroll for `lock_after_seconds`: the aid's content is
// hidden behind a "Locked" screen. `warn_seconds` before that, a banner says so and
// offers "Keep working" (one action, WCAG 2.2.1). Once locked, only "Resume" shows the
// content again; there is no sign-in, the lock only keeps a passer-by from reading.
// All text here is fixed; nothing is inserted as HTML.

const ACTIVITY = ["pointerdown", "keydown", "wheel", "touchstart", "scroll"];
const TICK_MS = 250;

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

function render({ model, el }) {
  const lockMs = () => Math.max(1, Number(model.get("lock_after_seconds")) || 1800) * 1000;
  const warnMs = () => Math.min(Math.max(0, Number(model.get("warn_seconds")) || 0) * 1000, lockMs());
  // The widget's own box sits inside the aid's outer box (`.hb-aid`); the lock hides the rest of
  // it. Looked up when needed: the view is not in the page yet while it renders.
  const aidOf = () => el.closest(".hb-aid") || document.body;

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
  const titleId = `hb-idle-title-${Math.random().toString(36).slice(2)}`;
  const resume = make("button", { type: "button", class: "hb-idle-resume", text: "Resume" });
  const screen = make(
    "div",
    { class: "hb-idle-screen", role: "dialog", "aria-modal": "true", "aria-labelledby": titleId, hidden: true },
    [
      make("div", { class: "hb-idle-panel" }, [
        make("h2", { id: titleId, text: "Job aid locked" }),
        make("p", {
          text:
            "The content is hidden because nobody used this page. Your saved answers are kept. " +
            "Press Resume to show it again.",
        }),
        resume,
      ]),
    ],
  );
  el.append(warning, screen);

  let last = Date.now();
  let locked = false;

  let hidden = [];

  function siblings() {
    return Array.from(aidOf().children).filter((child) => !child.contains(el));
  }

  function lock() {
    locked = true;
    warning.hidden = true;
    aidOf().classList.add("hb-idle-locked");
    hidden = siblings();
    for (const child of hidden) {
      child.setAttribute("inert", "");
      child.setAttribute("aria-hidden", "true");
      child.classList.add("hb-idle-hidden");
    }
    screen.hidden = false;
    resume.focus();
  }

  function unlock() {
    locked = false;
    last = Date.now();
    aidOf().classList.remove("hb-idle-locked");
    for (const child of hidden) {
      child.removeAttribute("inert");
      child.removeAttribute("aria-hidden");
      child.classList.remove("hb-idle-hidden");
    }
    hidden = [];
    screen.hidden = true;
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
  resume.addEventListener("click", unlock);
  for (const name of ACTIVITY) document.addEventListener(name, activity, { capture: true, passive: true });
  const timer = window.setInterval(tick, TICK_MS);
  document.addEventListener("visibilitychange", tick);

  return () => {
    window.clearInterval(timer);
    document.removeEventListener("visibilitychange", tick);
    for (const name of ACTIVITY) document.removeEventListener(name, activity, { capture: true });
    if (locked) unlock();
    warning.remove();
    screen.remove();
  };
}

export default { render };
