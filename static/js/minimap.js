/* Small Leaflet maps for record pages and location pickers.
 * <div data-minimap data-lat data-lng data-boundary="json-script-id" data-picker data-tiles data-attribution data-center>
 * A picker writes the tapped point into the form's [data-map-lat] / [data-map-lng] inputs and follows
 * what is typed there. Everything the map shows is also on the page as text. */
(function () {
  "use strict";
  function num(v) { var n = parseFloat(v); return isFinite(n) ? n : null; }

  function init(el) {
    if (el.dataset.ready || typeof L === "undefined") return;
    el.dataset.ready = "1";
    var center = (el.dataset.center || "53.8,-1.55").split(",").map(Number);
    var map = L.map(el, { scrollWheelZoom: false }).setView(center, 12);
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
    var marker = null;
    function place(lat, lng, zoom) {
      if (marker) { marker.setLatLng([lat, lng]); } else { marker = L.marker([lat, lng], { keyboard: false }).addTo(map); }
      map.setView([lat, lng], zoom || Math.max(map.getZoom(), 14));
    }
    var lat = num(el.dataset.lat), lng = num(el.dataset.lng);
    if (el.dataset.boundary) {
      var script = document.getElementById(el.dataset.boundary);
      if (script) {
        try {
          var layer = L.geoJSON(JSON.parse(script.textContent), { style: { color: "#1d5c63", weight: 2, fillOpacity: 0.08 } }).addTo(map);
          map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        } catch (e) { /* a bad boundary leaves the plain map */ }
      }
    }
    if (lat !== null && lng !== null) place(lat, lng, el.dataset.boundary ? map.getZoom() : 15);

    if (el.dataset.picker) {
      var form = el.closest("form") || document;
      var latInput = form.querySelector("[data-map-lat]"), lngInput = form.querySelector("[data-map-lng]");
      if (latInput && lngInput) {
        var typed = function () {
          var a = num(latInput.value), b = num(lngInput.value);
          if (a !== null && b !== null && Math.abs(a) <= 90 && Math.abs(b) <= 180) place(a, b);
        };
        typed();
        latInput.addEventListener("change", typed);
        lngInput.addEventListener("change", typed);
        map.on("click", function (ev) {
          latInput.value = ev.latlng.lat.toFixed(6);
          lngInput.value = ev.latlng.lng.toFixed(6);
          place(ev.latlng.lat, ev.latlng.lng);
        });
      }
    }
  }

  function all() { document.querySelectorAll("[data-minimap]").forEach(init); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
  document.addEventListener("htmx:afterSettle", all);
})();
