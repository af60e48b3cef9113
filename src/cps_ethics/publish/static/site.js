/* The study site's script: instant practice feedback, progress kept in this browser, random practice sets.
   Content reaches the page only as text (textContent), never as HTML. No server, works from file://. */
(function () {
  "use strict";
  var KEY = "cps-study-v1";
  var LAST_SET = "cps-study-last-set";
  var VERDICT = { best: "A strong choice.", acceptable: "Partly there.", harmful: "Think again." };
  var data = JSON.parse(document.getElementById("cps-data").textContent);
  var pageKind = document.body.getAttribute("data-page");
  var storageOk = true;

  function load() {
    try {
      var s = JSON.parse(window.localStorage.getItem(KEY) || "null");
      if (s && s.v === 1 && typeof s.items === "object" && typeof s.scenarios === "object") return s;
    } catch (e) { storageOk = false; }
    return { v: 1, items: {}, scenarios: {} };
  }
  var state = load();

  function save() {
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { storageOk = false; }
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  /* ---- practice questions ---- */
  function valueOf(form, item) {
    if (item.type === "single") {
      var c = form.querySelector("input:checked");
      return c ? c.value : null;
    }
    if (item.type === "multiple") {
      return Array.prototype.map.call(form.querySelectorAll("input:checked"), function (i) { return i.value; });
    }
    var sels = form.querySelectorAll("select");
    if (item.type === "matching") {
      var v = {};
      each(sels, function (s) { if (s.value) v[s.id.split("--")[1]] = s.value; });
      return v;
    }
    return Array.prototype.map.call(sels, function (s) { return s.value || null; });
  }

  function setValue(form, item, value) {
    if (item.type === "single" || item.type === "multiple") {
      each(form.querySelectorAll("input"), function (i) {
        i.checked = item.type === "single" ? i.value === value : value.indexOf(i.value) >= 0;
      });
    } else if (item.type === "matching") {
      each(form.querySelectorAll("select"), function (s) { s.value = value[s.id.split("--")[1]] || ""; });
    } else {
      each(form.querySelectorAll("select"), function (s, n) { s.value = value[n] || ""; });
    }
  }

  function judge(item, value) {
    var t = item.type;
    if (t === "single") {
      if (!value || !item.options[value]) return { done: false, head: "Choose an answer first." };
      var o = item.options[value];
      return { done: true, right: o.rating === "best", head: VERDICT[o.rating], lines: [o.feedback],
               why: o.rating === "best" ? item.rationale : null };
    }
    if (t === "multiple") {
      if (!value.length) return { done: false, head: "Tick at least one box first." };
      var want = Object.keys(item.options).filter(function (k) { return item.options[k].correct; }).sort();
      var full = value.slice().sort().join("|") === want.join("|");
      return { done: true, right: full, head: full ? "That is the full set." : "Keep going, or look again.",
               lines: value.map(function (k) { return item.options[k].text + ": " + item.options[k].feedback; }),
               why: full ? item.rationale : null };
    }
    if (t === "matching") {
      var pairs = Object.keys(item.pairs);
      if (Object.keys(value).length < pairs.length) {
        return { done: false, head: "Choose a match for every one to see feedback." };
      }
      var n = pairs.filter(function (p) { return value[p] === item.pairs[p]; }).length;
      return { done: true, right: n === pairs.length, head: n + " of " + pairs.length + " matched well.",
               lines: [], why: item.rationale };
    }
    if (value.indexOf(null) >= 0) return { done: false, head: "Fill every step to see feedback." };
    var ok = value.join("|") === item.answer.join("|");
    return { done: true, right: ok, head: ok ? "That order works." : "Not quite.", lines: [], why: item.rationale };
  }

  function show(box, fb) {
    box.textContent = "";
    box.className = "feedback" + (fb.done ? (fb.right ? " good" : " try") : "");
    var head = el("p");
    head.appendChild(el("strong", fb.head));
    box.appendChild(head);
    if (fb.lines && fb.lines.length > 1) {
      var ul = el("ul");
      fb.lines.forEach(function (l) { ul.appendChild(el("li", l)); });
      box.appendChild(ul);
    } else if (fb.lines && fb.lines.length) {
      box.appendChild(el("p", fb.lines[0]));
    }
    if (fb.why) box.appendChild(el("p", "Why: " + fb.why));
  }

  each(document.querySelectorAll("form.practice"), function (form) {
    var id = form.getAttribute("data-item");
    var item = data.items[id];
    var box = form.querySelector(".feedback");
    if (!item) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var value = valueOf(form, item);
      var fb = judge(item, value);
      show(box, fb);
      if (fb.done) {
        state.items[id] = { value: value, right: fb.right };
        save();
        refreshProgress();
      }
    });
    var saved = state.items[id];
    if (pageKind === "module" && saved) {
      try { setValue(form, item, saved.value); show(box, judge(item, saved.value)); } catch (e) { /* old data */ }
    }
  });

  /* ---- practice scenarios ---- */
  each(document.querySelectorAll("section.practice-scenario"), function (sec) {
    var id = sec.getAttribute("data-scenario");
    var sc = data.scenarios[id];
    if (!sc) return;
    var steps = sec.querySelector(".steps");
    var restart = sec.querySelector(".restart");
    function node(nid) { return steps.querySelector('.node[data-node="' + nid + '"]'); }

    function lock(e, n, oid) {
      var form = e.querySelector("form");
      each(form.querySelectorAll("input"), function (i) { i.checked = i.value === oid; i.disabled = true; });
      form.querySelector("button").hidden = true;
      var opt = sc.nodes[n].options[oid];
      show(form.querySelector(".feedback"), { done: true, right: opt.rating === "best", head: "You chose: " + opt.text,
                                              lines: [VERDICT[opt.rating] + " " + opt.feedback] });
    }

    function unlock(e) {
      var form = e.querySelector("form");
      if (!form) return;
      each(form.querySelectorAll("input"), function (i) { i.checked = false; i.disabled = false; });
      form.querySelector("button").hidden = false;
      var box = form.querySelector(".feedback");
      box.textContent = "";
      box.className = "feedback";
    }

    function render(path, focus) {
      each(steps.querySelectorAll(".node"), function (e) { e.hidden = true; });
      var nid = sc.start, kept = [];
      for (var k = 0; k < path.length; k++) {
        var step = path[k];
        if (!step || step[0] !== nid || !sc.nodes[nid].options[step[1]]) break;
        kept.push([nid, step[1]]);
        nid = sc.nodes[nid].options[step[1]].next;
      }
      kept.forEach(function (s, n) {
        var e = node(s[0]);
        steps.appendChild(e);
        e.hidden = false;
        e.querySelector(".step-label").textContent = "Step " + (n + 1);
        lock(e, s[0], s[1]);
      });
      var cur = node(nid);
      var ending = Object.keys(sc.nodes[nid].options).length === 0;
      steps.appendChild(cur);
      cur.hidden = false;
      cur.querySelector(".step-label").textContent = ending ? "How it ends" : "Step " + (kept.length + 1);
      unlock(cur);
      restart.hidden = kept.length === 0;
      if (focus) cur.focus();
      return { path: kept, done: ending };
    }

    steps.addEventListener("submit", function (ev) {
      var form = ev.target.closest("form.decision");
      if (!form) return;
      ev.preventDefault();
      var picked = form.querySelector("input:checked");
      if (!picked) { show(form.querySelector(".feedback"), { done: false, head: "Choose an option first." }); return; }
      var before = state.scenarios[id] ? state.scenarios[id].path : [];
      state.scenarios[id] = render(before.concat([[form.getAttribute("data-node"), picked.value]]), true);
      save();
      refreshProgress();
    });
    restart.addEventListener("click", function () {
      state.scenarios[id] = render([], true);
      save();
      refreshProgress();
    });
    if (pageKind === "module" && state.scenarios[id]) render(state.scenarios[id].path || [], false);
  });

  /* ---- progress ---- */
  function counts(mid) {
    var m = data.modules[mid], done = 0;
    m.items.forEach(function (i) { if (state.items[i]) done += 1; });
    m.scenarios.forEach(function (s) { if (state.scenarios[s] && state.scenarios[s].done) done += 1; });
    return [done, m.items.length + m.scenarios.length];
  }

  function refreshProgress() {
    var all = [0, 0];
    Object.keys(data.modules).forEach(function (mid) {
      var c = counts(mid);
      all[0] += c[0];
      all[1] += c[1];
    });
    each(document.querySelectorAll("[data-progress-module]"), function (e) {
      var c = counts(e.getAttribute("data-progress-module"));
      var lead = pageKind === "module" ? "Your progress in this module: " : "";
      e.textContent = lead + c[0] + " of " + c[1] + " practice parts done.";
    });
    var total = document.getElementById("progress-total");
    if (total) {
      total.textContent = storageOk
        ? "You have done " + all[0] + " of " + all[1] + " practice parts in the whole course."
        : "This browser is not keeping your progress (its storage is turned off).";
    }
  }

  var clear = document.getElementById("clear-progress");
  if (clear) {
    clear.addEventListener("click", function () {
      if (!window.confirm("Clear all your answers and progress on this device?")) return;
      state = { v: 1, items: {}, scenarios: {} };
      save();
      refreshProgress();
      document.getElementById("clear-status").textContent = "Your progress on this device is cleared.";
    });
  }

  /* ---- the practice set: a new random set each time, avoiding the last set's questions ---- */
  var set = document.getElementById("practice-set");
  if (set) {
    var cards = Array.prototype.slice.call(set.querySelectorAll(".practice-item"));
    var size = Math.min(parseInt(set.getAttribute("data-size"), 10) || 5, cards.length);
    each(cards, function (c) {
      var h = c.querySelector(".card-title");
      h.setAttribute("data-title", h.textContent);
    });
    var shuffle = function (a) {
      for (var i = a.length - 1; i > 0; i--) {
        var j = Math.floor(Math.random() * (i + 1)), t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      return a;
    };
    var draw = function (announce) {
      var last = [];
      try { last = JSON.parse(window.localStorage.getItem(LAST_SET) || "[]"); } catch (e) { last = []; }
      var fresh = shuffle(cards.filter(function (c) { return last.indexOf(c.id) < 0; }));
      var again = shuffle(cards.filter(function (c) { return last.indexOf(c.id) >= 0; }));
      var pick = fresh.concat(again).slice(0, size);
      each(cards, function (c) {
        c.hidden = true;
        c.querySelector("form").reset();
        var box = c.querySelector(".feedback");
        box.textContent = "";
        box.className = "feedback";
      });
      pick.forEach(function (c, n) {
        var h = c.querySelector(".card-title");
        h.textContent = "Question " + (n + 1) + " of " + size + ". " + h.getAttribute("data-title");
        set.appendChild(c);
        c.hidden = false;
      });
      try { window.localStorage.setItem(LAST_SET, JSON.stringify(pick.map(function (c) { return c.id; }))); }
      catch (e) { storageOk = false; }
      if (announce === true) {
        document.getElementById("set-status").textContent = "A new set of " + size + " questions is ready.";
      }
    };
    draw(false);
    document.getElementById("new-set").addEventListener("click", function () { draw(true); });
  }

  refreshProgress();
})();
