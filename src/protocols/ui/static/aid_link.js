// What a job aid's status line adds in the browser (see protocols/ui/frame.py, StatusLine).
//
// * The link to the kernel (kernel_link.js, joined in front of this file): when the connection
//   is lost, a bar at the bottom of the screen says so; when the kernel is gone, the bar asks
//   the officer to reopen the case and offers the button that does it.
// * The case this tab has open: after "Reopen the case" reloads the page, the case number goes
//   back to Python, which opens the case again from the store (every saved answer comes back).
// * A refusal out of sight, or the message after an action whose button went away or was
//   disabled (the focus was lost), is shown at the bottom of the screen too, and in the second
//   case the focus moves to it: the officer sees what became of the action without scrolling.
// All text here is fixed; nothing is inserted as HTML.

const LINK_TEXT = {
  lost: "No connection to the handbook server. What you do now is not saved until the connection is back.",
  gone: "This page cannot save any more: the handbook server was restarted. Reopen the case to go on. "
    + "Saved answers come back; answers kept on this page are sent again.",
};

function make(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

function linkBar(model) {
  const text = make("span", { class: "hb-link-text" });
  const reopen = make("button", { type: "button", class: "hb-link-reopen", text: "Reopen the case", hidden: true,
                                  onclick: reopenCase });
  const bar = make("div", { class: "hb-link-bar", role: "alert", hidden: true, "data-link": "connected" }, [
    make("p", { class: "hb-link-message" }, [make("span", { class: "hb-link-icon", "aria-hidden": "true", text: "⚠" }), text]),
    reopen,
  ]);
  const link = kernelLink(model, (state) => {
    bar.dataset.link = state;
    bar.hidden = state === "connected";
    text.textContent = LINK_TEXT[state] || "";
    reopen.hidden = state !== "gone";
  });
  return { bar, link };
}

// A copy of a new status message, at the bottom of the screen, while its line is out of sight.
// The copy is not a live region (the line itself is announced); it takes the focus only when
// the focus was lost, and goes once the line is in sight again or "Close" is pressed.
function floatingStatus(el, holder) {
  const text = make("p", { class: "hb-toast-text", tabindex: "-1" });
  const retry = make("button", { type: "button", class: "hb-toast-retry", text: "Retry saving", hidden: true,
                                 onclick: () => { const real = realRetry(); if (real) real.click(); hide(); } });
  const close = make("button", { type: "button", class: "hb-toast-close", text: "Close",
                                 "aria-label": "Close this message", onclick: () => hide() });
  const toast = make("div", { class: "hb-status-toast", hidden: true }, [text, make("div", { class: "hb-toast-buttons" }, [retry, close])]);
  holder.prepend(toast);
  const box = () => el.closest(".hb-status-box");
  const realRetry = () => {
    const button = box() && box().querySelector("button.hb-retry");
    return button && button.offsetParent !== null ? button : null;
  };
  let watcher = null;

  function hide() {
    toast.hidden = true;
    if (watcher) watcher.disconnect();
    watcher = null;
  }

  function shown() {
    const line = box() && box().querySelector(".hb-aid-status");
    if (!line || !line.textContent.trim()) return;
    const place = box().getBoundingClientRect();
    const view = (el.closest(".lm-BoxPanel-child") || document.documentElement).getBoundingClientRect();
    const unseen = place.bottom <= Math.max(view.top, 0) || place.top >= Math.min(view.bottom, window.innerHeight);
    const focused = document.activeElement;
    const focusLost = !focused || focused === document.body || focused.disabled || !focused.isConnected;
    const bad = line.classList.contains("hb-bad");
    hide();
    // A routine confirmation while the officer works on (the focus stays on a control) is only
    // announced; a refusal, or the end of a task whose button went away, is shown too.
    if (unseen && (bad || focusLost)) {
      text.textContent = line.textContent;
      toast.classList.toggle("hb-bad", bad);
      retry.hidden = realRetry() === null;
      toast.hidden = false;
      watcher = new IntersectionObserver((seen) => {
        if (seen.some((entry) => entry.isIntersecting)) hide();
      });
      watcher.observe(box());
    }
    if (focusLost) {
      const target = toast.hidden ? line : text;
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
  }

  return { shown, stop: () => { hide(); toast.remove(); } };
}

function render({ model, el }) {
  const again = caseToReopen();
  if (again) {
    model.set("reopen", again);
    model.save_changes();
  }
  const remember = () => rememberCase(model.get("case_number"));
  remember();
  model.on("change:case_number", remember);

  // Outside the aid's boxes: Voila's scrolling panel would carry a fixed bar away with the page.
  const bottom = make("div", { class: "hb-bottom" });
  document.body.append(bottom);
  const { bar, link } = linkBar(model);
  bottom.append(bar);
  const status = floatingStatus(el, bottom);
  const onShown = () => setTimeout(status.shown, 60);
  model.on("change:shown", onShown);
  return () => {
    link.stop();
    status.stop();
    bottom.remove();
    model.off("change:case_number", remember);
    model.off("change:shown", onShown);
  };
}

export default { render };
