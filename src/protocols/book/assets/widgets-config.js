/* Crisis Intervention Field Handbook: point the widget runtime at this site's own copy.
 *
 * Loaded after require.js and before embed-amd.js, only on pages that hold an interactive
 * checklist. Nothing is fetched from a CDN: RequireJS resolves the ipywidgets and anywidget
 * modules to the files next to this script, and embed-amd.js finds its icon fonts here too.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? script.src.replace(/[^/]*([?#].*)?$/, "") : "";
  window.__jupyter_widgets_assets_path__ = base;
  if (typeof window.require === "function" && typeof window.require.config === "function") {
    // embed-amd.js defines these modules itself; the paths make each module's address (and
    // so the folder its icon fonts are loaded from) this folder.
    var embed = base + "embed-amd";
    window.require.config({
      paths: {
        anywidget: base + "anywidget/index",
        "@jupyter-widgets/html-manager/dist": base.replace(/\/$/, ""),
        "@jupyter-widgets/html-manager": embed,
        "@jupyter-widgets/base": embed,
        "@jupyter-widgets/controls": embed,
        "@jupyter-widgets/output": embed,
        "@jupyter-widgets/base7": embed,
        "@jupyter-widgets/controls7": embed
      }
    });
  }
})();
