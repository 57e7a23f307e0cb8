/* The skills game at a table: sort with a tap, a swipe or the keys 1, 2, 3 (the forms work without
   this script), and keep every phone's view of the table up to date by polling the table's state
   with the version it has (the server answers 304 while nothing changed). */
(function () {
  "use strict";
  var root = document.querySelector("[data-game]");
  if (!root || !window.fetch) return;
  var stateUrl = root.dataset.stateUrl, sortUrl = root.dataset.sortUrl, undoUrl = root.dataset.undoUrl;
  var resultsUrl = root.dataset.resultsUrl;
  var version = root.dataset.version || "";
  var form = root.querySelector("[data-sort-form]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var card = root.querySelector("[data-card]");
  var busy = false;
  var POLL_MS = 1000;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function render(state) {
    if (!state || String(state.version) === String(version) && !state.force) return;
    version = String(state.version);
    root.dataset.version = version;
    if (state.finished) { window.location.href = resultsUrl; return; }
    var progress = root.querySelector("[data-progress]");
    progress.textContent = state.card ? "Card " + state.number + " of " + state.deck_size : "All " + state.deck_size + " cards sorted";
    var hasCard = !!state.card;
    card.hidden = !hasCard;
    root.querySelector("[data-buttons]").hidden = !hasCard;
    root.querySelector("[data-done]").hidden = hasCard;
    if (hasCard) {
      var idInput = root.querySelector("[data-card-id]");
      if (idInput.value !== String(state.card.id)) {
        idInput.value = state.card.id;
        root.querySelector("[data-card-text]").textContent = state.card.text;
        root.querySelector("[data-card-family]").textContent = state.card.family;
        root.querySelector("[data-card-hint]").textContent = state.card.hint || "";
      }
    }
    state.piles.forEach(function (pile) {
      var box = root.querySelector('[data-pile-box="' + pile.key + '"]');
      if (!box) return;
      var count = box.querySelector("[data-pile-count]");
      if (count.textContent !== String(pile.count)) {
        count.textContent = pile.count;
        box.classList.add("flash");
        setTimeout(function () { box.classList.remove("flash"); }, 600);
      }
      var list = box.querySelector("[data-pile-recent]");
      list.textContent = "";
      pile.recent.forEach(function (c) {
        var li = el("li", {}, c.text + " ");
        var undo = el("form", { method: "post", action: undoUrl, "class": "inline" });
        undo.appendChild(el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrf }));
        undo.appendChild(el("input", { type: "hidden", name: "card", value: String(c.id) }));
        var button = el("button", { type: "submit", "class": "link-button small" }, "Put back");
        button.appendChild(el("span", { "class": "visually-hidden" }, " " + c.text));
        undo.appendChild(button);
        li.appendChild(undo);
        list.appendChild(li);
      });
    });
    var players = root.querySelector("[data-players]");
    players.textContent = "Playing: " + (state.players.length ? state.players.join(", ") : "nobody has joined yet");
  }

  function send(url, body, tries) {
    // A busy database answers 503 (Retry-After): try again shortly, a few times.
    return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": csrf } })
      .then(function (r) {
        if ((r.status === 503 || r.status === 429) && tries > 0) {
          return new Promise(function (resolve) { setTimeout(resolve, 300); }).then(function () { return send(url, body, tries - 1); });
        }
        return r.json().then(function (json) { return { ok: r.ok, json: json }; });
      });
  }

  function post(url, data) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf);
    Object.keys(data).forEach(function (k) { body.append(k, data[k]); });
    busy = true;
    return send(url, body, 4)
      .then(function (res) { if (res.ok) render(res.json); else if (res.json.message) window.alert(res.json.message); })
      .catch(function () { /* the next poll catches up */ })
      .then(function () { busy = false; });
  }

  function sortInto(pile) {
    var id = root.querySelector("[data-card-id]").value;
    if (!id || busy) return;
    card.classList.add("leaving");
    post(sortUrl, { card: id, pile: pile }).then(function () { card.classList.remove("leaving"); card.style.transform = ""; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var pile = event.submitter && event.submitter.value;
    if (pile) sortInto(pile);
  });
  root.addEventListener("submit", function (event) {
    var target = event.target;
    if (target.getAttribute("action") !== undoUrl) return;
    event.preventDefault();
    post(undoUrl, { card: target.querySelector("input[name=card]").value });
  });

  document.addEventListener("keydown", function (event) {
    if (event.target.closest && event.target.closest("input, textarea, select")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var pile = { "1": "can", "2": "friends", "3": "nobody" }[event.key];
    if (pile && !card.hidden) { event.preventDefault(); sortInto(pile); }
  });

  var start = null;
  card.addEventListener("pointerdown", function (event) { start = { x: event.clientX, y: event.clientY }; });
  card.addEventListener("pointermove", function (event) {
    if (start) card.style.transform = "translate(" + (event.clientX - start.x) + "px," + Math.min(0, event.clientY - start.y) + "px)";
  });
  function endSwipe(event) {
    if (!start) return;
    var dx = event.clientX - start.x, dy = event.clientY - start.y;
    start = null;
    if (dx > 70 && Math.abs(dx) > Math.abs(dy)) sortInto("can");
    else if (dx < -70 && Math.abs(dx) > Math.abs(dy)) sortInto("nobody");
    else if (dy < -70) sortInto("friends");
    else card.style.transform = "";
  }
  card.addEventListener("pointerup", endSwipe);
  card.addEventListener("pointercancel", function () { start = null; card.style.transform = ""; });

  function poll() {
    if (document.hidden || busy) { setTimeout(poll, POLL_MS); return; }
    fetch(stateUrl + "?v=" + encodeURIComponent(version), { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.status === 200 ? r.json() : null; })
      .then(function (state) { if (state) render(state); })
      .catch(function () {})
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  setTimeout(poll, POLL_MS);
})();
