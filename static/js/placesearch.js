/* "Place name or postcode": suggests places as a person types (areas and the gazetteer, from
 * /api/v1/places) and, when one is chosen, fills the form's latitude and longitude
 * ([data-map-lat] / [data-map-lng], whose "change" moves the small map's marker).
 * Without this script the typed name is looked up when the form is sent.
 *
 * <div data-place-search data-url="/api/v1/places" [data-submit-on-choose]>
 *   <input data-place-input> <ul data-place-results role="listbox" hidden></ul> <p data-place-status role="status">
 * </div> */
(function () {
  "use strict";

  function init(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    var input = box.querySelector("[data-place-input]");
    var list = box.querySelector("[data-place-results]");
    var status = box.querySelector("[data-place-status]");
    var form = box.closest("form");
    if (!input || !list || !form) return;
    var latInput = form.querySelector("[data-map-lat]"), lngInput = form.querySelector("[data-map-lng]");
    var results = [], active = -1, timer = null, seq = 0;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(i) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      }
    }
    function choose(i) {
      var place = results[i];
      if (!place) return;
      input.value = place.label;
      close();
      if (latInput && lngInput) {
        latInput.value = place.lat.toFixed(6);
        lngInput.value = place.lng.toFixed(6);
        latInput.dispatchEvent(new Event("change", { bubbles: true }));
        lngInput.dispatchEvent(new Event("change", { bubbles: true }));
      }
      box.dispatchEvent(new CustomEvent("place:chosen", { bubbles: true, detail: place }));
      if (status) status.textContent = "Chosen: " + place.label + ".";
      if (box.hasAttribute("data-submit-on-choose")) form.requestSubmit ? form.requestSubmit() : form.submit();
    }
    function show(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (place, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = place.label;
        var kind = document.createElement("span");
        kind.className = "muted small";
        kind.textContent = " · " + place.kind_label;
        li.appendChild(name);
        li.appendChild(kind);
        // pointerdown, not click: choosing must happen before the input loses focus and closes the list.
        li.addEventListener("pointerdown", function (ev) { ev.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      if (found.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        if (status) status.textContent = found.length + " place" + (found.length === 1 ? "" : "s") + " found. Use the arrow keys or tap one.";
      } else {
        close();
        if (status) status.textContent = "No place of that name here. Try a street, a postcode, or tap the map.";
      }
    }
    function search() {
      var q = input.value.trim();
      if (q.replace(/[^0-9a-z]/gi, "").length < 2) { close(); results = []; return; }
      var mine = ++seq;
      fetch(box.dataset.url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (found) { if (mine === seq) show(found); })
        .catch(function () { if (status) status.textContent = "Could not look places up just now."; });
    }

    input.addEventListener("input", function () {
      // A point picked for an earlier name no longer fits what is typed now: the server looks it up.
      if (latInput && lngInput && box.dataset.filled !== input.value) { latInput.value = ""; lngInput.value = ""; }
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    box.addEventListener("place:chosen", function () { box.dataset.filled = input.value; });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden || !results.length) return;
      if (ev.key === "ArrowDown") { ev.preventDefault(); highlight((active + 1) % results.length); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight((active - 1 + results.length) % results.length); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(active); }
      else if (ev.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function all() { document.querySelectorAll("[data-place-search]").forEach(init); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
})();
