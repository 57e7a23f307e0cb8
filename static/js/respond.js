/* Network surveys: "add another person" on the questionnaire, "add another question" on the survey
   form, and print buttons. Without JavaScript the pages still work (blank rows are already there). */
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

  // survey form: add another custom question
  var addQuestion = document.querySelector("[data-add-question]");
  var list = document.querySelector("[data-question-list]");
  var qTemplate = document.getElementById("question-template");
  var total = document.querySelector("input[name='q-TOTAL_FORMS']");
  if (addQuestion && list && qTemplate && total) {
    addQuestion.hidden = false;
    addQuestion.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var holder = document.createElement("ol");
      holder.innerHTML = qTemplate.innerHTML.replace(/__prefix__/g, String(index)).trim();
      var item = holder.firstElementChild;
      list.appendChild(item);
      total.value = String(index + 1);
      var input = item.querySelector("input[type=text]");
      if (input) { input.focus(); }
    });
  }

  // poster and paper: a print button
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
