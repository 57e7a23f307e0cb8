/* The add-entry form's island: pick a point on a Leaflet map, follow typed coordinates and the
 * chosen area's centre, say in words which point is chosen, keep the organisation/project pickers'
 * hidden ids in step with their suggestions, and show the threat dates only for threat categories.
 * Everything also works without this script: coordinates can be typed, an area picked, names typed.
 *
 * Forms: form[data-entry-form] (the map's entry form, civic's report) or form[data-pickpoint-form]
 * (any other form with a point: a story). A [data-pickpoint] or [data-pick-help] marked `hidden`
 * (so that without JavaScript only the coordinate boxes show) is shown once the map is drawn.
 * Choosing a point on the map fires "change" on the longitude box (so autosaves see it).
 *
 * <div data-pickpoint data-tiles data-attribution data-center> inside the form; inputs
 * [data-pick-lat], [data-pick-lng], select [data-pick-area]; <output data-pick-shown>;
 * json_script #area-centroids {slug: [lat, lng]} and #threat-categories [id, ...]. */
(function () {
  "use strict";
  function num(v) { var n = parseFloat(String(v).replace(",", ".")); return isFinite(n) ? n : null; }
  function json(id, fallback) {
    var el = document.getElementById(id);
    if (!el) return fallback;
    try { return JSON.parse(el.textContent); } catch (e) { return fallback; }
  }

  function initMap(form) {
    var el = form.querySelector("[data-pickpoint]");
    var latInput = form.querySelector("[data-pick-lat]"), lngInput = form.querySelector("[data-pick-lng]");
    var areaSelect = form.querySelector("[data-pick-area]"), shown = form.querySelector("[data-pick-shown]");
    if (!latInput || !lngInput) return;
    var centroids = json("area-centroids", {});
    var map = null, marker = null;

    function say(lat, lng) {
      if (!shown) return;
      shown.textContent = lat === null ? "No point chosen yet." : "Chosen point: " + lat.toFixed(5) + ", " + lng.toFixed(5);
    }
    function place(lat, lng, zoom) {
      say(lat, lng);
      if (!map) return;
      if (marker) marker.setLatLng([lat, lng]); else marker = L.marker([lat, lng], { keyboard: false }).addTo(map);
      map.setView([lat, lng], zoom || Math.max(map.getZoom(), 15));
    }
    function typed() {
      var a = num(latInput.value), b = num(lngInput.value);
      if (a !== null && b !== null && Math.abs(a) <= 90 && Math.abs(b) <= 180) place(a, b); else say(null, null);
    }
    function set(lat, lng, zoom) {
      latInput.value = lat.toFixed(6);
      lngInput.value = lng.toFixed(6);
      place(lat, lng, zoom);
      lngInput.dispatchEvent(new Event("change", { bubbles: true }));
    }

    if (el && typeof L !== "undefined") {
      el.hidden = false;
      form.querySelectorAll("[data-pick-help]").forEach(function (p) { p.hidden = false; });
      var center = (el.dataset.center || "53.8,-1.55").split(",").map(Number);
      map = L.map(el, { scrollWheelZoom: false, tap: true }).setView(center, 12);
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
      map.on("click", function (ev) { set(ev.latlng.lat, ev.latlng.lng); });
    }
    latInput.addEventListener("change", typed);
    lngInput.addEventListener("change", typed);
    if (areaSelect) {
      areaSelect.addEventListener("change", function () {
        var c = centroids[areaSelect.value];
        if (c && (latInput.value === "" || lngInput.value === "" || form.dataset.pointFromArea === "1")) {
          form.dataset.pointFromArea = "1";
          set(c[0], c[1], 14);
        }
      });
      latInput.addEventListener("input", function () { form.dataset.pointFromArea = ""; });
    }
    var locate = form.querySelector("[data-pick-locate]");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        locate.disabled = true;
        navigator.geolocation.getCurrentPosition(function (pos) {
          locate.disabled = false;
          set(pos.coords.latitude, pos.coords.longitude, 17);
        }, function () {
          locate.disabled = false;
          if (shown) shown.textContent = "Your device did not share its location: tap the map instead.";
        }, { enableHighAccuracy: true, timeout: 10000 });
      });
    }
    typed();
  }

  function initSuggest(form) {
    form.querySelectorAll("[data-suggest]").forEach(function (input) {
      var hidden = form.querySelector("input[type=hidden][name=" + input.dataset.suggest + "]");
      var list = document.getElementById(input.getAttribute("list"));
      if (!hidden || !list) return;
      var sync = function () {
        var match = Array.prototype.find.call(list.options, function (o) { return o.value === input.value; });
        hidden.value = match ? match.dataset.id : "";
      };
      input.addEventListener("input", sync);
      input.addEventListener("change", sync);
      document.body.addEventListener("htmx:afterSettle", function (ev) { if (ev.target === list) sync(); });
    });
  }

  function initThreat(form) {
    var select = form.querySelector("select[name=category]");
    var threatBox = form.querySelector("[data-threat-only]");
    var threats = json("threat-categories", []).map(String);
    if (!select || !threatBox) return;
    var toggle = function () {
      var hasValue = Array.prototype.some.call(threatBox.querySelectorAll("input"), function (i) { return i.value; });
      threatBox.hidden = !(threats.indexOf(select.value) >= 0 || hasValue);
    };
    select.addEventListener("change", toggle);
    toggle();
  }

  function init() {
    document.querySelectorAll("form[data-entry-form], form[data-pickpoint-form]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      form.querySelectorAll("[data-nojs]").forEach(function (el) { el.hidden = true; });
      initMap(form);
      initSuggest(form);
      initThreat(form);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
