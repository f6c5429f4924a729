// A live checklist's answers on their way to the records store (joined in front of
// checklist.js, after kernel_link.js; it exports nothing itself).
//
// Each answer given on the page is kept here, and in the browser's storage, until Python
// replies that the store saved it. No reply within SAVE_WAIT_MS: the answer is "unsaved" and
// is sent again, with the time it was given, once the connection is back, when the idle lock
// is lifted, every RESEND_MS while the link works, on "Retry saving", or after "Reopen the
// case" (the storage outlives the page).
// Python answers every message in the order it came. So a reply to one message means every
// earlier message still unanswered will never be answered (the server dropped it: the page was
// locked there): those answers are sent again at once. A message still unanswered on a working
// link may also be waiting behind a slow save (a locked database); rather than queue a second
// save behind it, the periodic resend first sends a cheap question ("check"), whose reply tells
// which it was.
// "kept" answers are ones the records store refused: Python keeps them and saves them with
// the next save, so they are sent again only on "Retry saving".
// Nothing is sent while the page is locked (link.ready() is false): the server would drop it.

const SAVE_WAIT_MS = 5000;
const RESEND_MS = 10000;

function browserKept(key) {
  function read() {
    try {
      const found = JSON.parse(window.localStorage.getItem(key) || "{}");
      return found && typeof found === "object" ? found : {};
    } catch (e) {
      return {};
    }
  }
  function write(all) {
    try {
      if (Object.keys(all).length) window.localStorage.setItem(key, JSON.stringify(all));
      else window.localStorage.removeItem(key);
    } catch (e) {
      /* storage full or blocked: the answer is still kept on this page */
    }
  }
  return {
    read,
    keep(id, entry) {
      const all = read();
      all[id] = { answer: entry.answer, at: entry.at, given: entry.given };
      write(all);
    },
    forget(id, given) {
      const all = read();
      if (all[id] && all[id].given === given) {
        delete all[id];
        write(all);
      }
    },
  };
}

// `onChange` redraws the checklist; `at` is the clock time shown beside an answer.
function liveAnswers(model, key, { onChange, at }) {
  const waiting = {}; // message number -> {timer, noReply} until its reply comes
  const late = new Set(); // messages that got no reply in time (a slow kernel may still answer)
  const local = {}; // item id -> {answer (null: cleared), at, given, seqs, state: sending|unsaved|kept}
  let seq = 0;
  let asked = 0; // the number of the last "check" sent to learn whether late messages were dropped
  let lastCheck = 0;
  const stored = browserKept(key);
  for (const [id, entry] of Object.entries(stored.read())) {
    if (entry && typeof entry.given === "string") local[id] = { ...entry, seqs: [], state: "unsaved" };
  }
  const link = kernelLink(model, (state) => {
    if (state === "connected") {
      late.clear(); // back after a lost connection: what was sent before may never be answered
      resendUnanswered();
    }
    onChange();
  });

  function send(message, noReply) {
    seq += 1;
    const n = seq;
    const timer = setTimeout(() => {
      delete waiting[n];
      late.add(n);
      noReply(n);
      link.check();
      onChange();
    }, SAVE_WAIT_MS);
    waiting[n] = { timer, noReply };
    try {
      model.send({ ...message, seq: n });
    } catch (e) {
      /* the connection is closed: the timer above reports it */
    }
    return n;
  }

  // The kernel answered message `n`: every earlier message it has not answered was dropped.
  // True when there were any.
  function droppedBefore(n) {
    let dropped = false;
    for (const key of Object.keys(waiting)) {
      const earlier = Number(key);
      if (earlier >= n) continue;
      clearTimeout(waiting[earlier].timer);
      const { noReply } = waiting[earlier];
      delete waiting[earlier];
      noReply(earlier);
      dropped = true;
    }
    for (const earlier of Array.from(late)) {
      if (earlier < n) {
        late.delete(earlier);
        dropped = true;
      }
    }
    return dropped;
  }

  function transmit(id) {
    const entry = local[id];
    entry.state = "sending";
    const message = entry.answer === null ? { type: "clear", item: id } : { type: "answer", item: id, answer: entry.answer };
    const n = send({ ...message, given_at: entry.given, sent_at: new Date().toISOString() }, () => {
      if (local[id] === entry && entry.state === "sending" && entry.seqs[entry.seqs.length - 1] === n) {
        entry.state = "unsaved";
      }
    });
    entry.seqs.push(n);
  }

  function drop(id) {
    const entry = local[id];
    if (!entry) return;
    delete local[id];
    stored.forget(id, entry.given);
  }

  // Send every answer that waits again (oldest first), with the time it was given. Not while the
  // page is locked: the server would drop it.
  function retryAll() {
    if (pageLocked()) return;
    const ids = Object.keys(local).filter((id) => local[id].state !== "sending");
    ids.sort((a, b) => local[a].given.localeCompare(local[b].given));
    for (const id of ids) transmit(id);
    onChange();
  }

  function resendUnanswered() {
    if (Object.values(local).some((entry) => entry.state === "unsaved")) retryAll();
  }

  // Resend what got no reply. While a message is still unanswered on a working link, ask first:
  // the kernel may be busy (a locked database, say) and answer in turn, and another save would
  // only queue behind it. The question's reply settles every earlier message (see settle).
  function nudge() {
    if (!link.ready()) return;
    if (late.size === 0) resendUnanswered();
    else if (waiting[asked] === undefined) asked = send({ type: "check" }, () => {});
  }

  const again = setInterval(nudge, RESEND_MS);
  const stopListening = onIdleUnlock(() => {
    nudge();
    onChange();
  });
  if (Object.keys(local).length && link.ready()) setTimeout(retryAll, 0);

  return {
    link,
    send,
    retryAll,
    entry: (id) => local[id],
    waitingCount: () => Object.values(local).filter((entry) => entry.state !== "sending").length,
    give(id, answer) {
      const entry = { answer, at: at(), given: new Date().toISOString(), seqs: [], state: "sending" };
      local[id] = entry;
      stored.keep(id, entry);
      transmit(id);
    },
    // The tab is back in view: ask whether the checklist was saved elsewhere meanwhile (no
    // timer: an open tab nobody looks at leaves its kernel idle). Not while locked, not while a
    // save is on its way, at most every 2 s.
    checkBack() {
      if (document.visibilityState !== "visible" || !link.ready() || Date.now() - lastCheck < 2000) return;
      if (Object.values(local).some((entry) => entry.state === "sending")) return;
      lastCheck = Date.now();
      send({ type: "check" }, () => {});
    },
    // A reply from Python: what it means for the answers waiting here. True when it answers
    // the item's latest sending (the reply is about this page's answer).
    settle(msg) {
      let dropped = false;
      if (typeof msg.seq === "number") {
        if (waiting[msg.seq] !== undefined) {
          clearTimeout(waiting[msg.seq].timer);
          delete waiting[msg.seq];
        }
        late.delete(msg.seq);
        dropped = droppedBefore(msg.seq);
      }
      const entry = msg.item ? local[msg.item] : null;
      const mine = Boolean(entry) && entry.seqs.includes(msg.seq);
      const keptByPython = Object.keys(local).filter((id) => local[id].state === "kept");
      if (msg.type === "saved" || msg.type === "cleared") {
        // One save stores this answer and every answer Python kept from a failed save.
        if (mine) drop(msg.item);
        keptByPython.forEach(drop);
      } else if (msg.type === "rejected" && Array.isArray(msg.unsaved) && !msg.conflict) {
        // The records store failed: Python keeps these answers until a save works.
        for (const id of msg.unsaved) if (local[id]) local[id].state = "kept";
        if (mine && !msg.unsaved.includes(msg.item)) drop(msg.item);
      } else if (msg.type === "rejected" || msg.type === "stale") {
        if (mine) drop(msg.item);
        if (msg.conflict) keptByPython.forEach(drop); // Python dropped them when it reloaded
      }
      link.heard(); // after the answers above are settled: a link back up resends what still waits
      if (dropped && late.size === 0 && link.ready()) resendUnanswered();
      return mine;
    },
    stop() {
      clearInterval(again);
      stopListening();
      for (const { timer } of Object.values(waiting)) clearTimeout(timer);
      link.stop();
    },
  };
}
