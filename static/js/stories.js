/* Telling a story on a phone: the draft is saved on the server as it is typed (every few seconds,
 * only when something changed), and "what is it about" is picked by searching the site.
 * Without this script the form still works: it is sent whole, and the links are typed as page
 * addresses in the "What is it about?" box.
 *
 * <form data-story-form data-autosave-url>, <input data-draft-id>, <p data-draft-status>;
 * textarea [data-about-refs] (one reference a line), [data-about-picker] with [data-about-search
 * data-url], [data-about-results], [data-about-chosen]. */
(function () {
  "use strict";
  var DELAY = 2500;

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function autosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var idInput = form.querySelector("[data-draft-id]");
    var status = form.querySelector("[data-draft-status]");
    if (!url || !idInput || !window.fetch || !window.FormData) return { poke: function () {} };
    var timer = null, busy = false, again = false, sending = false;

    function save() {
      timer = null;
      if (busy) { again = true; return; }
      var data = new FormData(form);
      data.delete("photos");
      data.delete("action");
      if (!String(data.get("title") || "").trim() && !String(data.get("body") || "").trim()) return;
      busy = true;
      fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrf(form) } })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, json: j }; }); })
        .then(function (res) {
          if (res.ok && res.json.draft) {
            idInput.value = res.json.draft;
            if (status) status.textContent = "Draft saved at " + res.json.saved + ".";
          } else if (status) {
            status.textContent = "Not saved: " + (res.json.message || "try again in a moment") + ".";
          }
        })
        .catch(function () { if (status) status.textContent = "Not saved (no connection?). Your text is still here."; })
        .then(function () { busy = false; if (again) { again = false; poke(); } });
    }
    function poke() {
      if (sending) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    }
    form.addEventListener("input", function (e) { if (e.target && e.target.type !== "file") poke(); });
    form.addEventListener("change", function (e) { if (e.target && e.target.type !== "file") poke(); });
    form.addEventListener("submit", function () { sending = true; if (timer) clearTimeout(timer); });
    return { poke: poke };
  }

  function picker(form, saver) {
    var box = form.querySelector("[data-about-picker]");
    var refs = form.querySelector("[data-about-refs]");
    if (!box || !refs || !window.fetch) return;
    var field = refs.closest(".field");
    var search = box.querySelector("[data-about-search]");
    var results = box.querySelector("[data-about-results]");
    var chosen = box.querySelector("[data-about-chosen]");
    box.hidden = false;
    if (field) field.hidden = true;
    var timer = null;

    function lines() { return refs.value.split(/[\n,]/).map(function (s) { return s.trim(); }).filter(Boolean); }
    function setLines(list) { refs.value = list.join("\n"); saver.poke(); }

    function addChip(ref, kind, title) {
      var li = document.createElement("li");
      li.setAttribute("data-ref", ref);
      var k = document.createElement("span");
      k.className = "record-card-kind";
      k.textContent = kind;
      li.appendChild(k);
      li.appendChild(document.createTextNode(" " + title + " "));
      var b = document.createElement("button");
      b.type = "button";
      b.className = "link-button small";
      b.setAttribute("data-about-remove", ref);
      b.textContent = "Remove";
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + title;
      b.appendChild(hidden);
      li.appendChild(b);
      chosen.appendChild(li);
    }

    function lookup() {
      var q = search.value.trim();
      if (q.length < 2) { results.textContent = ""; return; }
      fetch(search.getAttribute("data-url") + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          results.textContent = "";
          Array.prototype.forEach.call(doc.body.childNodes, function (n) { results.appendChild(document.importNode(n, true)); });
        })
        .catch(function () { results.textContent = "Search failed; try again."; });
    }
    search.addEventListener("input", function () { if (timer) clearTimeout(timer); timer = setTimeout(lookup, 300); });
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); lookup(); } });
    box.addEventListener("click", function (e) {
      var add = e.target.closest("[data-about-add]");
      if (add) {
        var ref = add.getAttribute("data-about-add");
        var list = lines();
        if (list.indexOf(ref) < 0) {
          list.push(ref);
          setLines(list);
          addChip(ref, add.getAttribute("data-about-kind"), add.getAttribute("data-about-title"));
        }
        add.textContent = "Linked";
        add.disabled = true;
        return;
      }
      var remove = e.target.closest("[data-about-remove]");
      if (remove) {
        var gone = remove.getAttribute("data-about-remove");
        setLines(lines().filter(function (r) { return r !== gone; }));
        var li = remove.closest("li");
        if (li) li.remove();
        search.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.story-form");
    if (!form) return;
    var saver = form.hasAttribute("data-story-form") ? autosave(form) : { poke: function () {} };
    picker(form, saver);
  });
})();
