/* The network map: sigma.js (WebGL) over a graphology graph, drawn from a stored layout.
 *
 * <div data-networkmap data-src="/network/<slug>/map.json" data-view="organiser|published" data-focus="id,id">
 *   with inside it: [data-map-canvas], [data-map-panel], [data-map-legend], [data-map-list] (a table),
 *   selects named colour, size, stream, skill, resource, strength, kcore, community, steps; a search
 *   form [data-map-search]; buttons [data-map-action=zoom-in|zoom-out|fit|png|clear].
 *
 * The payload (published.py): {nodes: [{id, label, kind, stream, x, y, degree, community, ...}],
 * edges: [[i, j, strength]], streams, skills, resources, areas, summary}. Positions come from the
 * server (no layout runs here), so the map is drawn at once even with 10,000 people.
 * Everything the map shows is also in the list below it (keyboard and screen-reader friendly), and
 * nothing from the data is ever inserted as HTML (textContent only). */
(function () {
  "use strict";

  var STREAM_COLOURS = { individual: "#6b3fa0", community: "#1d5c63", public: "#1f4e99", business: "#8a4b08", "": "#6b6b6b" };
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#7f7f00", "#393b79", "#637939", "#843c39"];
  var OTHER = "#9a9a9a", DIM = "#dddddd", DIM_EDGE = "#eeeeee", EDGE = "#b9c2c0", PAGE_SIZE = 25;
  var KIND_LABELS = { person: "Named person", anonymous: "Anonymous", unnamed: "Named by a respondent",
    organisation: "Organisation", respondent: "Respondent", named: "Named by a respondent" };
  var COLLATOR = new Intl.Collator("en-GB", { sensitivity: "base", numeric: true });
  var CONSENT_LABELS = { named: "Shown with name", anonymous: "Shown without name", hidden: "Not shown", "": "Did not answer" };

  function $(root, sel) { return root.querySelector(sel); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function fmt(v) {
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(3);
    if (v === true) return "yes";
    if (v === false) return "no";
    return v === null || v === undefined ? "" : String(v);
  }

  function NetworkMap(root) {
    this.root = root;
    this.view = root.dataset.view || "published";
    this.state = { hidden: new Set(), highlight: null, selected: null, page: 0, minStrength: 1 };
    this.form = $(root, "[data-map-controls]");
  }

  NetworkMap.prototype.start = function () {
    var self = this;
    var src = this.root.dataset.src;
    var status = $(this.root, "[data-map-loading]");
    var timings = (window.networkMapTimings = { start: performance.now() });
    fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); timings.response = performance.now(); return r.json(); })
      .then(function (data) { timings.parsed = performance.now(); self.draw(data); })
      .catch(function (err) {
        if (status) status.textContent = "The map could not be loaded (" + err.message + "). Please reload the page.";
      });
  };

  NetworkMap.prototype.draw = function (data) {
    var self = this;
    this.data = data;
    var nodes = data.nodes;
    var graph = new graphology.UndirectedGraph();
    this.graph = graph;
    var i;
    for (i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      // people without a name ("Someone ...") get no label on the picture, which would only be noise;
      // the panel and the list still say what they are
      var quiet = n.kind === "unnamed" || n.kind === "anonymous";
      graph.addNode(n.id, { x: n.x, y: -n.y, size: 3, color: OTHER, label: quiet ? "" : n.label, i: i });
    }
    var edges = data.edges;
    for (i = 0; i < edges.length; i++) {
      var e = edges[i], a = nodes[e[0]], b = nodes[e[1]];
      // the server sends each pair once (published.py), so no duplicate check is needed here
      if (a && b) graph.addUndirectedEdgeWithKey(i, a.id, b.id, { size: e[2] >= 3 ? 1.2 : 0.6, strength: e[2], color: EDGE });
    }
    var timings = window.networkMapTimings || {};
    timings.graph = performance.now();
    this.byName = nodes.slice().sort(function (a, b) { return COLLATOR.compare(a.label, b.label); });
    var rankOf = (this.rankOf = new Map());
    this.byName.forEach(function (n, rank) { rankOf.set(n.id, rank); });
    this.fillControls();
    this.applyColour();
    this.applySize();
    this.computeFilters();
    var container = $(this.root, "[data-map-canvas]");
    var large = nodes.length > 2000;
    if (this.noGL) {
      var note = $(this.root, "[data-map-loading]");
      if (note) note.textContent = "This browser cannot draw the map (WebGL is off). The list below has everyone on it.";
      this.bind(); this.renderList(); this.renderLegend(); this.root.dataset.ready = "1";
      return;
    }
    var programs = {};
    if (large && Sigma.rendering) {
      // thousands of people: one-pixel lines and point sprites draw several times faster than
      // the default quads, which matters most on machines without a GPU (software WebGL)
      programs = { edgeProgramClasses: { line: Sigma.rendering.EdgeLineProgram },
        nodeProgramClasses: { circle: Sigma.rendering.NodePointProgram } };
    }
    // Labels by importance and zoom, never on top of each other: sigma offers the biggest nodes of
    // each grid cell (more as one zooms in); a label that would overlap one already drawn in this
    // frame is left out, unless it is the chosen person's or one of those highlighted.
    var labelBoxes = (this.labelBoxes = []);
    var drawDisc = Sigma.rendering && Sigma.rendering.drawDiscNodeLabel;
    function drawLabel(ctx, data, settings) {
      if (!data.label || !drawDisc) return;
      var size = settings.labelSize;
      ctx.font = settings.labelWeight + " " + size + "px " + settings.labelFont;
      var x1 = data.x + data.size + 3, width = ctx.measureText(data.label).width;
      var box = { x1: x1 - 2, y1: data.y - size / 2 - 2, x2: x1 + width + 2, y2: data.y + size / 2 + 2 };
      if (!data.forceLabel) {
        for (var k = 0; k < labelBoxes.length; k++) {
          var b = labelBoxes[k];
          if (box.x1 < b.x2 && b.x1 < box.x2 && box.y1 < b.y2 && b.y1 < box.y2) return;
        }
      }
      box.key = data.key;
      labelBoxes.push(box);
      drawDisc(ctx, data, settings);
    }
    this.renderer = new Sigma(graph, container, Object.assign(programs, {
      hideEdgesOnMove: large,
      hideLabelsOnMove: large,
      labelRenderedSizeThreshold: large ? 9 : 6,
      labelDensity: large ? 0.5 : 1,
      labelGridCellSize: 120,
      defaultDrawNodeLabel: drawLabel,
      defaultEdgeColor: EDGE,
      minCameraRatio: 0.02,
      maxCameraRatio: 4,
      nodeReducer: function (node, attrs) { return self.nodeReducer(node, attrs); },
      edgeReducer: function (edge, attrs) { return self.edgeReducer(edge, attrs); },
    }));
    timings.sigma = performance.now();
    this.renderer.on("beforeRender", function () { labelBoxes.length = 0; });
    this.renderer.on("afterRender", function () { self.root.dataset.labels = String(labelBoxes.length); });
    this.renderer.on("clickNode", function (ev) { self.select(ev.node, true); });
    this.renderer.on("clickStage", function () { if (self.state.selected) self.clear(); });
    this.renderer.on("enterNode", function () { container.style.cursor = "pointer"; });
    this.renderer.on("leaveNode", function () { container.style.cursor = ""; });
    this.bind();
    this.renderList();
    this.renderLegend();
    var focus = (this.root.dataset.focus || "").split(",").filter(function (k) { return k && graph.hasNode(k); });
    if (focus.length) this.focusOn(focus);
    var loading = $(this.root, "[data-map-loading]");
    if (loading) loading.textContent = "";
    this.root.dataset.ready = "1";
    this.root.dataset.nodes = String(graph.order);
    this.root.dataset.edges = String(graph.size);
    window.networkMap = this;
    window.networkMapReadyAt = timings.ready = performance.now();
    this.root.dispatchEvent(new CustomEvent("networkmap:ready", { bubbles: true }));
  };

  NetworkMap.prototype.refresh = function () { if (this.renderer) this.renderer.refresh(); };

  /* ---- controls ---------------------------------------------------------------------------- */
  NetworkMap.prototype.control = function (name) { return this.root.querySelector("select[name=" + name + "]"); };

  function addOptions(select, pairs) {
    if (!select) return;
    pairs.forEach(function (p) { var o = el("option", p[1]); o.value = p[0]; select.appendChild(o); });
  }

  NetworkMap.prototype.fillControls = function () {
    var d = this.data, nodes = d.nodes;
    var streams = {}, communities = {};
    nodes.forEach(function (n) { streams[n.stream || ""] = 1; if (n.community >= 0) communities[n.community] = (communities[n.community] || 0) + 1; });
    addOptions(this.control("stream"), Object.keys(streams).filter(Boolean).map(function (s) { return [s, d.streams[s] || s]; }));
    addOptions(this.control("skill"), Object.keys(d.skills || {}).map(function (s) { return [s, d.skills[s]]; })
      .sort(function (a, b) { return a[1].localeCompare(b[1]); }));
    addOptions(this.control("resource"), Object.keys(d.resources || {}).map(function (s) { return [s, d.resources[s]]; })
      .sort(function (a, b) { return a[1].localeCompare(b[1]); }));
    addOptions(this.control("community"), Object.keys(communities).map(Number).sort(function (a, b) { return a - b; })
      .map(function (c) { return [String(c), "Group " + (c + 1) + " (" + communities[c] + " people)"]; }));
    var kcore = this.control("kcore");
    if (kcore) {
      var max = 0;
      nodes.forEach(function (n) { if (n.coreness > max) max = n.coreness; });
      var pairs = [];
      for (var k = 2; k <= max; k++) pairs.push([String(k), "In a core of " + k + " or more"]);
      addOptions(kcore, pairs);
    }
    if (this.control("skill") && !Object.keys(d.skills || {}).length) this.control("skill").disabled = true;
    if (this.control("resource") && !Object.keys(d.resources || {}).length) this.control("resource").disabled = true;
  };

  NetworkMap.prototype.bind = function () {
    var self = this, form = this.form;
    if (form) form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    this.root.addEventListener("change", function (ev) {
        if (ev.target.tagName !== "SELECT") return;
        var name = ev.target.name;
        if (name === "colour") { self.applyColour(); self.renderLegend(); }
        else if (name === "size") self.applySize();
        else if (name === "steps") { if (self.state.selected) self.select(self.state.selected, false); }
        else if (name === "sort") { self.state.page = 0; self.renderList(); return; }
        else if (name !== "q") { self.computeFilters(); self.state.page = 0; self.renderList(); self.renderLegend(); }
        self.refresh();
      });
    var search = $(this.root, "[data-map-search]");
    if (search) {
      var input = $(search, "input[type=search]");
      var run = function (ev) { if (ev) ev.preventDefault(); self.search(input.value); };
      search.addEventListener("submit", run);
    }
    this.root.addEventListener("click", function (ev) {
      var target = ev.target.closest("[data-map-action],[data-node]");
      if (!target || !self.root.contains(target)) return;
      if (target.dataset.node) { ev.preventDefault(); self.select(target.dataset.node, true); return; }
      var cam = self.renderer ? self.renderer.getCamera() : null;
      if (!cam && /zoom|fit|png/.test(target.dataset.mapAction)) return;
      switch (target.dataset.mapAction) {
        case "zoom-in": cam.animatedZoom({ duration: 200 }); break;
        case "zoom-out": cam.animatedUnzoom({ duration: 200 }); break;
        case "fit": cam.animatedReset({ duration: 200 }); break;
        case "clear": self.clear(); break;
        case "png": self.downloadPng(); break;
        case "prev": self.state.page = Math.max(0, self.state.page - 1); self.renderList(); break;
        case "next": self.state.page += 1; self.renderList(); break;
        default: return;
      }
      ev.preventDefault();
    });
  };

  NetworkMap.prototype.value = function (name) { var c = this.control(name); return c && !c.disabled ? c.value : ""; };

  /* ---- colour, size, filters ------------------------------------------------------------------ */
  NetworkMap.prototype.colourKey = function (n) {
    var by = this.value("colour") || "stream";
    if (by === "community") return n.community >= 0 ? String(n.community) : "";
    if (by === "position") return n.is_broker ? "broker" : n.is_isolate ? "isolate" : n.is_periphery ? "periphery" : "core";
    var v = n[by];
    return v === undefined || v === null ? "" : String(v);
  };

  NetworkMap.prototype.colourScale = function () {
    var by = this.value("colour") || "stream", nodes = this.data.nodes, counts = {}, self = this;
    nodes.forEach(function (n) { var k = self.colourKey(n); counts[k] = (counts[k] || 0) + 1; });
    var scale = {};
    if (by === "stream") {
      Object.keys(counts).forEach(function (k) { scale[k] = { colour: STREAM_COLOURS[k] || OTHER, label: k ? (self.data.streams[k] || k) : "Not said", count: counts[k] }; });
      return scale;
    }
    var named = { position: { broker: "Broker", isolate: "No ties", periphery: "On the edge", core: "Well connected" } };
    var keys = Object.keys(counts).filter(Boolean).sort(function (a, b) { return counts[b] - counts[a] || a.localeCompare(b); });
    keys.forEach(function (k, idx) {
      var label = k;
      if (by === "community") label = "Group " + (Number(k) + 1);
      else if (by === "kind") label = KIND_LABELS[k] || k;
      else if (by === "consent") label = CONSENT_LABELS[k] || k;
      else if (by === "area") label = (self.data.areas || {})[k] || k;
      else if (named[by]) label = named[by][k] || k;
      scale[k] = { colour: idx < PALETTE.length ? PALETTE[idx] : OTHER, label: idx < PALETTE.length ? label : "Other", count: counts[k] };
    });
    if (counts[""]) scale[""] = { colour: OTHER, label: by === "consent" ? CONSENT_LABELS[""] : "Not known", count: counts[""] };
    return scale;
  };

  NetworkMap.prototype.applyColour = function () {
    var self = this, nodes = this.data.nodes, scale = this.colourScale();
    this.scale = scale;
    this.graph.updateEachNodeAttributes(function (node, attrs) {
      var entry = scale[self.colourKey(nodes[attrs.i])];
      attrs.color = entry ? entry.colour : OTHER;
      return attrs;
    }, { attributes: ["color"] });
  };

  NetworkMap.prototype.applySize = function () {
    var by = this.value("size") || "degree", nodes = this.data.nodes, max = 0;
    nodes.forEach(function (n) { var v = Number(n[by]) || 0; if (v > max) max = v; });
    var small = nodes.length > 2000 ? 1.5 : 3, big = nodes.length > 2000 ? 9 : 14;
    this.graph.updateEachNodeAttributes(function (node, attrs) {
      var v = by === "none" || !max ? 0 : (Number(nodes[attrs.i][by]) || 0) / max;
      attrs.size = small + (big - small) * Math.sqrt(v);
      return attrs;
    }, { attributes: ["size"] });
  };

  NetworkMap.prototype.passes = function (n) {
    var stream = this.value("stream"), skill = this.value("skill"), resource = this.value("resource");
    var community = this.value("community"), kcore = Number(this.value("kcore") || 0);
    if (stream && n.stream !== stream) return false;
    if (skill && !(n.skills && n.skills[skill])) return false;
    if (resource && !(n.resources && n.resources[resource])) return false;
    if (community !== "" && String(n.community) !== community) return false;
    if (kcore && !(n.coreness >= kcore)) return false;
    return true;
  };

  NetworkMap.prototype.computeFilters = function () {
    var hidden = new Set(), nodes = this.data.nodes;
    for (var i = 0; i < nodes.length; i++) if (!this.passes(nodes[i])) hidden.add(nodes[i].id);
    this.state.hidden = hidden;
    this.state.minStrength = Number(this.value("strength") || 1);
    this.state.shown = nodes.length - hidden.size;
    var count = $(this.root, "[data-map-count]");
    if (count) {
      count.textContent = hidden.size ? "Showing " + this.state.shown.toLocaleString("en-GB") + " of " + nodes.length.toLocaleString("en-GB") + " on the map."
        : "Showing all " + nodes.length.toLocaleString("en-GB") + " on the map.";
    }
  };

  NetworkMap.prototype.nodeReducer = function (node, attrs) {
    var s = this.state;
    if (s.hidden.has(node)) return { x: attrs.x, y: attrs.y, size: attrs.size, hidden: true };
    if (s.highlight && !s.highlight.has(node)) return { x: attrs.x, y: attrs.y, size: attrs.size, color: DIM, label: "" };
    if (s.highlight || node === s.selected) {
      return { x: attrs.x, y: attrs.y, size: attrs.size, color: attrs.color,
        label: node === s.selected ? this.data.nodes[attrs.i].label : attrs.label,
        forceLabel: node === s.selected || s.highlight.size <= 40, highlighted: node === s.selected };
    }
    return attrs;
  };

  NetworkMap.prototype.edgeReducer = function (edge, attrs) {
    var s = this.state, g = this.graph;
    if (attrs.strength < s.minStrength) return { hidden: true };
    if (!s.highlight && !s.hidden.size) return attrs;
    var a = g.source(edge), b = g.target(edge);
    if (s.hidden.has(a) || s.hidden.has(b)) return { hidden: true };
    if (s.highlight) {
      if (!(s.highlight.has(a) && s.highlight.has(b))) return { color: DIM_EDGE, size: attrs.size, hidden: g.order > 2000 };
      return { color: "#3b4a47", size: attrs.size * 1.5 };
    }
    return attrs;
  };

  /* ---- search, select, ego network ------------------------------------------------------------ */
  NetworkMap.prototype.search = function (text) {
    var out = $(this.root, "[data-map-matches]"), q = (text || "").trim().toLowerCase();
    if (!out) return;
    out.textContent = "";
    if (!q) return;
    var matches = [];
    var nodes = this.data.nodes;
    for (var i = 0; i < nodes.length && matches.length < 12; i++) {
      if (nodes[i].label.toLowerCase().indexOf(q) !== -1) matches.push(nodes[i]);
    }
    if (!matches.length) { out.appendChild(el("p", "Nobody on the map matches “" + text.trim() + "”.")); return; }
    if (matches.length === 1) { this.select(matches[0].id, true); }
    var list = el("ul", null, "netmap-matches");
    matches.forEach(function (n) {
      var li = el("li"), b = el("button", n.label, "link-button");
      b.type = "button"; b.dataset.node = n.id;
      li.appendChild(b); list.appendChild(li);
    });
    out.appendChild(el("p", matches.length === 12 ? "The first 12 matches:" : matches.length + (matches.length === 1 ? " match:" : " matches:")));
    out.appendChild(list);
  };

  NetworkMap.prototype.ego = function (id, steps) {
    var g = this.graph, seen = new Set([id]), frontier = [id];
    for (var s = 0; s < steps; s++) {
      var next = [];
      frontier.forEach(function (n) { g.forEachNeighbor(n, function (m) { if (!seen.has(m)) { seen.add(m); next.push(m); } }); });
      frontier = next;
    }
    return seen;
  };

  NetworkMap.prototype.select = function (id, move) {
    if (!this.graph.hasNode(id)) return;
    var steps = Number(this.value("steps") || 1);
    this.state.selected = id;
    this.state.highlight = this.ego(id, steps);
    this.renderPanel(id);
    this.renderList();
    this.refresh();
    if (move && this.renderer) {
      var pos = this.renderer.getNodeDisplayData(id);
      if (pos) this.renderer.getCamera().animate({ x: pos.x, y: pos.y, ratio: Math.min(this.renderer.getCamera().ratio, 0.6) }, { duration: 300 });
    }
  };

  NetworkMap.prototype.focusOn = function (ids) {
    var highlight = new Set();
    var self = this;
    ids.forEach(function (id) { self.ego(id, 1).forEach(function (k) { highlight.add(k); }); });
    this.select(ids[0], true);
    this.state.highlight = highlight;
    this.renderList();
    this.refresh();
  };

  NetworkMap.prototype.clear = function () {
    this.state.selected = null;
    this.state.highlight = null;
    var panel = $(this.root, "[data-map-panel]");
    if (panel) { panel.hidden = true; panel.textContent = ""; }
    this.renderList();
    this.refresh();
  };

  NetworkMap.prototype.renderPanel = function (id) {
    var panel = $(this.root, "[data-map-panel]");
    if (!panel) return;
    var d = this.data, n = d.nodes[this.graph.getNodeAttribute(id, "i")], self = this;
    panel.textContent = "";
    panel.hidden = false;
    var head = el("h3", n.label);
    head.id = "netmap-panel-title";
    panel.appendChild(head);
    var facts = el("dl", null, "facts");
    function fact(term, value) {
      if (value === undefined || value === null || value === "") return;
      facts.appendChild(el("dt", term));
      facts.appendChild(el("dd", value));
    }
    fact("Who", KIND_LABELS[n.kind] || n.kind);
    fact("Stream", n.stream ? d.streams[n.stream] || n.stream : "");
    fact("Role", n.role);
    fact("Area", n.area ? (d.areas || {})[n.area] || n.area : "");
    fact("Works with", n.degree === 1 ? "1 person on this map" : fmt(n.degree) + " people on this map");
    fact("Group", n.community >= 0 ? "Group " + (n.community + 1) : "");
    if (this.view === "organiser") {
      fact("Consent", CONSENT_LABELS[n.consent || ""]);
      fact("Willing to share", n.willingness === undefined ? "" : fmt(n.willingness) + " out of 4");
      fact("Betweenness", fmt(n.betweenness));
      fact("Closeness", fmt(n.closeness));
      fact("PageRank", fmt(n.pagerank));
      fact("Core number", fmt(n.coreness));
      fact("Constraint", fmt(n.constraint));
      var roles = [];
      if (n.is_broker) roles.push("a broker between groups");
      if (n.is_periphery) roles.push("on the edge of the network");
      if (n.is_isolate) roles.push("not tied to anyone yet");
      fact("Position", roles.join("; "));
    }
    panel.appendChild(facts);
    var levels = function (title, values, names) {
      var keys = Object.keys(values || {});
      if (!keys.length) return;
      panel.appendChild(el("h4", title));
      var ul = el("ul", null, "tags");
      keys.forEach(function (k) { ul.appendChild(el("li", (names[k] || k) + (values[k] === "strong" ? " (strong)" : ""))); });
      panel.appendChild(ul);
    };
    levels("Skills", n.skills, d.skills || {});
    levels("Resources", n.resources, d.resources || {});
    if (n.needs && n.needs.length) {
      panel.appendChild(el("h4", "Needs"));
      panel.appendChild(el("p", n.needs.map(function (k) { return (d.skills || {})[k] || (d.resources || {})[k] || k; }).join(", ")));
    }
    if (n.url) {
      var link = el("a", "Their page in the directory");
      link.href = n.url;
      var p = el("p"); p.appendChild(link); panel.appendChild(p);
    }
    var neighbours = this.graph.neighbors(id);
    if (neighbours.length) {
      panel.appendChild(el("h4", "Works with"));
      var list = el("ul", null, "netmap-neighbours");
      neighbours.slice(0, 30).forEach(function (m) {
        var li = el("li"), b = el("button", d.nodes[self.graph.getNodeAttribute(m, "i")].label, "link-button");
        b.type = "button"; b.dataset.node = m; li.appendChild(b); list.appendChild(li);
      });
      panel.appendChild(list);
      if (neighbours.length > 30) panel.appendChild(el("p", "…and " + (neighbours.length - 30) + " more.", "muted small"));
    }
    var close = el("button", "Close", "button secondary");
    close.type = "button"; close.dataset.mapAction = "clear";
    panel.appendChild(close);
  };

  /* ---- legend and list ------------------------------------------------------------------------- */
  NetworkMap.prototype.renderLegend = function () {
    var box = $(this.root, "[data-map-legend]");
    if (!box) return;
    box.textContent = "";
    var scale = this.scale, list = el("ul", null, "netmap-legend-list");
    var keys = Object.keys(scale).sort(function (a, b) { return scale[b].count - scale[a].count; });
    var others = 0;
    keys.forEach(function (k) {
      var entry = scale[k];
      if (entry.label === "Other") { others += entry.count; return; }
      var li = el("li"), sw = el("span", null, "netmap-swatch");
      sw.style.background = entry.colour;
      sw.setAttribute("aria-hidden", "true");
      li.appendChild(sw);
      li.appendChild(document.createTextNode(entry.label + " (" + entry.count.toLocaleString("en-GB") + ")"));
      list.appendChild(li);
    });
    if (others) {
      var li = el("li"), sw = el("span", null, "netmap-swatch");
      sw.style.background = OTHER; sw.setAttribute("aria-hidden", "true");
      li.appendChild(sw); li.appendChild(document.createTextNode("Other groups (" + others.toLocaleString("en-GB") + ")"));
      list.appendChild(li);
    }
    box.appendChild(list);
    box.appendChild(el("p", "Bigger dots work with more people. Lines are ties; thicker lines are close ties.", "muted small"));
  };

  NetworkMap.prototype.rows = function () {
    var nodes = this.byName, s = this.state, out = [];
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      if (s.hidden.has(n.id)) continue;
      if (s.highlight && !s.highlight.has(n.id)) continue;
      out.push(n);
    }
    var sort = this.value("sort") || "name";
    var rankOf = this.rankOf;
    if (sort === "degree") out.sort(function (a, b) { return b.degree - a.degree || rankOf.get(a.id) - rankOf.get(b.id); });
    return out;
  };

  NetworkMap.prototype.renderList = function () {
    var table = $(this.root, "[data-map-list]");
    if (!table) return;
    var rows = this.rows(), d = this.data, organiser = this.view === "organiser";
    var pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    this.state.page = Math.min(this.state.page, pages - 1);
    var start = this.state.page * PAGE_SIZE, body = table.tBodies[0];
    body.textContent = "";
    rows.slice(start, start + PAGE_SIZE).forEach(function (n) {
      var tr = el("tr"), th = el("th"), b = el("button", n.label, "link-button");
      th.scope = "row"; b.type = "button"; b.dataset.node = n.id; th.appendChild(b); tr.appendChild(th);
      tr.appendChild(el("td", n.stream ? d.streams[n.stream] || n.stream : "—"));
      tr.appendChild(el("td", fmt(n.degree)));
      tr.appendChild(el("td", n.community >= 0 ? "Group " + (n.community + 1) : "—"));
      if (organiser) {
        tr.appendChild(el("td", fmt(n.betweenness)));
        tr.appendChild(el("td", n.is_broker ? "Broker" : n.is_isolate ? "No ties" : n.is_periphery ? "On the edge" : ""));
      }
      body.appendChild(tr);
    });
    var info = $(this.root, "[data-map-page]");
    if (info) {
      info.textContent = rows.length ? "People " + (start + 1) + "–" + Math.min(rows.length, start + PAGE_SIZE) + " of " + rows.length.toLocaleString("en-GB")
        + (this.state.highlight ? " around " + d.nodes[this.graph.getNodeAttribute(this.state.selected, "i")].label : "") : "Nobody matches these filters.";
    }
    var prev = $(this.root, "[data-map-action=prev]"), next = $(this.root, "[data-map-action=next]");
    if (prev) prev.disabled = this.state.page === 0;
    if (next) next.disabled = this.state.page >= pages - 1;
  };

  /* ---- PNG ------------------------------------------------------------------------------------- */
  NetworkMap.prototype.downloadPng = function () {
    var renderer = this.renderer;
    renderer.refresh();  // draw now, so the WebGL layers still hold the picture when copied
    var layers = renderer.getCanvases(), dims = renderer.getDimensions(), ratio = window.devicePixelRatio || 1;
    var out = document.createElement("canvas");
    out.width = dims.width * ratio; out.height = dims.height * ratio;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ["edges", "nodes", "edgeLabels", "labels", "hovers", "hoverNodes"].forEach(function (name) {
      if (layers[name]) ctx.drawImage(layers[name], 0, 0, out.width, out.height);
    });
    var link = document.createElement("a");
    link.download = (this.data.survey ? this.data.survey.slug : "network") + "-map.png";
    link.href = out.toDataURL("image/png");
    document.body.appendChild(link);
    link.click();
    link.remove();
  };

  function init() {
    document.querySelectorAll("[data-networkmap]").forEach(function (root) {
      if (root.dataset.started) return;
      root.dataset.started = "1";
      if (typeof Sigma === "undefined" || typeof graphology === "undefined") return;
      var map = new NetworkMap(root), probe = document.createElement("canvas");
      if (!(probe.getContext("webgl2") || probe.getContext("webgl"))) {
        map.noGL = true;
        root.classList.add("netmap-nowebgl");
      }
      map.start();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
