// A live checklist's answers on their way to the records store (joined in front of
// checklist.js, after kernel_link.js; it exports nothing itself).
//
// Each answer given on the page is kept here, and in the browser's storage, until Python
// replies that the store saved it. No reply within SAVE_WAIT_MS: the answer is "unsaved" and
// is sent again, with the time it was given, once the connection is back, every RESEND_MS while
// it is up and nothing sent is still unanswered, on "Retry saving", or after "Reopen the case"
// (the storage outlives the page).
// "kept" answers are ones the records store refused: Python keeps them and saves them with
// the next save, so they are sent again only on "Retry saving".

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
  const waiting = {}; // message number -> its reply timer
  const late = new Set(); // messages that got no reply in time (a slow kernel may still answer)
  const local = {}; // item id -> {answer (null: cleared), at, given, seqs, state: sending|unsaved|kept}
  let seq = 0;
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
    waiting[n] = setTimeout(() => {
      delete waiting[n];
      late.add(n);
      noReply(n);
      link.check();
      onChange();
    }, SAVE_WAIT_MS);
    try {
      model.send({ ...message, seq: n });
    } catch (e) {
      /* the connection is closed: the timer above reports it */
    }
    return n;
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

  // Send every answer that waits again (oldest first), with the time it was given.
  function retryAll() {
    const ids = Object.keys(local).filter((id) => local[id].state !== "sending");
    ids.sort((a, b) => local[a].given.localeCompare(local[b].given));
    for (const id of ids) transmit(id);
    onChange();
  }

  function resendUnanswered() {
    if (Object.values(local).some((entry) => entry.state === "unsaved")) retryAll();
  }

  // Not while a message is still unanswered on a working connection: the kernel is busy (a
  // locked database, say) and answers in turn; sending again would only queue behind it.
  const again = setInterval(() => {
    if (link.ready() && late.size === 0) resendUnanswered();
  }, RESEND_MS);
  if (Object.keys(local).length && link.ready()) setTimeout(retryAll, 0);

  return {
    link,
    send,
    retryAll,
    entry: (id) => local[id],
    waitingCount: () => Object.values(local).filter((entry) => entry.state !== "sending").length,
    sending: () => Object.values(local).some((entry) => entry.state === "sending"),
    give(id, answer) {
      const entry = { answer, at: at(), given: new Date().toISOString(), seqs: [], state: "sending" };
      local[id] = entry;
      stored.keep(id, entry);
      transmit(id);
    },
    // A reply from Python: what it means for the answers waiting here. True when it answers
    // the item's latest sending (the reply is about this page's answer).
    settle(msg) {
      if (typeof msg.seq === "number" && waiting[msg.seq] !== undefined) {
        clearTimeout(waiting[msg.seq]);
        delete waiting[msg.seq];
      }
      late.delete(msg.seq);
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
      return mine;
    },
    stop() {
      clearInterval(again);
      for (const timer of Object.values(waiting)) clearTimeout(timer);
      link.stop();
    },
  };
}
