/* ChipsSelectMultiple's island (templates/core/widgets/chips.html): the chosen checkboxes become
 * chips at the top (tap one to remove it), and a "type to find" box shows only the matching
 * choices, opening the sections that hold them. The checkboxes stay the form's real inputs. */
(function () {
  "use strict";

  function init(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var chosen = root.querySelector("[data-chips-chosen]");
    var summary = root.querySelector("[data-chips-summary]");
    var filterWrap = root.querySelector("[data-chips-filter-wrap]");
    var filter = root.querySelector("[data-chips-filter]");
    var status = root.querySelector("[data-chips-status]");
    var browse = root.querySelector("[data-chips-browse]");
    var groups = Array.prototype.slice.call(root.querySelectorAll("[data-chips-group]"));
    var browseWasOpen = false;
    var boxes = Array.prototype.slice.call(root.querySelectorAll("input[type=checkbox]"));
    function labelOf(box) {
      var label = root.querySelector("label[for='" + box.id + "']");
      return label ? label.textContent.trim() : box.value;
    }

    function drawChips() {
      chosen.textContent = "";
      var picked = boxes.filter(function (b) { return b.checked; });
      picked.forEach(function (box) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.setAttribute("aria-label", "Remove " + labelOf(box));
        button.appendChild(document.createTextNode(labelOf(box)));
        var x = document.createElement("span");
        x.setAttribute("aria-hidden", "true");
        x.textContent = "×";
        button.appendChild(x);
        button.addEventListener("click", function () {
          box.checked = false;
          drawChips();
          if (status) status.textContent = labelOf(box) + " removed.";
          (filter || box).focus();
        });
        li.appendChild(button);
        chosen.appendChild(li);
      });
      chosen.hidden = picked.length === 0;
      if (summary) summary.textContent = picked.length ? picked.length + " chosen:" : "None chosen yet.";
    }

    function applyFilter() {
      var q = filter.value.trim().toLowerCase();
      var shown = 0;
      groups.forEach(function (group) {
        var inGroup = 0;
        group.querySelectorAll("li").forEach(function (li) {
          var box = li.querySelector("input");
          var hit = !q || labelOf(box).toLowerCase().indexOf(q) !== -1;
          li.hidden = !hit;
          if (hit) inGroup += 1;
        });
        group.hidden = q && inGroup === 0;
        if (q && group.tagName === "DETAILS") group.open = inGroup > 0;
        shown += inGroup;
      });
      // Matches show at once: the browse section opens while typing and closes again when cleared.
      if (browse) {
        if (q && !browse.dataset.filtering) { browseWasOpen = browse.open; browse.dataset.filtering = "1"; }
        if (q) browse.open = shown > 0;
        else if (browse.dataset.filtering) { browse.open = browseWasOpen; delete browse.dataset.filtering; }
      }
      if (status) status.textContent = q ? (shown ? shown + " match" + (shown === 1 ? "" : "es") + "." : "Nothing matches “" + filter.value.trim() + "”.") : "";
    }

    boxes.forEach(function (box) { box.addEventListener("change", drawChips); });
    if (filter) {
      filterWrap.hidden = false;
      filter.addEventListener("input", applyFilter);
      filter.addEventListener("keydown", function (ev) {
        if (ev.key !== "Enter") return;
        ev.preventDefault();  // Enter picks the only match rather than sending the whole form
        var visible = boxes.filter(function (b) { return !b.closest("li").hidden && !b.closest("[data-chips-group]").hidden; });
        if (filter.value.trim() && visible.length === 1) {
          visible[0].checked = true;
          drawChips();
          if (status) status.textContent = labelOf(visible[0]) + " chosen.";
          filter.value = "";
          applyFilter();
        }
      });
    }
    drawChips();
  }

  function all() { document.querySelectorAll("[data-chips]").forEach(init); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
})();
