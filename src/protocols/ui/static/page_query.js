export default {
  render({ model }) {
    const out = {};
    for (const [key, value] of new URLSearchParams(window.location.search)) {
      if (key.length <= 40 && value.length <= 100) out[key] = value;
    }
    model.set("params", out);
    model.set("read", true);  // a change even for an empty query (only the checklist aid keeps it)
    model.save_changes();
  },
};
