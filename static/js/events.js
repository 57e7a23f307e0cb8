/* Events: the agenda that updates by itself (the wall and phones poll a cheap version with an
   ETag, then fetch the new agenda only when it changed), and the open-space grid built by drag and
   drop, or by tapping a topic then a place (phones, keyboards). Without JavaScript the pages work
   with their forms. */
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function timeNow() {
    return new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  // ---- the agenda: poll the version, fetch the agenda when it changed
  document.querySelectorAll("[data-agenda-poll]").forEach(function (box) {
    var version = box.getAttribute("data-agenda-version");
    var etag = null;
    var busy = false;
    var status = document.getElementById("agenda-status");
    var every = parseInt(box.getAttribute("data-poll-ms") || "1500", 10);

    function refresh() {
      return fetch(box.getAttribute("data-agenda-fragment"), { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          box.innerHTML = html;
          var inner = box.querySelector("[data-agenda-version]");
          if (inner) { version = inner.getAttribute("data-agenda-version"); }
          box.setAttribute("data-agenda-version", version);
          if (status) { status.textContent = "Updated at " + timeNow(); }
        });
    }

    function tick() {
      if (busy || document.hidden) { return; }
      busy = true;
      var headers = { Accept: "application/json" };
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(box.getAttribute("data-agenda-poll"), { headers: headers, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 304 || !response.ok) { return null; }
          etag = response.headers.get("ETag");
          return response.json();
        })
        .then(function (data) {
          if (data && String(data.version) !== String(version)) { return refresh(); }
        })
        .catch(function () { /* the next tick tries again */ })
        .then(function () { busy = false; });
    }
    window.setInterval(tick, every);
  });

  // ---- the grid: drag and drop, or tap a topic then a place
  var board = document.querySelector("[data-grid]");
  if (!board) { return; }
  var status = document.getElementById("grid-status");
  var picked = null;

  function say(text) { if (status) { status.textContent = text; } }

  function pick(topic) {
    if (picked) { picked.classList.remove("is-picked"); picked.setAttribute("aria-pressed", "false"); }
    picked = topic;
    if (topic) {
      topic.classList.add("is-picked");
      topic.setAttribute("aria-pressed", "true");
      say("“" + topic.textContent.trim() + "” picked: now choose a place on the grid.");
    }
  }

  function place(topic, cell) {
    var body = new FormData();
    body.append("session", topic.getAttribute("data-session"));
    body.append("place", cell.getAttribute("data-drop"));
    say("Placing…");
    fetch(board.getAttribute("data-place-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() }
    })
      .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); })
      .then(function (result) {
        say(result.data.message || (result.ok ? "Placed." : "Refused."));
        if (!result.ok) { cell.classList.add("is-refused"); window.setTimeout(function () { cell.classList.remove("is-refused"); }, 1500); return; }
        var from = topic.parentElement;
        if (cell.tagName === "UL") {
          var item = document.createElement("li");
          item.appendChild(topic);
          cell.appendChild(item);
          topic.classList.remove("placed");
        } else {
          cell.appendChild(topic);
          topic.classList.add("placed");
        }
        if (from && from.tagName === "LI" && !from.children.length) { from.remove(); }
        pick(null);
      })
      .catch(function () { say("Could not reach the server: try again."); });
  }

  board.querySelectorAll("[data-session]").forEach(function (topic) {
    topic.setAttribute("tabindex", "0");
    topic.setAttribute("role", "button");
    topic.setAttribute("aria-pressed", "false");
  });
  board.querySelectorAll("td[data-drop]").forEach(function (cell) { cell.setAttribute("tabindex", "0"); });

  board.addEventListener("dragstart", function (event) {
    var topic = event.target.closest("[data-session]");
    if (!topic) { return; }
    pick(topic);
    event.dataTransfer.setData("text/plain", topic.getAttribute("data-session"));
    event.dataTransfer.effectAllowed = "move";
  });
  board.addEventListener("dragover", function (event) {
    if (event.target.closest("[data-drop]")) { event.preventDefault(); }
  });
  board.addEventListener("drop", function (event) {
    var cell = event.target.closest("[data-drop]");
    if (!cell || !picked) { return; }
    event.preventDefault();
    place(picked, cell);
  });
  function activate(event) {
    var topic = event.target.closest("[data-session]");
    var cell = event.target.closest("[data-drop]");
    if (topic && (!picked || picked !== topic) && !(picked && cell && cell.contains(topic))) { pick(topic); return; }
    if (topic && picked === topic) { pick(null); say(""); return; }
    if (cell && picked) { place(picked, cell); }
  }
  board.addEventListener("click", activate);
  board.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); activate(event); }
  });
})();
