export default {
  render({ model }) {
    const out = {};
    for (const [key, value] of new URLSearchParams(window.location.search)) {
      if (key.length <= 40 && value.length <= 100) out[key] = value;
    }
    model.set("params", out);
    model.save_changes();
  },
};
