// `handbook preview` only (the published book never loads this): reload the page once a
// new build is ready. The preview server adds this script to every page it serves, with
// the build the page came from in data-build; /_preview/build?seen=ID answers as soon as
// the build is no longer ID (or after a while, with the same ID: then ask again).
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script) return;
  const shown = script.dataset.build || "";
  const endpoint = script.dataset.endpoint || "/_preview/build";
  const RETRY_MS = 2000;

  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function watch() {
    for (;;) {
      try {
        const response = await fetch(`${endpoint}?seen=${encodeURIComponent(shown)}`,
                                      { cache: "no-store" });
        if (response.ok) {
          const { build } = await response.json();
          if (build !== shown) {
            window.location.reload();
            return;
          }
          continue; // nothing new yet: ask again at once
        }
      } catch (error) {
        // The preview is stopped or restarting: try again shortly.
      }
      await pause(RETRY_MS);
    }
  }

  watch();
})();
