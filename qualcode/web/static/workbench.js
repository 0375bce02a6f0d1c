/* qualcode workbench: review with the keyboard, code selected words, keep the panels fresh.
 *
 * Written for qualcode, no library.  Text from a transcript is never turned into HTML here:
 * the server draws every turn and panel (escaped by its templates) and this script only
 * swaps those fragments in (parsed by DOMParser) or sets textContent.
 */
(function () {
  "use strict";

  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var MESSAGE_KEY = "qualcode-message";

  function say(text, isError) {
    var box = document.getElementById("status");
    if (!box) { return; }
    box.textContent = text || "";
    box.classList.toggle("error", Boolean(isError));
  }

  function request(url, body) {
    var options = {credentials: "same-origin", headers: {"X-CSRF-Token": csrf}};
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var data;
        try { data = JSON.parse(text); } catch (e) { data = {error: text || response.statusText}; }
        if (!response.ok) { throw new Error(data.error || ("the server answered " + response.status)); }
        return data;
      });
    });
  }

  function fragment(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    return Array.prototype.map.call(parsed.body.childNodes, function (node) {
      return document.importNode(node, true);
    });
  }

  function codePoints(text) { return Array.from(text).length; }

  function turnOf(el) { return el && el.closest ? el.closest("article.turn") : null; }

  /* ------------------------------------------------------------ learning buttons */
  function wireLearning(root) {
    var train = root.querySelector("#train");
    var uncertain = root.querySelector("#uncertain");
    if (train) {
      train.addEventListener("click", function () {
        train.disabled = true;
        say("Training the model on your decisions; this can take a minute\u2026");
        request("/api/train", {}).then(function (data) {
          sessionStorage.setItem(MESSAGE_KEY, data.message);
          window.location.reload();
        }).catch(function (err) { train.disabled = false; say(err.message, true); });
      });
    }
    if (uncertain) {
      uncertain.addEventListener("click", function () {
        request("/api/uncertain").then(function (data) {
          sessionStorage.setItem(MESSAGE_KEY, "The model is least sure about turn " + data.turn + " of " + data.document + ".");
          window.location.assign(data.url);
          if (window.location.pathname + window.location.hash === data.url) { window.location.reload(); }
        }).catch(function (err) { say(err.message, true); });
      });
    }
  }

  var agreementPanel = document.getElementById("agreement");
  var agreementTimer = null;
  function loadAgreement() {
    if (!agreementPanel || !agreementPanel.dataset.src) { return; }
    fetch(agreementPanel.dataset.src, {credentials: "same-origin"}).then(function (response) {
      return response.ok ? response.text() : Promise.reject(new Error("agreement: " + response.status));
    }).then(function (html) {
      agreementPanel.replaceChildren.apply(agreementPanel, fragment(html));
      wireLearning(agreementPanel);
      agreementPanel.setAttribute("data-loaded", String(Date.now()));
    }).catch(function () { /* the panel keeps its link to the full page */ });
  }
  function refreshAgreementSoon() {
    window.clearTimeout(agreementTimer);
    agreementTimer = window.setTimeout(loadAgreement, 700);
  }

  /* ------------------------------------------------------------ coding selected words
     Selecting words in a turn (or c) opens a type-ahead list of the codebook's codes;
     onChoose(the span, the code) is called with the choice. */
  function codePicker(box, onChoose) {
    var panel = document.getElementById("picker");
    var input = document.getElementById("picker-input");
    var list = document.getElementById("picker-list");
    var codes = JSON.parse((document.getElementById("codes-data") || {}).textContent || "[]");
    var target = null;
    var options = [];
    var active = 0;

    /* A point of the page as a character offset in the document's text: the turn's own
       offset plus the characters (code points, as the server counts) before the point. */
    function pointOf(node, offset, text) {
      var before = document.createRange();
      before.setStart(text, 0);
      before.setEnd(node, offset);
      return Number(text.dataset.start) + codePoints(before.toString());
    }

    function textEnd(text) {
      return Number(text.dataset.start) + codePoints(text.textContent);
    }

    function selectionTarget() {
      var selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return null; }
      var range = selection.getRangeAt(0);
      var startNode = range.startContainer.nodeType === Node.TEXT_NODE ? range.startContainer.parentElement : range.startContainer;
      var endNode = range.endContainer.nodeType === Node.TEXT_NODE ? range.endContainer.parentElement : range.endContainer;
      var text = startNode.closest ? startNode.closest("p.text") : null;
      if (!text || !box.contains(text)) { return null; }
      var endText = endNode.closest ? endNode.closest("p.text") : null;
      if (endText && endText !== text) { return {problem: "Select words within one turn: code one turn at a time."}; }
      var turn = turnOf(text);
      if (turn.classList.contains("fac")) { return {problem: "Facilitator turns are not coded."}; }
      var start = pointOf(range.startContainer, range.startOffset, text);
      var end = endText ? pointOf(range.endContainer, range.endOffset, text) : textEnd(text);
      if (end <= start) { return null; }
      return {start: start, end: end, turn: turn, rect: range.getBoundingClientRect(), range: range.cloneRange()};
    }

    function wholeTurn(turn) {
      var text = turn.querySelector("p.text");
      var range = document.createRange();
      range.selectNodeContents(text);
      return {start: Number(text.dataset.start), end: textEnd(text), turn: turn,
              rect: text.getBoundingClientRect(), range: range};
    }

    function ranked(query) {
      var q = query.trim().toLowerCase();
      if (!q) { return codes.slice(); }
      var scored = [];
      codes.forEach(function (code, order) {
        var id = code.id.toLowerCase(), name = code.name.toLowerCase(), score = -1;
        if (id === q) { score = 0; }
        else if (id.split(".").some(function (part) { return part.indexOf(q) === 0; })) { score = 1; }
        else if (name.split(/[^a-z0-9]+/).some(function (word) { return word.indexOf(q) === 0; })) { score = 2; }
        else if (id.indexOf(q) >= 0 || name.indexOf(q) >= 0) { score = 3; }
        if (score >= 0) { scored.push([score, order, code]); }
      });
      scored.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      return scored.map(function (s) { return s[2]; });
    }

    function drawOptions() {
      options = ranked(input.value);
      active = Math.min(active, Math.max(options.length - 1, 0));
      list.replaceChildren();
      options.forEach(function (code, i) {
        var item = document.createElement("li");
        item.id = "pick-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", i === active ? "true" : "false");
        item.className = "depth-" + Number(code.depth);
        var name = document.createElement("span");
        name.textContent = code.name;
        var id = document.createElement("code");
        id.textContent = code.id;
        item.append(name, id);
        item.addEventListener("mousedown", function (e) { e.preventDefault(); choose(code); });
        list.append(item);
      });
      if (options.length) {
        input.setAttribute("aria-activedescendant", "pick-" + active);
        var shown = document.getElementById("pick-" + active);
        if (shown) { shown.scrollIntoView({block: "nearest"}); }
      } else {
        input.removeAttribute("aria-activedescendant");
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = "no code matches";
        list.append(none);
      }
    }

    /* the words being coded stay marked while the picker has the focus */
    function markPending(range) {
      if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") { return; }
      if (range) { CSS.highlights.set("qc-pending", new Highlight(range)); } else { CSS.highlights.delete("qc-pending"); }
    }

    function openPicker(found) {
      target = found;
      markPending(found.range);
      input.value = "";
      active = 0;
      drawOptions();
      panel.hidden = false;
      var top = found.rect.bottom + window.scrollY + 6;
      var left = Math.min(found.rect.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - panel.offsetWidth - 12);
      panel.style.top = top + "px";
      panel.style.left = Math.max(left, 8) + "px";
      input.focus();
    }

    function closePicker(refocus) {
      panel.hidden = true;
      markPending(null);
      var turn = target && target.turn;
      target = null;
      if (refocus && turn) { (turn.querySelector("button.chip") || turn).focus({preventScroll: true}); }
    }

    function choose(code) {
      if (!target || !code) { return; }
      var found = target;
      closePicker(false);
      window.getSelection().removeAllRanges();
      onChoose(found, code);
    }

    input.addEventListener("input", function () { active = 0; drawOptions(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); active = Math.min(active + 1, options.length - 1); drawOptions(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); active = Math.max(active - 1, 0); drawOptions(); }
      else if (e.key === "Enter") { e.preventDefault(); choose(options[active]); }
      else if (e.key === "Escape") { e.preventDefault(); closePicker(true); }
    });
    input.addEventListener("blur", function () { window.setTimeout(function () { if (!panel.contains(document.activeElement)) { closePicker(false); } }, 150); });

    function forSelection() {
      var found = selectionTarget();
      if (found && found.problem) { say(found.problem, true); return true; }
      if (found) { openPicker(found); return true; }
      return false;
    }

    box.addEventListener("mouseup", function () { window.setTimeout(forSelection, 0); });
    return {forSelection: forSelection, forTurn: function (turn) { openPicker(wholeTurn(turn)); }};
  }

  /* ------------------------------------------------------------ the transcript */
  function review(box) {
    var documentId = Number(box.dataset.document);
    var view = {document: documentId, names: box.dataset.names || "", tagger: box.dataset.tagger || ""};
    var stops = [];
    var current = -1;
    var busy = false;

    function collect() {
      stops = [];
      box.querySelectorAll("article.turn:not(.fac)").forEach(function (turn) {
        var chips = turn.querySelectorAll("button.chip");
        if (chips.length) { chips.forEach(function (chip) { stops.push(chip); }); } else { stops.push(turn); }
      });
    }

    function focusStop(i) {
      if (!stops.length) { return; }
      current = Math.max(0, Math.min(i, stops.length - 1));
      var el = stops[current];
      el.focus({preventScroll: true});
      el.scrollIntoView({block: "center"});
    }

    function lightUp(el) {
      box.querySelectorAll(".lit, .hit").forEach(function (p) { p.classList.remove("lit", "hit"); });
      if (!el || !el.dataset || !el.dataset.coding) { return; }
      var turn = turnOf(el);
      var id = el.dataset.coding;
      turn.querySelectorAll('[data-c~="' + id + '"]').forEach(function (p) { p.classList.add("lit"); });
      turn.querySelectorAll('[data-w~="' + id + '"]').forEach(function (p) { p.classList.add("hit"); });
    }

    box.addEventListener("focusin", function (e) {
      var i = stops.indexOf(e.target);
      if (i >= 0) { current = i; }
      box.querySelectorAll("article.current").forEach(function (a) { a.classList.remove("current"); });
      var turn = turnOf(e.target);
      if (turn) { turn.classList.add("current"); }
      lightUp(e.target);
    });
    box.addEventListener("mouseover", function (e) {
      var chip = e.target.closest ? e.target.closest("button.chip") : null;
      if (chip) { lightUp(chip); }
    });

    function showProgress(p) {
      var doc = p.document, all = p.all;
      var bar = document.getElementById("p-doc");
      if (bar) { bar.max = doc.turns; bar.value = doc.reviewed; }
      var set = function (id, text) { var el = document.getElementById(id); if (el) { el.textContent = text; } };
      set("p-doc-text", doc.reviewed + " of " + doc.turns + " turns reviewed");
      set("p-sug-text", doc.decided + " of " + doc.suggestions + " suggestions decided");
      set("p-all-text", "all documents: " + all.reviewed + " of " + all.turns + " turns");
    }

    function apply(data, after) {
      if (data.turn_html) {
        var old = box.querySelector('article[data-segment="' + Number(data.segment) + '"]');
        var fresh = fragment(data.turn_html).filter(function (n) { return n.nodeType === 1; })[0];
        if (old && fresh) { old.replaceWith(fresh); }
      }
      collect();
      if (data.progress) { showProgress(data.progress); }
      var elsewhere = data.document !== undefined && data.document !== documentId;
      say(data.message + (elsewhere ? " (in another document)" : ""));
      after(data);
      refreshAgreementSoon();
    }

    function send(url, body, after) {
      if (busy) { return; }
      busy = true;
      say("Saving\u2026");
      body.view = view;
      request(url, body).then(function (data) { apply(data, after); })
        .catch(function (err) { say(err.message, true); })
        .then(function () { busy = false; });
    }

    function focusCoding(id, step) {
      var chip = box.querySelector('button.chip[data-coding="' + Number(id) + '"]');
      var i = chip ? stops.indexOf(chip) : -1;
      focusStop(i >= 0 ? i + step : current);
    }

    function focusTurn(segment) {
      var turn = box.querySelector('article[data-segment="' + Number(segment) + '"]');
      if (!turn) { return; }
      var first = turn.querySelector("button.chip") || turn;
      var i = stops.indexOf(first);
      if (i >= 0) { focusStop(i); } else { turn.focus(); }
    }

    function decide(key) {
      var el = stops[current];
      if (!el || document.activeElement !== el || !el.dataset.coding) {
        say("No suggestion is selected: j and k move to one; c codes the whole turn.", true);
        return;
      }
      var own = el.dataset.kind === "own";
      if (key === "a" && own) { say("This is your own code already."); return; }
      var action = key === "a" ? "accept" : (own ? "remove" : "reject");
      var id = el.dataset.coding;
      var position = current;
      send("/api/decide", {action: action, coding: Number(id)}, function () {
        if (action === "remove") { focusStop(position); } else { focusCoding(id, 1); }
      });
    }

    function markReviewed() {
      var turn = turnOf(stops[current]) || turnOf(document.activeElement);
      if (!turn || turn.classList.contains("fac")) { say("Move to a turn first (j / k).", true); return; }
      send("/api/decide", {action: "reviewed", segment: Number(turn.dataset.segment)}, function (data) {
        focusTurn(data.segment);
      });
    }

    function undo() {
      send("/api/undo", {}, function (data) {
        if (data.segment !== undefined && data.document === documentId) { focusTurn(data.segment); }
      });
    }

    function nextUndecided() {
      for (var i = current + 1; i < stops.length; i += 1) {
        if (stops[i].dataset.status === "suggested") { focusStop(i); return; }
      }
      say("No undecided suggestion below this point.");
    }

    var picker = codePicker(box, function (found, code) {
      send("/api/code", {document: documentId, start: found.start, end: found.end, code: code.id}, function (data) {
        focusTurn(data.segment);
      });
    });

    document.addEventListener("keydown", function (e) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) { return; }
      var t = e.target;
      if (t.closest && t.closest("input, select, textarea, #picker")) { return; }
      var key = e.key;
      if (key === "j") { e.preventDefault(); focusStop(current + 1); }
      else if (key === "k") { e.preventDefault(); focusStop(current < 0 ? 0 : current - 1); }
      else if (key === "n") { e.preventDefault(); nextUndecided(); }
      else if (key === "a" || key === "x") { e.preventDefault(); decide(key); }
      else if (key === "u") { e.preventDefault(); undo(); }
      else if (key === "r") { e.preventDefault(); markReviewed(); }
      else if (key === "c") {
        e.preventDefault();
        if (!picker.forSelection()) {
          var turn = turnOf(stops[current]);
          if (turn) { picker.forTurn(turn); } else { say("Move to a turn first (j / k), or select words.", true); }
        }
      } else if (key === "?") {
        var keys = document.getElementById("keys");
        if (keys) { keys.open = !keys.open; }
      }
    });

    collect();
    var hash = window.location.hash.match(/^#t(\d+)$/);
    if (hash) {
      var turn = document.getElementById("t" + hash[1]);
      if (turn) { focusTurn(turn.dataset.segment); }
    }
    box.setAttribute("data-ready", "1");
  }

  /* ------------------------------------------------------------ start */
  document.querySelectorAll("form.filters select, form.filters input[type=checkbox]").forEach(function (field) {
    if (field.form.classList.contains("stacked")) { return; }
    field.addEventListener("change", function () { field.form.submit(); });
  });
  document.querySelectorAll(".js-hidden").forEach(function (el) { el.hidden = true; });
  var stored = sessionStorage.getItem(MESSAGE_KEY);
  if (stored) { sessionStorage.removeItem(MESSAGE_KEY); say(stored); }
  wireLearning(document);
  var turnsBox = document.getElementById("turns");
  if (turnsBox) { review(turnsBox); }
  loadAgreement();
}());
