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
    // Other apps' layers (static/js/maplayers.js) draw on this map once it exists.
    window.SquareMileMap = map;
    document.dispatchEvent(new CustomEvent("squaremile:map-ready", { detail: { map: map } }));

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
      if (popupKey && popupKey.indexOf("m:") === 0) p.set("entry", popupKey.slice(2));
      var shownLayers = new URLSearchParams(location.search).get("layers");  // kept for static/js/maplayers.js
      if (shownLayers) p.set("layers", shownLayers);
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

    // ---- the one pop-up ----
    // A single pop-up belongs to the map, not to a marker: redrawing the markers (after a pan, a
    // reload, a filter) never takes it away, and selecting the marker it shows again keeps it open
    // (Leaflet's bound pop-ups toggle shut on a second tap).
    var popup = L.popup({ autoPanPadding: [16, 16], maxWidth: 300, className: "cm-popup" });
    var popupKey = null;
    function openPopup(key, latlng, html, focus) {
      if (popupKey === key && map.hasLayer(popup)) return;
      popupKey = key;
      popup.setLatLng(latlng).setContent(html).openOn(map);
      updateUrl();
      // Opened from the keyboard: the focus goes into the pop-up (its first link), Escape closes it.
      if (focus || byKey) {
        var first = popup.getElement() && popup.getElement().querySelector(".leaflet-popup-content a, .leaflet-popup-content button");
        if (first) first.focus();
      }
    }
    function openEntry(m, latlng) { openPopup("m:" + m.id, latlng || [m.lat, m.lng], popupHtml(m)); }
    map.on("popupclose", function (ev) {
      if (ev.popup !== popup) return;
      popupKey = null;
      updateUrl();
    });
    var byKey = false;  // the selection being handled came from the keyboard
    function onSelect(marker, fn) {
      marker.on("click", function () { byKey = false; fn(); });
      marker.on("keypress", function (ev) {
        var k = ev.originalEvent && ev.originalEvent.key;
        if (k !== "Enter" && k !== " ") return;
        ev.originalEvent.preventDefault();
        byKey = true;
        try { fn(); } finally { byKey = false; }
      });
    }
    document.addEventListener("keydown", function (ev) {
      var box = popup.getElement();
      if (ev.key === "Escape" && map.hasLayer(popup) && box && box.contains(document.activeElement)) map.closePopup(popup);
    });
    popup.on("remove", function () {
      // back to the map after closing a pop-up with Escape or its ×, not to the top of the page
      if (popup.getElement() && popup.getElement().contains(document.activeElement)) el.focus();
    });

    // ---- piles: entries drawn on top of each other ----
    var PILE_PX = 12;      // markers whose centres are closer than this hide each other
    var SPREAD_PX = 24;    // ... and still would at the deepest zoom: spread them or list them
    var SPIDER_MAX = 16;   // up to this many are spread round the spot; more are listed
    var spider = null;     // {key, layers}

    function piles(markers) {
      var cells = {}, out = [];
      markers.forEach(function (m) {
        var pt = map.project([m.lat, m.lng], map.getZoom());
        var cx = Math.floor(pt.x / PILE_PX), cy = Math.floor(pt.y / PILE_PX), found = null;
        for (var dx = -1; dx <= 1 && !found; dx++) {
          for (var dy = -1; dy <= 1 && !found; dy++) {
            (cells[(cx + dx) + ":" + (cy + dy)] || []).some(function (g) {
              if (Math.abs(g.x - pt.x) < PILE_PX && Math.abs(g.y - pt.y) < PILE_PX) { found = g; return true; }
              return false;
            });
          }
        }
        if (found) { found.items.push(m); return; }
        var g = { x: pt.x, y: pt.y, items: [m] };
        (cells[cx + ":" + cy] = cells[cx + ":" + cy] || []).push(g);
        out.push(g);
      });
      return out.map(function (g) { return g.items; });
    }

    function pileCentre(items) {
      var lat = 0, lng = 0;
      items.forEach(function (m) { lat += m.lat; lng += m.lng; });
      return L.latLng(lat / items.length, lng / items.length);
    }

    function pileIcon(items) {
      var threats = items.filter(function (m) { return m.threat; }).length;
      var label = items.length + " entries at this spot" + (threats ? ", " + threats + " of them threats or cuts" : "") + ". Select to see them.";
      var size = Math.round(34 + 10 * Math.log10(items.length));
      return {
        icon: L.divIcon({
          className: "cm-pile-icon",
          html: '<span class="cm-pile" style="width:' + size + "px;height:" + size + 'px">' +
            '<span class="cm-cluster-count" aria-hidden="true">' + fmt(items.length) + "</span>" +
            (threats ? '<span class="cm-cluster-threats" aria-hidden="true"><svg class="cm-icon"><use href="#mi-warning"></use></svg>' + fmt(threats) + "</span>" : "") +
            '<span class="visually-hidden">' + esc(label) + "</span></span>",
          iconSize: [size, size],
          iconAnchor: [size / 2, size / 2],
        }),
        label: label,
      };
    }

    function listHtml(heading, items) {
      return '<p class="cm-popup-title">' + esc(heading) + '</p><ul class="cm-pile-list">' +
        items.map(function (m) {
          return '<li><a href="' + esc(m.url) + '">' + esc(m.title) + '</a> <span class="cm-popup-meta">' + esc(m.category_name) + "</span></li>";
        }).join("") + "</ul>";
    }

    function unspider() {
      if (!spider) return;
      spider.layers.forEach(function (l) { l.remove(); });
      if (spider.pile) spider.pile.setOpacity(1);
      spider = null;
    }

    // Spread a pile round its spot: each entry on its own marker, on a circle (or a spiral when
    // many), with a line back to where they all are.
    function spiderfy(key, pileMarker, items) {
      unspider();
      var centre = pileMarker.getLatLng(), z = map.getZoom(), origin = map.project(centre, z);
      var n = items.length, layers = [];
      var points = [];
      if (n <= 8) {
        var r = Math.max(44, 44 * n / (2 * Math.PI) * 1.1);
        for (var i = 0; i < n; i++) { var a = -Math.PI / 2 + i * 2 * Math.PI / n; points.push([r * Math.cos(a), r * Math.sin(a)]); }
      } else {
        var angle = 0, radius = 34;
        for (var j = 0; j < n; j++) {
          angle += 38 / radius + 0.1; radius += 30 / (2 * Math.PI) * (38 / radius + 0.1) * 1.2;
          points.push([radius * Math.cos(angle), radius * Math.sin(angle)]);
        }
      }
      items.forEach(function (m, k) {
        var at = map.unproject(origin.add(L.point(points[k][0], points[k][1])), z);
        layers.push(L.polyline([centre, at], { color: "#123e43", weight: 2, opacity: 0.7, interactive: false }).addTo(map));
        var mk = L.marker(at, { icon: markerIcon(m), title: m.title, zIndexOffset: 1000 }).addTo(map);
        onSelect(mk, function () { openEntry(m, at); });
        layers.push(mk);
      });
      pileMarker.setOpacity(0.35);
      spider = { key: key, layers: layers, pile: pileMarker };
      if (byKey && layers[1] && layers[1].getElement()) layers[1].getElement().focus();
    }

    function selectPile(key, pileMarker, items) {
      var bounds = L.latLngBounds(items.map(function (m) { return [m.lat, m.lng]; }));
      var deepest = cfg.maxZoom;
      var apart = map.project(bounds.getNorthEast(), deepest).distanceTo(map.project(bounds.getSouthWest(), deepest));
      if (map.getZoom() < deepest && apart >= SPREAD_PX) {
        // zooming in parts them: go as deep as it takes
        map.fitBounds(bounds, { padding: [40, 40], maxZoom: deepest });
        return;
      }
      if (items.length <= SPIDER_MAX) {
        if (spider && spider.key === key) return;
        spiderfy(key, pileMarker, items);
      } else {
        openPopup(key, pileMarker.getLatLng(), listHtml(items.length + " entries at this spot", items));
      }
    }

    // A cluster that cannot be zoomed into any further: list its entries, a page at a time, from the
    // read API (the same filters, the entries of the spot the cluster is drawn for).
    function listCluster(c, latlng) {
      var z = map.getZoom(), pt = map.project(latlng, z), r = 72;
      var sw = map.unproject(pt.add([-r, r]), z), ne = map.unproject(pt.add([r, -r]), z);
      var key = "c:" + c.lat + "," + c.lng;
      var shown = [], focus = byKey;
      function page(offset) {
        var p = filterParams();
        p.set("bbox", [sw.lng, sw.lat, ne.lng, ne.lat].map(function (v) { return v.toFixed(6); }).join(","));
        p.set("limit", "100");
        p.set("offset", String(offset));
        fetch(cfg.entriesUrl + "?" + p.toString(), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (body) {
            (body.features || []).forEach(function (f) {
              var q = f.properties;
              shown.push({ id: f.id, title: q.title, category_name: q.category_name, url: q.url });
            });
            var html = listHtml(body.count + " entries here", shown) +
              (body.next_offset !== null && body.next_offset !== undefined ? '<p><button type="button" class="button secondary cm-more">Show more</button></p>' : "");
            var oldList = popup.getElement() && map.hasLayer(popup) && popupKey === key && popup.getElement().querySelector(".cm-pile-list");
            var scrolled = oldList ? oldList.scrollTop : 0;
            popupKey = null;
            var before = shown.length - (body.features || []).length;
            openPopup(key, latlng, html, focus && before === 0);
            var newList = popup.getElement().querySelector(".cm-pile-list");
            if (newList) newList.scrollTop = scrolled;
            if (focus && before > 0) {
              var links = popup.getElement().querySelectorAll(".cm-pile-list a");
              if (links[before]) links[before].focus();
            }
            focus = false;
            var more = popup.getElement() && popup.getElement().querySelector(".cm-more");
            if (more) more.addEventListener("click", function () {
              if (more.disabled) return;
              more.disabled = true;
              more.textContent = "Loading…";
              focus = true;
              page(body.next_offset);
            });
          })
          .catch(function () { openPopup(key, latlng, "<p>The entries could not be loaded.</p>"); });
      }
      page(0);
    }

    // ---- drawing: keep what has not changed ----
    // Each thing on the map has a key (an entry's id; a cluster's spot and counts; a pile's ids).
    // A redraw removes what is gone and adds what is new, so markers that stay are not touched:
    // nothing flickers, and focus and pop-ups stay where they are.
    var drawn = {};
    function draw(data) {
      var want = {};
      data.clusters.forEach(function (c) {
        var key = "c:" + c.lat + "," + c.lng + "," + c.count + "," + JSON.stringify(c.categories);
        want[key] = function () {
          var made = clusterIcon(c), at = L.latLng(c.lat, c.lng);
          var mk = L.marker(at, { icon: made.icon, title: made.label, riseOnHover: true });
          onSelect(mk, function () {
            if (map.getZoom() >= cfg.maxZoom) listCluster(c, at);
            else map.setView(at, Math.min(map.getZoom() + 2, cfg.maxZoom));
          });
          return mk;
        };
      });
      piles(data.markers).forEach(function (items) {
        if (items.length === 1) {
          var m = items[0];
          want["m:" + m.id] = function () {
            var mk = L.marker([m.lat, m.lng], { icon: markerIcon(m), title: m.title, riseOnHover: true, zIndexOffset: m.threat ? 500 : 0 });
            onSelect(mk, function () { openEntry(m, mk.getLatLng()); });
            return mk;
          };
          return;
        }
        var ids = items.map(function (x) { return x.id; }).sort(function (a, b) { return a - b; });
        var key = "p:" + ids.join(",");
        want[key] = function () {
          var made = pileIcon(items);
          var mk = L.marker(pileCentre(items), { icon: made.icon, title: made.label, riseOnHover: true, zIndexOffset: 800 });
          onSelect(mk, function () { selectPile(key, mk, items); });
          return mk;
        };
      });
      Object.keys(drawn).forEach(function (key) {
        if (!want[key]) { drawn[key].remove(); delete drawn[key]; }
      });
      Object.keys(want).forEach(function (key) {
        if (!drawn[key]) drawn[key] = want[key]().addTo(layer);
      });
      if (spider && !drawn[spider.key]) unspider();
      el.dataset.clusters = String(data.clusters.length);
      el.dataset.markers = String(data.markers.length);
      el.dataset.total = String(data.total);
      el.dataset.piles = String(Object.keys(drawn).filter(function (k) { return k.charAt(0) === "p"; }).length);
      el.dataset.inView = data.in_view === null || data.in_view === undefined ? "" : String(data.in_view);
      // Clusters are counted by whole grid cells, which reach past the edges of the view: "about".
      // With markers, the entries inside the view are counted exactly.
      var entries = function (n) { return n.toLocaleString() + " entr" + (n === 1 ? "y" : "ies"); };
      if (!data.total) setStatus("Nothing matches in this part of the map.");
      else if (data.markers.length) {
        if (!data.in_view) setStatus("Nothing matches inside this view; the nearest entries are just outside it.");
        else setStatus(entries(data.in_view) + " in view.");
      } else setStatus("About " + entries(data.total) + " in view, in " + data.clusters.length + " groups. Zoom in to see them one by one.");
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

    // A pop-up that pans the map to fit itself does not reload the map (the reload used to redraw
    // the markers and take the pop-up away); the address still follows the view.
    var autopanning = false;
    map.on("autopanstart", function () { autopanning = true; });
    map.on("moveend", function () {
      if (autopanning) { autopanning = false; updateUrl(); return; }
      refreshSoon();
    });
    map.on("zoomstart", unspider);
    map.on("click", unspider);

    // "See it on the community map" (?entry=<id>): open that entry's pop-up where it is.
    if (cfg.entry) {
      fetch(cfg.entryUrl.replace("/0", "/" + cfg.entry), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (m) { if (m && popupKey === null) openEntry(m, [m.lat, m.lng]); })
        .catch(function () { /* the view is still right */ });
    }
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
