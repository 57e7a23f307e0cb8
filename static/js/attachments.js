// "Add photos": one description box per chosen photo, named after its file. Without this script
// one box describes them all. Looks for <input type=file data-attachments name=X> and the text box
// <input data-alt-for=X> of the same form.
(function () {
  "use strict";
  function setUp(picker) {
    var form = picker.form;
    if (!form) return;
    var shared = form.querySelector('[data-alt-for="' + picker.name + '"]');
    if (!shared) return;
    var holder = document.createElement("div");
    holder.className = "alt-per-file";
    shared.closest(".field, div").after(holder);
    var sharedBox = shared.closest(".field, div");
    picker.addEventListener("change", function () {
      holder.replaceChildren();
      var files = Array.prototype.slice.call(picker.files || []);
      if (files.length < 2) {
        sharedBox.hidden = false;
        shared.disabled = false;
        return;
      }
      sharedBox.hidden = true;
      shared.disabled = true;
      files.forEach(function (file, i) {
        var id = shared.id + "-" + i;
        var wrap = document.createElement("div");
        wrap.className = "field";
        var label = document.createElement("label");
        label.htmlFor = id;
        label.textContent = "Describe “" + file.name + "” for people who cannot see it";
        var input = document.createElement("input");
        input.type = "text";
        input.id = id;
        input.name = shared.name;
        input.maxLength = shared.maxLength > 0 ? shared.maxLength : 300;
        input.value = shared.value;
        wrap.append(label, input);
        holder.append(wrap);
      });
    });
  }
  document.querySelectorAll("input[type=file][data-attachments]").forEach(setUp);
})();
