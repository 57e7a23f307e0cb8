/* The community map (/map/) and the copy-link button of entry pages.
 *
 * Clusters come from the server (GET /api/v1/map/clusters with the view and the filters): this
 * script only draws them: circles with counts (a ring shows the share of each category), and
 * single entries as markers in their category's colour and icon, threats with their own style.
 * The list beside the map is the server's HTML (/map/list/?fragment=1 with the same filters and
 * the view's box), so it reads the same as the list page that works without JavaScript.
 * The URL keeps the view and the filters (history.replaceState), so it can be shared. */
(function () {
  "use strict";

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function fmt(n) { return n >= 10000 ? Math.round(n / 1000) + "k" : n >= 1000 ? (n / 1000).toFixed(1) + "k" : String(n); }
  function debounce(fn, ms) {
    var t = null;
    return function () { var args = arguments; clearTimeout(t); t = setTimeout(function () { fn.apply(null, args); }, ms); };
  }

  // ---- copy a link (entry pages) ------------------------------------------------------------
  function initCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (btn) {
      var input = document.querySelector(btn.dataset.copy);
      var status = document.querySelector("[data-copy-status]");
      if (!input) return;
      btn.hidden = false;
      btn.addEventListener("click", function () {
        function done(ok) { if (status) status.textContent = ok ? "Link copied." : "Select the link and copy it."; }
        input.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(function () { done(true); }, function () { done(false); });
        } else {
          var ok = false;
          try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
          done(ok);
        }
      });
    });
  }

  // ---- the map ------------------------------------------------------------------------------
  function initMap() {
    var el = document.getElementById("community-map");
    var cfgEl = document.getElementById("cm-config");
    if (!el || !cfgEl || typeof L === "undefined") return;
    var cfg = JSON.parse(cfgEl.textContent);
    var cats = {};
    cfg.categories.forEach(function (c) { cats[c.slug] = c; });
    var form = document.getElementById("map-filters");
    var statusEl = document.getElementById("cm-status");
    var listEl = document.getElementById("cm-list");
    var listLink = document.getElementById("cm-list-link");
    var exportLink = document.getElementById("cm-export");

    var map = L.map(el, { minZoom: 1, maxZoom: cfg.maxZoom, worldCopyJump: false })
      .setView([cfg.view.lat, cfg.view.lng], cfg.view.zoom);
    var layer = L.layerGroup().addTo(map);
    var homeCircle = null;
    el.dataset.ready = "1";

    function filterParams() {
      var p = new URLSearchParams();
      if (!form) return p;
      new FormData(form).forEach(function (value, name) {
        value = String(value).trim();
        if (!value || (name === "threats" && value === "include")) return;
        p.append(name, value);
      });
      return p;
    }

    function bboxParam() {
      var b = map.getBounds();
      var west = b.getWest(), east = b.getEast();
      var south = Math.max(-85, b.getSouth()), north = Math.min(85, b.getNorth());
      if (east - west >= 360) { west = -180; east = 180; }
      else {
        // a view that wandered round the world: bring its centre back to -180..180, then clamp
        var shift = Math.round(((west + east) / 2) / 360) * 360;
        west = Math.max(-180, west - shift); east = Math.min(180, east - shift);
      }
      return [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
    }

    function viewParams() {
      var p = filterParams();
      p.set("bbox", bboxParam());
      p.set("zoom", String(Math.round(map.getZoom())));
      return p;
    }

    function updateUrl() {
      var p = filterParams();
      var c = map.getCenter().wrap();
      p.set("lat", c.lat.toFixed(5));
      p.set("lng", c.lng.toFixed(5));
      p.set("zoom", String(Math.round(map.getZoom())));
      history.replaceState(null, "", location.pathname + "?" + p.toString());
      var fq = filterParams().toString();
      if (listLink) listLink.href = cfg.listUrl + (fq ? "?" + fq : "");
      if (exportLink) {
        var ep = filterParams(); ep.set("bbox", bboxParam());
        exportLink.href = exportLink.dataset.base + "?" + ep.toString();
      }
    }

    function setStatus(text) { if (statusEl) statusEl.textContent = text; }

    function clusterIcon(c) {
      var size = Math.round(34 + 10 * Math.log10(Math.max(1, c.count)));
      var slugs = Object.keys(c.categories || {}).sort(function (a, b) { return c.categories[b] - c.categories[a]; });
      var stops = [], at = 0, threats = 0;
      slugs.forEach(function (slug) {
        var share = c.categories[slug] / c.count * 100, cat = cats[slug];
        if (cat && cat.threat) threats += c.categories[slug];
        stops.push((cat ? cat.colour : "#555") + " " + at.toFixed(2) + "% " + (at + share).toFixed(2) + "%");
        at += share;
      });
      var ring = stops.length ? "conic-gradient(" + stops.join(",") + ")" : "#1d5c63";
      var label = c.count + " entr" + (c.count === 1 ? "y" : "ies") + " here" +
        (threats ? ", " + threats + " of them threats or cuts" : "") + ". Select to zoom in.";
      return {
        icon: L.divIcon({
          className: "cm-cluster-icon",
          html: '<span class="cm-cluster" style="width:' + size + "px;height:" + size +
            "px;background:" + ring + '"><span class="cm-cluster-count" aria-hidden="true">' + fmt(c.count) + "</span>" +
            (threats ? '<span class="cm-cluster-threats" aria-hidden="true"><svg class="cm-icon"><use href="#mi-warning"></use></svg>' + fmt(threats) + "</span>" : "") +
            '<span class="visually-hidden">' + esc(label) + "</span></span>",
          iconSize: [size, size],
          iconAnchor: [size / 2, size / 2],
        }),
        label: label,
      };
    }

    function markerIcon(m) {
      return L.divIcon({
        className: "cm-marker-icon",
        html: '<span class="cm-marker' + (m.threat ? " cm-marker-threat" : "") + '" style="--cm-colour:' + esc(m.colour) + '">' +
          '<svg class="cm-icon" aria-hidden="true" focusable="false"><use href="#mi-' + esc(m.icon) + '"></use></svg>' +
          '<span class="visually-hidden">' + esc(m.title) + " (" + esc(m.category_name) + ")</span></span>",
        iconSize: [32, 32],
        iconAnchor: [16, 16],
        popupAnchor: [0, -14],
      });
    }

    function popupHtml(m) {
      return '<p class="cm-popup-title"><a href="' + esc(m.url) + '">' + esc(m.title) + "</a></p>" +
        '<p class="cm-popup-meta">' + esc(m.category_name) + (m.verified ? " · ✓ Verified" : "") + "</p>";
    }

    function draw(data) {
      layer.clearLayers();
      data.clusters.forEach(function (c) {
        var made = clusterIcon(c);
        L.marker([c.lat, c.lng], { icon: made.icon, title: made.label, riseOnHover: true })
          .on("click", function () { map.setView([c.lat, c.lng], Math.min(map.getZoom() + 2, cfg.maxZoom)); })
          .addTo(layer);
      });
      data.markers.forEach(function (m) {
        L.marker([m.lat, m.lng], { icon: markerIcon(m), title: m.title, riseOnHover: true, zIndexOffset: m.threat ? 500 : 0 })
          .bindPopup(popupHtml(m))
          .addTo(layer);
      });
      el.dataset.clusters = String(data.clusters.length);
      el.dataset.markers = String(data.markers.length);
      el.dataset.total = String(data.total);
      if (!data.total) setStatus("Nothing matches in this part of the map.");
      else if (data.markers.length) setStatus("Showing " + data.markers.length + " of " + data.total + " entr" + (data.total === 1 ? "y" : "ies") + " in view.");
      else setStatus(data.total + " entries in view, in " + data.clusters.length + " groups. Zoom in to see them one by one.");
      if (!window.__cmFirstDraw) window.__cmFirstDraw = performance.now();
    }

    var inflight = null, seq = 0;
    function loadClusters() {
      var mine = ++seq;
      if (inflight) inflight.abort();
      inflight = typeof AbortController !== "undefined" ? new AbortController() : null;
      el.setAttribute("aria-busy", "true");
      fetch(cfg.clustersUrl + "?" + viewParams().toString(), { headers: { Accept: "application/json" }, signal: inflight ? inflight.signal : undefined })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (mine !== seq) return;
          el.removeAttribute("aria-busy");
          if (!res.ok) {
            var errs = res.body.errors || {};
            var first = Object.keys(errs).map(function (k) { return errs[k].join(" "); }).join(" ");
            setStatus("The map could not be shown: " + (first || res.body.message || "please try again."));
            return;
          }
          draw(res.body);
          listBounds = res.body.bounds.map(function (v) { return v.toFixed(6); }).join(",");
          loadList(1);
        })
        .catch(function (err) {
          if (err && err.name === "AbortError") return;
          if (mine === seq) setStatus("The map could not be loaded. Check your connection and try again.");
        });
    }

    // The list holds what the clusters count: the entries in the grid cells the view touches.
    var listSeq = 0, listBounds = null;
    function loadList(page) {
      if (!listEl) return;
      var mine = ++listSeq;
      var p = filterParams();
      p.set("bbox", listBounds || bboxParam());
      p.set("fragment", "1");
      if (page) p.set("page", String(page));
      listEl.setAttribute("aria-busy", "true");
      fetch(cfg.listUrl + "?" + p.toString(), { headers: { Accept: "text/html" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (mine !== listSeq) return;
          listEl.innerHTML = html;
          listEl.setAttribute("aria-busy", "false");
        })
        .catch(function () { if (mine === listSeq) listEl.innerHTML = "<p>The list could not be loaded.</p>"; });
    }

    function refresh() { loadClusters(); updateUrl(); }
    var refreshSoon = debounce(refresh, 150);

    // The first clusters are asked for at once, before any tile is requested.
    loadClusters();
    L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution }).addTo(map);
    updateUrl();

    map.on("moveend", refreshSoon);
    if (form) {
      form.addEventListener("change", refreshSoon);
      form.addEventListener("submit", function (ev) { ev.preventDefault(); refresh(); });
      var q = form.querySelector("[name=q]");
      if (q) q.addEventListener("input", debounce(refresh, 400));
    }
    if (listEl) {
      listEl.addEventListener("click", function (ev) {
        var a = ev.target.closest && ev.target.closest("a[data-page]");
        if (!a) return;
        ev.preventDefault();
        loadList(a.dataset.page);
        var heading = document.getElementById("cm-list-heading");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      });
    }
    var home = document.getElementById("cm-home");
    if (home) {
      home.addEventListener("click", function () {
        var centre = L.latLng(parseFloat(home.dataset.lat), parseFloat(home.dataset.lng));
        var radius = parseFloat(home.dataset.radius) || 1609;
        if (homeCircle) homeCircle.remove();
        homeCircle = L.circle(centre, { radius: radius, color: "#1d5c63", weight: 2, fill: false, dashArray: "4 4", interactive: false }).addTo(map);
        map.fitBounds(centre.toBounds(radius * 2), { padding: [12, 12] });
      });
    }
  }

  function init() { initCopy(); initMap(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
