/* "Use my location": fills the near-me form from the browser's geolocation, if the person allows it. */
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  var status = document.getElementById("locate-status");
  button.addEventListener("click", function () {
    status.textContent = "Finding where you are…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var form = button.closest("form");
      form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(5);
      form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(5);
      status.textContent = "Found you. Showing what is near.";
      form.submit();
    }, function () {
      status.textContent = "Your browser did not share your location. Type the coordinates instead.";
    }, { timeout: 10000 });
  });
})();
