// Draws the anywidgets a static page embeds, with no widget manager, RequireJS or kernel.
//
// A built page carries the widgets' state as JSON (the Jupyter widget-state script) and one
// widget-view script where each widget goes. For every view of an anywidget model, this
// module imports the model's ES module (`_esm`: a URL beside the page, or the module's source),
// adds its CSS (`_css`: a URL or the CSS text), and calls its `render({ model, el })` with a
// small local model: `get`, `set`, `on`, `off`, `save_changes` and `send` act in the page only.
// That is how anywidget's own static embedding and MyST's {anywidget} directive draw one, so
// a page from any builder that writes those two scripts works the same. Widgets of other kinds
// are left as they are (the page's text still reads without them).
//
// Load it as a module: <script type="module" src="widgets_static.js"></script>.

const STATE_TYPE = "application/vnd.jupyter.widget-state+json";
const VIEW_TYPE = "application/vnd.jupyter.widget-view+json";
// An address is one line that starts like one; anything else is the module's own text.
const URL_LIKE = /^(\.{1,2}\/|\/(?!\/)|https?:|blob:)[^\n]*$/;

/** A model that keeps its state in the page: what a widget's front end sees instead of a kernel's. */
export function localModel(initial) {
  const state = { ...initial };
  const handlers = new Map();
  const emit = (event, ...args) => {
    for (const handler of [...(handlers.get(event) || [])]) handler(...args);
  };
  return {
    get: (name) => state[name],
    set(name, value) {
      const before = state[name];
      state[name] = value;
      if (before !== value) emit(`change:${name}`, value);
    },
    on(event, handler) {
      if (!handlers.has(event)) handlers.set(event, new Set());
      handlers.get(event).add(handler);
    },
    off(event, handler) {
      if (!event) handlers.clear();
      else if (!handler) handlers.delete(event);
      else handlers.get(event)?.delete(handler);
    },
    save_changes() {}, // nothing to save to: the page is the whole world
    send() {}, // no kernel listens; a widget built for the book keeps its state itself
    widget_manager: {
      async get_model() {
        throw new Error("a static page has no widget manager");
      },
    },
  };
}

function readJson(script) {
  try {
    return JSON.parse(script.textContent || "");
  } catch (error) {
    console.error("handbook: a widget script holds no readable JSON", error);
    return null;
  }
}

function moduleUrl(esm, base) {
  if (URL_LIKE.test(esm)) return new URL(esm, base).href;
  return URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
}

const loaded = new Map();

function loadModule(esm, base) {
  const url = moduleUrl(esm, base);
  if (!loaded.has(url)) {
    loaded.set(url, import(url).then(async (module) => {
      const found = module.default ?? module;
      return typeof found === "function" ? await found() : found;
    }));
  }
  return loaded.get(url);
}

const styled = new Set();

function addStyle(css, base) {
  if (!css || styled.has(css)) return;
  styled.add(css);
  if (URL_LIKE.test(css)) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL(css, base).href;
    document.head.append(link);
  } else {
    const style = document.createElement("style");
    style.textContent = css;
    document.head.append(style);
  }
}

/** Draw one anywidget model's view in `host`; resolves once its render has run. */
export async function renderModel(modelState, host, base = document.baseURI) {
  const widget = await loadModule(modelState._esm, base);
  addStyle(modelState._css, base);
  const model = localModel(modelState);
  if (typeof widget.initialize === "function") await widget.initialize({ model });
  if (typeof widget.render !== "function") throw new Error("the widget's module has no render()");
  await widget.render({ model, el: host });
}

/** Every embedded anywidget view on the page, drawn where its view script stands. */
export async function renderPage(root = document) {
  const models = {};
  for (const script of root.querySelectorAll(`script[type="${STATE_TYPE}"]`)) {
    Object.assign(models, readJson(script)?.state || {});
  }
  const drawn = [];
  for (const script of root.querySelectorAll(`script[type="${VIEW_TYPE}"]`)) {
    const entry = models[readJson(script)?.model_id];
    if (!entry || entry.model_module !== "anywidget" || !entry.state?._esm) continue;
    const host = document.createElement("div");
    host.className = "hb-static-widget";
    script.after(host);
    drawn.push(renderModel(entry.state, host).catch((error) => {
      console.error("handbook: a checklist could not be drawn", error);
      host.textContent = "This checklist could not be drawn in this browser. "
        + "Use the printed pocket card, or the job aid.";
    }));
  }
  await Promise.all(drawn);
  document.documentElement.dataset.widgetsDrawn = String(drawn.length);
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => renderPage(), { once: true });
  } else {
    renderPage();
  }
}
