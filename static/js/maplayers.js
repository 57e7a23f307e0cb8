/* Other apps' records on the community map (squaremile/mapping/layers.py): one switch per layer; a layer
   that is on asks its endpoint for the records in view whenever the map moves. Titles are text, never HTML. */
(function () {
  "use strict";
  var box = document.getElementById("cm-layers");
  if (!box) return;
  var statusEl = document.getElementById("cm-layers-status");
  var inputs = Array.prototype.slice.call(box.querySelectorAll("input[name=layers]"));
  var groups = {};
  var pending = {};

  box.querySelectorAll("[data-colour]").forEach(function (el) {
    if (el.classList.contains("cm-layer-swatch")) el.style.backgroundColor = el.dataset.colour;
  });

  function setStatus(text) { if (statusEl) statusEl.textContent = text; }

  function bbox(map) {
    var b = map.getBounds();
    var west = Math.max(-180, b.getWest()), east = Math.min(180, b.getEast());
    var south = Math.max(-90, b.getSouth()), north = Math.min(90, b.getNorth());
    return [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
  }

  function popup(props) {
    var wrap = document.createElement("div");
    var kind = document.createElement("p");
    kind.className = "muted small";
    kind.textContent = props.kind || "";
    var link = document.createElement("a");
    link.textContent = props.title || "Open";
    var url = String(props.url || "");
    link.href = url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "#";
    wrap.appendChild(kind);
    wrap.appendChild(link);
    return wrap;
  }

  function load(map, input) {
    var key = input.value;
    if (!groups[key]) groups[key] = L.layerGroup().addTo(map);
    var seq = (pending[key] || 0) + 1;
    pending[key] = seq;
    fetch(input.dataset.url + "?bbox=" + encodeURIComponent(bbox(map)), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (body) {
        if (pending[key] !== seq || !input.checked) return;
        groups[key].clearLayers();
        (body.features || []).forEach(function (f) {
          var c = f.geometry && f.geometry.coordinates;
          if (!c) return;
          L.circleMarker([c[1], c[0]], { radius: 7, color: "#1f2328", weight: 1, fillColor: input.dataset.colour, fillOpacity: 0.9 })
            .bindPopup(popup(f.properties || {}))
            .addTo(groups[key]);
        });
        var n = (body.features || []).length;
        setStatus(input.dataset.label + ": " + n + (body.truncated ? "+" : "") + " in view.");
      })
      .catch(function () { setStatus(input.dataset.label + " could not be loaded."); });
  }

  function refresh(map) { inputs.forEach(function (input) { if (input.checked) load(map, input); }); }

  function start(map) {
    box.hidden = false;
    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.checked) { load(map, input); }
        else if (groups[input.value]) { groups[input.value].clearLayers(); setStatus(input.dataset.label + " hidden."); }
        var url = new URL(window.location.href);
        var on = inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
        if (on.length) url.searchParams.set("layers", on.join(",")); else url.searchParams.delete("layers");
        window.history.replaceState(window.history.state, "", url.toString());
      });
    });
    var timer = null;
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(function () { refresh(map); }, 250); });
    refresh(map);
  }

  if (window.SquareMileMap) start(window.SquareMileMap);
  else document.addEventListener("squaremile:map-ready", function (ev) { start(ev.detail.map); }, { once: true });
})();
