// Checklist front end, shared by the static book and the Voila job aids.
//
// In the book there is no kernel: ticks, progress, critical warnings and the
// completion call run here, and answers are kept in the browser's storage.
// In a job aid (`live` is true) every answer is sent to Python, which checks
// it with the engine and saves it; the item shows "saved" only after Python
// confirms. Until then the answer waits in checklist_live.js (joined in front
// of this file, after kernel_link.js), which keeps it in the browser's storage
// and sends it again when it got no reply. All text comes from the content
// spec; nothing typed is ever inserted as HTML.

const YES_NO = [
  ["yes", "Yes"],
  ["no", "No"],
];
const HOLD_NOTE = "“Hold here” marks where you stopped, so you or another officer can resume at that item later. "
  + "Your answers stay saved.";
const ON_HOLD_NOTE = "On hold. Press “Resume checklist” to go on answering.";

function nowHHMM() {
  const d = new Date();
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

function describe(answer, item) {
  if (!answer) return "";
  if (answer.na) return `Not applicable: ${answer.reason}`;
  const v = answer.value;
  if (item.value.type === "yes-no") return v === "yes" ? "Yes" : "No";
  if (item.value.type === "choice") {
    const ids = Array.isArray(v) ? v : [v];
    const labels = ids.map((id) => (item.value.choices.find((c) => c.id === id) || { label: id }).label);
    return labels.join(", ");
  }
  if (item.value.type === "number" && item.value.unit) return `${v} ${item.value.unit}`;
  return String(v);
}

function progressOf(spec, answers) {
  let answered = 0;
  let total = 0;
  const openCritical = [];
  for (const pp of spec.pause_points) {
    for (const item of pp.items) {
      if (item.hidden) continue;
      total += 1;
      if (answers[item.id]) answered += 1;
      else if (item.critical) openCritical.push(item);
    }
  }
  return { answered, total, openCritical };
}

function render({ model, el: host }) {
  const spec = model.get("spec");
  const live = model.get("live");
  const storageKey = `handbook-checklist:${model.get("storage_key") || spec.id}:${spec.version}`;
  let answers = {};
  const errors = {};
  // Live: the answers on their way to the store (refresh is defined below, called later).
  const pending = live
    ? liveAnswers(model, `handbook-unsaved:${model.get("storage_key") || spec.id}:${spec.version}`,
                  { onChange: () => refresh(), at: nowHHMM })
    : null;
  const link = pending ? pending.link : null;

  if (live) {
    answers = { ...(model.get("answers") || {}) };
  } else {
    try {
      answers = JSON.parse(window.localStorage.getItem(storageKey) || "{}");
    } catch (e) {
      answers = {};
    }
  }

  const root = el("section", { class: "hb-checklist", "aria-label": `Checklist: ${spec.title}` });
  const header = el("header", { class: "hb-head" }, [
    el("p", { class: "hb-kind", "data-kind": spec.kind, text: `${spec.kind_label || "Checklist"} · ${spec.audience_label}` }),
    model.get("show_title") ? el("h2", { class: "hb-title", text: spec.title }) : null,
    el("p", { class: "hb-meta", text: `Version ${spec.version}${spec.adapted ? ` (${spec.adapted})` : ""} · revised ${spec.revised}` }),
  ]);
  const bar = el("div", { class: "hb-bar", role: "presentation" }, [el("div", { class: "hb-bar-fill" })]);
  const progressText = el("p", { class: "hb-progress", "aria-live": "polite", role: "status" });
  const alertBox = el("p", { class: "hb-alert", role: "alert", "aria-live": "assertive" });
  // Shown while answers wait unsaved (no reply, or the records store failed to save them).
  const unsavedNote = live ? el("p", { class: "hb-unsaved-note", hidden: true }) : null;
  const retryButton = live
    ? el("button", { type: "button", class: "hb-retry", hidden: "", text: "Retry saving", onclick: () => pending.retryAll() })
    : null;
  const sticky = el("div", { class: "hb-sticky" }, [progressText, bar, unsavedNote, retryButton]);
  root.append(header, sticky);

  const itemNodes = {};

  function say(text, tone = "info") {
    alertBox.setAttribute("role", tone === "bad" ? "alert" : "status");
    alertBox.setAttribute("aria-live", tone === "bad" ? "assertive" : "polite");
    alertBox.className = `hb-alert hb-${tone}`;
    alertBox.textContent = text;
  }

  function save() {
    if (live) return;
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(answers));
    } catch (e) {
      /* storage full or blocked: the ticks still show on this page */
    }
  }

  function setAnswer(item, answer) {
    alertBox.textContent = "";
    if (live) {
      delete errors[item.id];
      pending.give(item.id, answer);
    } else {
      answer.at = nowHHMM();
      answers[item.id] = answer;
      save();
    }
    refresh();
  }

  function clearAnswer(item) {
    if (live) {
      delete errors[item.id];
      pending.give(item.id, null);
    } else {
      delete answers[item.id];
      save();
    }
    refresh();
  }

  // What an item shows: the answer given on this page and not yet saved, else the saved one.
  function shownAnswer(id) {
    const entry = live ? pending.entry(id) : undefined;
    return entry ? entry.answer : answers[id];
  }

  function valueControl(item) {
    const spec = item.value;
    const wrap = el("div", { class: "hb-controls", role: "group", "aria-label": `Answer: ${item.prompt}` });
    const options = spec.type === "yes-no" ? YES_NO : spec.type === "choice" ? spec.choices.map((c) => [c.id, c.label]) : null;
    if (options) {
      for (const [id, label] of options) {
        const button = el("button", {
          type: "button",
          class: "hb-option",
          "data-value": id,
          "aria-pressed": "false",
          text: label,
          onclick: () => {
            if (spec.multiple) {
              const shown = shownAnswer(item.id);
              const current = shown && !shown.na ? [...shown.value] : [];
              const next = current.includes(id) ? current.filter((x) => x !== id) : [...current, id];
              if (next.length === 0) clearAnswer(item);
              else setAnswer(item, { value: next });
            } else {
              setAnswer(item, { value: id });
            }
          },
        });
        wrap.append(button);
      }
    } else {
      const inputType = spec.type === "time" ? "time" : spec.type === "number" ? "number" : "text";
      const inputId = `hb-${model.get("storage_key") || spec.id}-${item.id}-input`;
      const input = el("input", {
        id: inputId,
        class: "hb-input hb-value",
        type: inputType,
        inputmode: spec.type === "number" ? "decimal" : null,
        min: spec.min,
        max: spec.max,
        maxlength: spec.type === "text" ? spec.max_length : null,
        "aria-label": item.prompt,
      });
      const record = el("button", {
        type: "button",
        class: "hb-option hb-record",
        text: "Record",
        onclick: () => {
          const raw = input.value.trim();
          if (!raw) {
            say(`Enter a value for “${item.prompt}” first.`, "bad");
            return;
          }
          setAnswer(item, { value: spec.type === "number" ? Number(raw) : raw });
        },
      });
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") record.click();
      });
      wrap.append(input);
      if (spec.type === "time") {
        wrap.append(
          el("button", {
            type: "button",
            class: "hb-option",
            text: "Now",
            "aria-label": `Record the time now for: ${item.prompt}`,
            onclick: () => {
              input.value = nowHHMM();
              setAnswer(item, { value: input.value });
            },
          }),
        );
      }
      wrap.append(record);
    }
    if (item.na_allowed) {
      const reason = el("input", {
        class: "hb-input hb-reason",
        type: "text",
        maxlength: 500,
        placeholder: "Why it does not apply",
        "aria-label": `Reason not applicable: ${item.prompt}`,
        hidden: true,
      });
      const naButton = el("button", {
        type: "button",
        class: "hb-option hb-na",
        text: "N/A",
        "aria-label": `N/A, not applicable: ${item.prompt}`,
        onclick: () => {
          if (reason.hidden) {
            reason.hidden = false;
            reason.focus();
            return;
          }
          const why = reason.value.trim();
          if (!why) {
            say("Not applicable needs a reason. Type why, then press N/A again.", "bad");
            reason.focus();
            return;
          }
          setAnswer(item, { na: true, reason: why });
        },
      });
      reason.addEventListener("keydown", (event) => {
        if (event.key === "Enter") naButton.click();
      });
      wrap.append(naButton, reason);
    }
    return wrap;
  }

  spec.pause_points.forEach((pp, ppIndex) => {
    const section = el("section", { class: "hb-pause", "aria-labelledby": `hb-${spec.id}-${pp.id}` }, [
      el("h3", { id: `hb-${spec.id}-${pp.id}`, class: "hb-pause-title", text: `${ppIndex + 1}. ${pp.title}` }),
      el("p", { class: "hb-when", text: pp.when }),
    ]);
    const list = el("ol", { class: "hb-items" });
    for (const item of pp.items) {
      if (item.hidden) continue;
      const status = el("span", { class: "hb-status", "aria-live": "polite" });
      const li = el("li", { class: `hb-item${item.critical ? " hb-critical" : ""}`, id: `hb-${spec.id}-${item.id}`, "data-item": item.id }, [
        el("div", { class: "hb-item-head" }, [
          item.critical ? el("span", { class: "hb-badge", text: "Critical" }) : null,
          el("span", { class: "hb-prompt", text: item.prompt }),
        ]),
        item.script ? el("p", { class: "hb-script" }, [el("strong", { text: "Say: " }), document.createTextNode(item.script)]) : null,
        item.help ? el("details", { class: "hb-help" }, [el("summary", { text: "Why and how" }), el("p", { text: item.help })]) : null,
        valueControl(item),
        status,
      ]);
      itemNodes[item.id] = { li, status, item };
      list.append(li);
    }
    section.append(list);
    root.append(section);
  });

  // A message sent for the whole checklist (complete, hold, resume): says so if no reply comes.
  function sendAction(message, notDone) {
    pending.send(message, () => say(`Not saved: no reply from the handbook server, so ${notDone}. Try again when the connection is back.`, "bad"));
  }

  const completeButton = el("button", {
    type: "button",
    class: "hb-complete",
    text: "Complete checklist",
    onclick: () => {
      const { openCritical } = progressOf(spec, answers);
      if (live) {
        sendAction({ type: "complete" }, "the checklist is not marked complete");
        return;
      }
      if (openCritical.length) {
        const names = openCritical.map((i) => i.prompt).join("; ");
        const n = openCritical.length;
        say(`Not complete: ${n} critical item${n > 1 ? "s" : ""} unanswered: ${names}`, "bad");
        itemNodes[openCritical[0].id].li.scrollIntoView({ block: "center" });
        return;
      }
      say("Checklist complete.", "ok");
    },
  });
  let runStatus = model.get("status") || "in-progress";
  const holdNoteId = `hb-${model.get("storage_key") || spec.id}-hold-note`;
  const holdNote = live ? el("p", { class: "hb-hold-note", id: holdNoteId, text: HOLD_NOTE }) : null;
  const holdButton = live
    ? el("button", {
        type: "button",
        class: "hb-reset hb-hold",
        text: "Hold here",
        "aria-describedby": holdNoteId,
        onclick: () => {
          if (runStatus === "on-hold") {
            sendAction({ type: "resume" }, "the checklist is still on hold");
            return;
          }
          const next = spec.pause_points.flatMap((pp) => pp.items).find((i) => !i.hidden && !answers[i.id]);
          sendAction({ type: "hold", item: next ? next.id : spec.pause_points[0].items[0].id }, "the checklist is not on hold");
        },
      })
    : null;
  const resetButton = live
    ? null
    : el("button", {
        type: "button",
        class: "hb-reset",
        text: "Clear my answers",
        onclick: () => {
          answers = {};
          save();
          say("Answers cleared.");
          refresh();
        },
      });
  const footer = el("footer", { class: "hb-foot" }, [completeButton, holdButton, holdNote, resetButton, alertBox]);
  const jobAid = model.get("job_aid_url");
  if (jobAid) {
    footer.append(
      el("p", { class: "hb-jobaid" }, [
        el("a", { href: jobAid, text: "Open the full job aid (saves a record for the case file)" }),
      ]),
    );
  }
  if (!live) {
    footer.append(el("p", { class: "hb-note", text: "Answers here stay in this browser only. Use the job aid for a record." }));
  }
  root.append(footer);
  host.append(root);

  function unsavedText(entry, item) {
    const what = entry.answer === null ? "cleared" : describe(entry.answer, item);
    let next = "It is kept in this browser and sent again by itself, or press “Retry saving”.";
    if (link && link.state === "gone") next = "It is kept in this browser; reopen the case to save it.";
    else if (link && link.state === "signin") next = "It is kept in this browser and sent again once you sign in again.";
    else if (entry.state === "kept") next = "It is kept here and saved with your next answer, or press “Retry saving”.";
    return `Not saved yet: ${what} · ${entry.at}. ${next}`;
  }

  function conflictNote(id) {
    const saved = answers[id];
    const now = saved ? `Saved there: ${describe(saved, itemNodes[id].item)}${saved.at ? ` · ${saved.at}` : ""}.` : "Nothing is saved for it.";
    return `Your answer was not saved: this checklist was changed in another tab or by another officer. ${now}`;
  }

  function refresh() {
    if (holdButton) {
      holdButton.textContent = runStatus === "on-hold" ? "Resume checklist" : "Hold here";
      holdNote.textContent = runStatus === "on-hold" ? ON_HOLD_NOTE : HOLD_NOTE;
      for (const b of root.querySelectorAll(".hb-option, .hb-input, .hb-complete")) b.disabled = runStatus === "on-hold";
    }
    const { answered, total, openCritical } = progressOf(spec, answers);
    const crit = openCritical.length;
    progressText.textContent = `${answered} of ${total} answered · ${crit} critical open`;
    bar.firstChild.style.width = total ? `${Math.round((100 * answered) / total)}%` : "0%";
    const gone = link !== null && link.state === "gone";
    for (const { li, status, item } of Object.values(itemNodes)) {
      const entry = live ? pending.entry(item.id) : undefined;
      const answer = shownAnswer(item.id);
      li.classList.toggle("hb-done", Boolean(answers[item.id]) && !entry);
      li.classList.toggle("hb-unsaved", Boolean(entry) && entry.state !== "sending");
      for (const button of li.querySelectorAll(".hb-option[data-value]")) {
        const v = answer && !answer.na ? answer.value : null;
        const on = Array.isArray(v) ? v.includes(button.dataset.value) : v === button.dataset.value;
        button.setAttribute("aria-pressed", on ? "true" : "false");
      }
      const na = li.querySelector(".hb-na");
      if (na) na.setAttribute("aria-pressed", answer && answer.na ? "true" : "false");
      const input = li.querySelector(".hb-value");
      if (input && answer && !answer.na && document.activeElement !== input) input.value = String(answer.value);
      if (entry && entry.state !== "sending") {
        status.textContent = "";
        status.className = "hb-status hb-error hb-not-saved";
        status.append(el("span", { class: "hb-icon", "aria-hidden": "true", text: "⚠ " }), unsavedText(entry, item));
        if (!gone) status.append(" ", el("button", { type: "button", class: "hb-retry", text: "Retry saving", onclick: () => pending.retryAll() }));
      } else if (errors[item.id]) {
        status.textContent = errors[item.id];
        status.className = "hb-status hb-error";
      } else if (entry) {
        status.textContent = "Saving…";
        status.className = "hb-status hb-pending";
      } else if (answer) {
        status.textContent = `${describe(answer, item)}${answer.at ? ` · ${answer.at}` : ""}${live ? " · saved" : ""}`;
        status.className = "hb-status hb-saved";
      } else {
        status.textContent = item.critical ? "Not answered (critical)" : "";
        status.className = "hb-status";
      }
    }
    if (live) {
      const count = pending.waitingCount();
      unsavedNote.hidden = count === 0;
      unsavedNote.textContent = count === 0 ? "" : `⚠ ${count === 1 ? "1 answer is" : `${count} answers are`} not saved yet.`
        + (gone ? " Reopen the case to save them." : "");
      retryButton.hidden = count === 0 || gone;
    }
  }

  if (live) {
    model.on("change:answers", () => {
      answers = { ...(model.get("answers") || {}) };
      refresh();
    });
    model.on("msg:custom", (msg) => {
      if (!msg || typeof msg !== "object") return;
      if (msg.status) runStatus = msg.status;
      const mine = pending.settle(msg);
      if (msg.conflict) {
        // Another tab saved first: the answers now shown are the store's; this one was not saved.
        if (msg.item && itemNodes[msg.item]) errors[msg.item] = conflictNote(msg.item);
      } else if (msg.type === "saved" || msg.type === "cleared") {
        if (msg.item) delete errors[msg.item];
      } else if ((msg.type === "rejected" && !(Array.isArray(msg.unsaved) && mine)) || msg.type === "stale") {
        if (msg.item) errors[msg.item] = msg.message;
      } else if (msg.type === "refreshed") {
        for (const id of Object.keys(errors)) delete errors[id];
      }
      if (msg.message) {
        const bad = msg.type === "rejected" || msg.type === "refused" || msg.type === "stale" || msg.type === "refreshed";
        say(msg.message, bad ? "bad" : msg.tone === "ok" ? "ok" : "info");
      }
      refresh();
    });
    // Back in this tab: ask whether the checklist was saved elsewhere meanwhile (not while the
    // page is locked: the officer is only looking at the lock screen).
    const check = () => pending.checkBack();
    document.addEventListener("visibilitychange", check);
    window.addEventListener("focus", check);
    refresh();
    return () => {
      pending.stop();
      document.removeEventListener("visibilitychange", check);
      window.removeEventListener("focus", check);
    };
  }
  refresh();
}

export default { render };
