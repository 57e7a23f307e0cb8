/* Network surveys: "add another person" on the questionnaire, and print buttons (the survey form's
   "add another question" is static/js/questions.js). Without JavaScript the pages still work (blank rows are already there). */
(function () {
  "use strict";

  function nextIndex(container, selector, pattern) {
    var max = -1;
    container.querySelectorAll(selector).forEach(function (el) {
      var m = (el.getAttribute("name") || "").match(pattern);
      if (m) { max = Math.max(max, parseInt(m[1], 10)); }
    });
    return max + 1;
  }

  // questionnaire: add another "who you work with" row
  var addTie = document.querySelector("[data-add-tie]");
  var rows = document.querySelector("[data-tie-rows]");
  var tieTemplate = document.getElementById("tie-row-template");
  if (addTie && rows && tieTemplate) {
    addTie.hidden = false;
    addTie.addEventListener("click", function () {
      var index = nextIndex(rows, "input[name$='-name']", /^tie-(\d+)-name$/);
      var html = tieTemplate.innerHTML.replace(/__index__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      var legend = row.querySelector("legend");
      if (legend) { legend.textContent = "Person or group " + (index + 1); }
      rows.appendChild(row);
      if (window.htmx) { window.htmx.process(row); }
      var input = row.querySelector("input[type=text]");
      if (input) { input.focus(); }
    });
  }

  // poster and paper: a print button
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
