// Scrolls a job aid back to its top when Python moves to a new screen (protocols/ui/widget_kit.py,
// ScreenTop): an aid that swaps one screen for the next would otherwise leave a phone looking at
// the bottom of the new one.
export default {
  render({ model, el }) {
    const toTop = () => {
      // After the new screen has been drawn (its widgets arrive in the same burst).
      setTimeout(() => {
        const aid = el.closest(".hb-aid");
        if (aid) aid.scrollIntoView({ block: "start" });
      }, 60);
    };
    model.on("change:screen", toTop);
    return () => model.off("change:screen", toTop);
  },
};
