// The victim's handout in a job aid (see protocols/ui/handout_action.py): a "Print the handout"
// button that prints the one-page sheet Python built (a whole page with its own print styles),
// from a hidden frame, so the aid around it is not printed. The button is there only when
// paper is safe for the victim to keep (model "printable"). Nothing here is inserted as HTML
// into the aid: the sheet goes into the frame's own document.

function printSheet(html) {
  const frame = document.createElement("iframe");
  frame.setAttribute("aria-hidden", "true");
  frame.setAttribute("tabindex", "-1");
  frame.title = "Handout to print";
  frame.style.cssText = "position:fixed;right:0;bottom:0;width:0;height:0;border:0;";
  frame.addEventListener("load", () => {
    frame.contentWindow.focus();
    frame.contentWindow.print();
    setTimeout(() => frame.remove(), 1000);
  }, { once: true });
  frame.srcdoc = html;
  document.body.append(frame);
}

function render({ model, el }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-button mod-primary hb-handout-print";
  button.textContent = "Print the handout";
  // Not the hidden attribute: the aids' button styles set a display that would override it.
  const draw = () => { button.style.display = model.get("printable") ? "" : "none"; };
  button.addEventListener("click", () => {
    printSheet(model.get("document"));
    model.set("prints", model.get("prints") + 1);
    model.save_changes();
  });
  draw();
  model.on("change:printable", draw);
  el.append(button);
  return () => model.off("change:printable", draw);
}

export default { render };
