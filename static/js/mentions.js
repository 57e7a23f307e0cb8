/* @mention suggestions in a conversation's message box (textarea[data-mention-url]): typing "@pri"
 * lists the people one may mention (the group's members first, asked from the server, which only
 * names people the writer may see); Up/Down move through them, Enter or Tab puts "@Handle " in the
 * text, Escape closes the list; a tap on a name does the same. The list is announced (a listbox
 * bound to the box by aria-controls / aria-activedescendant, and a polite status line). Without
 * JavaScript, @Name typed as plain text works the same. */
(function () {
  "use strict";

  var WORD = /(^|[^\w@])@([A-Za-z][\w.\-]{0,40})$/;
  var counter = 0;

  function init(box) {
    if (box.dataset.mentionsReady) return;
    box.dataset.mentionsReady = "1";
    var url = box.getAttribute("data-mention-url");
    var id = "mentions-" + (++counter);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    box.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", id);

    var people = [];
    var active = -1;
    var word = null; // {start, end, q}
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      list.textContent = "";
      people = [];
      active = -1;
      box.removeAttribute("aria-activedescendant");
    }

    function mark(i) {
      active = i;
      var items = list.querySelectorAll("[role=option]");
      for (var k = 0; k < items.length; k++) {
        items[k].setAttribute("aria-selected", k === i ? "true" : "false");
      }
      if (i >= 0 && items[i]) {
        box.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function choose(i) {
      var person = people[i];
      if (!person || !word) return;
      var text = box.value;
      var insert = "@" + person.handle + " ";
      box.value = text.slice(0, word.start) + insert + text.slice(word.end);
      var caret = word.start + insert.length;
      box.setSelectionRange(caret, caret);
      status.textContent = person.name + " will be told.";
      close();
      box.focus();
    }

    function show(found) {
      close();
      people = found;
      if (!found.length) {
        status.textContent = "Nobody found to mention.";
        return;
      }
      found.forEach(function (person, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = person.name;
        var handle = document.createElement("span");
        handle.className = "muted small";
        handle.textContent = " @" + person.handle;
        li.appendChild(name);
        li.appendChild(handle);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      mark(0);
      status.textContent = found.length + (found.length === 1 ? " person" : " people") +
        " to mention: up and down arrows to choose, Enter to pick.";
    }

    function lookup() {
      var before = box.value.slice(0, box.selectionStart);
      var match = WORD.exec(before);
      if (!match || box.selectionStart !== box.selectionEnd) {
        word = null;
        close();
        return;
      }
      var q = match[2];
      word = { start: before.length - q.length - 1, end: box.selectionStart, q: q };
      var ticket = ++asked;
      var address = url + (url.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(q);
      fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { people: [] }; })
        .then(function (data) {
          if (ticket === asked && word) show(data.people || []);
        })
        .catch(function () { if (ticket === asked) close(); });
    }

    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    box.addEventListener("keydown", function (event) {
      if (list.hidden || !people.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        mark((active + 1) % people.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        mark((active - 1 + people.length) % people.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        if (active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    box.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function start() {
    var boxes = document.querySelectorAll("textarea[data-mention-url]");
    for (var i = 0; i < boxes.length; i++) init(boxes[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
