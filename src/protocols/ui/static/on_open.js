export default {
  render({ model }) {
    model.set("opened", model.get("opened") + 1);
    model.save_changes();
  },
};
