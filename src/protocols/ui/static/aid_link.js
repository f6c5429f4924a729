// What a job aid's status line adds in the browser (see protocols/ui/frame.py, StatusLine).
//
// * The link to the kernel (kernel_link.js, joined in front of this file): when the connection
//   is lost, a bar at the bottom of the screen says so; when the server wants a sign-in before
//   the page may reconnect, the bar says that and offers "Sign in again"; when the kernel is
//   gone, the bar asks the officer to reopen the case and offers the button that does it (both
//   reload the page and open the same case again).
// * The case this tab has open: after "Reopen the case" reloads the page, the case number goes
//   back to Python, which opens the case again from the store (every saved answer comes back).
// * A refusal out of sight, or the message after an action whose button went away or was
//   disabled (the focus was lost), sticks to the top of the screen, and in the second case the
//   focus moves to it: the officer sees what became of the action without scrolling.
// All text here is fixed; nothing is inserted as HTML.

const LINK_TEXT = {
  lost: "No connection to the handbook server. What you do now is not saved until the connection is back.",
  signin: "No connection: your sign-in to the handbook server has ended. Sign in again to go on. "
    + "Saved answers stay saved; answers kept on this page are sent again.",
  gone: "This page cannot save any more: the handbook server was restarted. Reopen the case to go on. "
    + "Saved answers come back; answers kept on this page are sent again.",
};
const LINK_BUTTON = { signin: "Sign in again", gone: "Reopen the case" };

function linkBar(model) {
  const text = el("span", { class: "hb-link-text" });
  const reopen = el("button", { type: "button", class: "hb-link-reopen", text: "Reopen the case", hidden: true,
                                  onclick: reopenCase });
  const bar = el("div", { class: "hb-link-bar", role: "alert", hidden: true, "data-link": "connected" }, [
    el("p", { class: "hb-link-message" }, [el("span", { class: "hb-link-icon", "aria-hidden": "true", text: "⚠" }), text]),
    reopen,
  ]);
  const link = kernelLink(model, (state) => {
    bar.dataset.link = state;
    bar.hidden = state === "connected";
    text.textContent = LINK_TEXT[state] || "";
    reopen.textContent = LINK_BUTTON[state] || LINK_BUTTON.gone;
    reopen.hidden = !(state in LINK_BUTTON);
  });
  return { bar, link };
}

// A new status message whose line is out of sight sticks to the top of the screen (the line
// itself, so nothing is said twice), until the officer scrolls up to where it belongs or
// presses "Close". It takes the focus only when the focus was lost.
function stickyStatus(view) {
  const close = el("button", { type: "button", class: "hb-stuck-close", text: "Close",
                                 "aria-label": "Close this message", onclick: () => unstick() });
  const box = () => view.closest(".hb-status-box");
  let watcher = null;

  function unstick() {
    const holder = box();
    if (holder) holder.classList.remove("hb-status-stuck");
    close.remove();
    if (watcher) watcher.disconnect();
    watcher = null;
  }

  function shown() {
    const holder = box();
    const line = holder && holder.querySelector(".hb-aid-status");
    if (!line || !line.textContent.trim()) return;
    unstick(); // measured in its own place
    const place = holder.getBoundingClientRect();
    const visible = (view.closest(".lm-BoxPanel-child") || document.documentElement).getBoundingClientRect();
    const unseen = place.bottom <= Math.max(visible.top, 0) || place.top >= Math.min(visible.bottom, window.innerHeight);
    const focused = document.activeElement;
    const focusLost = !focused || focused === document.body || focused.disabled || !focused.isConnected;
    // A routine confirmation while the officer works on (the focus stays on a control) is only
    // announced; a refusal, or the end of a task whose button went away, is shown too.
    if (unseen && (line.classList.contains("hb-bad") || focusLost)) {
      holder.classList.add("hb-status-stuck");
      holder.append(close);
      const header = holder.closest(".hb-aid") && holder.closest(".hb-aid").querySelector(".hb-aid-header");
      if (header) {
        watcher = new IntersectionObserver((seen) => {
          if (seen.some((entry) => entry.isIntersecting)) unstick();
        });
        watcher.observe(header);
      }
    }
    if (focusLost) {
      line.setAttribute("tabindex", "-1");
      line.focus({ preventScroll: true });
    }
  }

  return { shown, stop: unstick };
}

// The case-number field (an ipywidgets Text with the class hb-case-number) takes no more
// characters than the engine accepts; ipywidgets has no setting for it.
function limitCaseNumber(view, length) {
  // Elements added and class changes only (ipywidgets sets a widget's classes after drawing it),
  // within the aid's box when the view is already in it, else the page.
  const box = view.closest(".hb-aid") || document.body;
  const limit = () => {
    for (const input of box.querySelectorAll(".hb-case-number input")) input.maxLength = length;
  };
  limit();
  const watcher = new MutationObserver(limit);
  watcher.observe(box, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  return () => watcher.disconnect();
}

function render({ model, el: view }) {
  const unlimit = limitCaseNumber(view, model.get("case_number_length"));
  const again = caseToReopen();
  if (again) {
    model.set("reopen", again);
    model.save_changes();
  }
  const remember = () => rememberCase(model.get("case_number"));
  remember();
  model.on("change:case_number", remember);

  // Outside the aid's boxes: Voila's scrolling panel would carry a fixed bar away with the page.
  const bottom = el("div", { class: "hb-bottom" });
  document.body.append(bottom);
  const { bar, link } = linkBar(model);
  bottom.append(bar);
  const status = stickyStatus(view);
  const onShown = () => setTimeout(status.shown, 60);
  model.on("change:shown", onShown);
  return () => {
    unlimit();
    link.stop();
    status.stop();
    bottom.remove();
    model.off("change:case_number", remember);
    model.off("change:shown", onShown);
  };
}

export default { render };
