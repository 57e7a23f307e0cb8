/* The organisers' question editor (questions/includes/_editor.html): "Add another question" adds a
   row from the <template>. Without JavaScript the form still works (one empty row is always there). */
(function () {
  "use strict";
  document.querySelectorAll("[data-question-editor]").forEach(function (editor) {
    var prefix = editor.getAttribute("data-prefix") || "form";
    var add = editor.querySelector("[data-add-question]");
    var list = editor.querySelector("[data-question-list]");
    var template = editor.querySelector("template[data-question-template]");
    var total = editor.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    if (!add || !list || !template || !total) { return; }
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var holder = document.createElement("ol");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
      var item = holder.firstElementChild;
      list.appendChild(item);
      total.value = String(index + 1);
      var input = item.querySelector("input[type=text]");
      if (input) { input.focus(); }
    });
  });
})();
