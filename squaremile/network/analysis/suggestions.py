"""Weaving suggestions: introductions that would strengthen the network, ranked, each with its
reason in plain words (using the labels of the people involved).

Four kinds (docs/network-analysis.md gives the rules and the scores in full):
* close_triangle: two people with at least MIN_COMMON contacts in common who are not tied; the
  introducer is the common contact with the strongest ties to both.
* connect_peripheral: a person with no or one tie (or only on the fringe of the network) and a
  well-connected person who shares a skill or resource with them, has what they need, or needs
  what they offer.
* bridge_clusters: two communities with few ties between them, through one person in each whose
  skills and needs complement each other (one offers what the other needs), or who share one.
* relieve_broker: a community whose every tie to the rest of the network passes through one person
  (inside it or outside): a second link from another member to someone on the other side.

Never a pair that is already tied, never a person with themselves, never the same pair twice.
Scores are in 0..1 (higher first); each kind contributes at most `per_kind` suggestions and no
person appears more than PER_PERSON times within a kind, so one hub does not fill the list.
"""

from __future__ import annotations

import heapq

import numpy as np
from scipy.sparse import csr_matrix, triu

from .graph import Built

MIN_COMMON = 2
MAX_COMMON_DEGREE = 1000  # contacts of more people than this do not count as common contacts
PER_PERSON = 2
TOP_PER_SLUG = 25  # well-connected people kept per skill/resource for matching
MAX_CLUSTERS = 40  # bridge suggestions look at the largest communities only
MIN_CLUSTER = 3
PAIRS_PER_CLUSTER_PAIR = 12  # candidate pairs scored for each pair of clusters


def names(labels: list[str]) -> str:
    if not labels:
        return ""
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def humanise(slug: str) -> str:
    return slug.replace("-", " ").replace("_", " ")


class _Picker:
    """Collects suggestions of one kind: distinct pairs, not tied, at most PER_PERSON per person."""

    def __init__(self, kind: str, adj: list[dict[int, int]], used: set[tuple[int, int]], limit: int):
        self.kind, self.adj, self.used, self.limit = kind, adj, used, limit
        self.items: list[tuple[float, int, int, int | None, str, int | None]] = []
        self.count: dict[int, int] = {}

    def ok(self, a: int, b: int) -> bool:
        pair = (a, b) if a < b else (b, a)
        return (
            a != b
            and b not in self.adj[a]
            and pair not in self.used
            and self.count.get(a, 0) < PER_PERSON
            and self.count.get(b, 0) < PER_PERSON
        )

    def add(self, score: float, a: int, b: int, via: int | None, reason: str, broker: int | None = None) -> bool:
        if len(self.items) >= self.limit or not self.ok(a, b):
            return False
        self.used.add((a, b) if a < b else (b, a))
        self.count[a] = self.count.get(a, 0) + 1
        self.count[b] = self.count.get(b, 0) + 1
        self.items.append((score, a, b, via, reason, broker))
        return True

    @property
    def full(self) -> bool:
        return len(self.items) >= self.limit


def suggest(
    built: Built,
    *,
    degree: list[int],
    between: np.ndarray,
    coreness: list[int],
    community: list[int],
    periphery: list[bool],
    per_kind: int = 10,
    skill_names: dict[str, str] | None = None,
) -> list[dict]:
    n = built.n
    if n < 2 or per_kind <= 0:
        return []
    adj = built.adjacency()
    used: set[tuple[int, int]] = set()
    ctx = _Context(built, adj, degree, between, community, skill_names)
    pickers = [
        _relieve_broker(ctx, _Picker("relieve_broker", adj, used, per_kind)),
        _close_triangles(ctx, _Picker("close_triangle", adj, used, per_kind)),
        _connect_peripheral(ctx, periphery, _Picker("connect_peripheral", adj, used, per_kind)),
        _bridge_clusters(ctx, _Picker("bridge_clusters", adj, used, per_kind)),
    ]
    out = []
    for picker in pickers:
        for score, a, b, via, reason, broker in picker.items:
            item = {
                "kind": picker.kind,
                "a": built.keys[a],
                "b": built.keys[b],
                "via": None if via is None else built.keys[via],
                "score": round(float(score), 4),
                "reason": reason,
            }
            if picker.kind == "relieve_broker":
                item["broker"] = built.keys[broker]  # the person the group depends on
            out.append(item)
    out.sort(key=lambda s: (-s["score"], s["kind"], s["a"], s["b"]))
    return out


class _Context:
    def __init__(self, built: Built, adj, degree, between, community, skill_names=None):
        self.built, self.adj, self.degree, self.between, self.community = built, adj, degree, between, community
        self.skill_names = skill_names or {}
        self.label = [built.label(i) for i in range(built.n)]
        self.offers = [node.offers() for node in built.nodes]
        self.needs = [set(node.needs or ()) for node in built.nodes]
        self.max_degree = max(degree) if degree else 0
        self._groups: dict[int, list[int]] | None = None

    def groups(self) -> dict[int, list[int]]:
        if self._groups is None:
            groups: dict[int, list[int]] = {}
            for i, c in enumerate(self.community):
                if c >= 0:
                    groups.setdefault(c, []).append(i)
            self._groups = groups
        return self._groups

    def group_name(self, c: int) -> str:
        members = self.groups()[c]
        hub = max(members, key=lambda i: (self.degree[i], -i))
        return f"the group around {self.label[hub]} ({len(members)} people)"

    def name(self, slug: str) -> str:
        """A skill or resource in words: its name when the caller gave one, else the slug humanised."""
        return self.skill_names.get(slug) or humanise(slug)

    def match(self, a: int, b: int) -> tuple[float, list[tuple[str, int, int, str]]]:
        """How well a and b fit: (points, reasons best first). A reason is (what, giver, taker, slugs):
        ("offers", g, t, slug) g can offer what t needs; ("shares", a, b, "x, y and z") both have them."""
        points = 0.0
        why: list[tuple[float, tuple[str, int, int, str]]] = []
        oa, ob = self.offers[a], self.offers[b]
        for giver, taker, offers in ((b, a, ob), (a, b, oa)):
            for slug in sorted(self.needs[taker]):
                if slug in offers:
                    p = 2.5 if offers[slug] == "strong" else 2.0
                    points += p
                    why.append((p, ("offers", giver, taker, self.name(slug))))
        shared = sorted(set(oa) & set(ob))
        if shared:
            points += min(3, len(shared))
            why.append((1.0, ("shares", a, b, names([self.name(s) for s in shared[:3]]))))
        why.sort(key=lambda w: -w[0])
        return points, [w for _, w in why]

    def say(self, reason: tuple[str, int, int, str]) -> str:
        what, x, y, slugs = reason
        if what == "offers":
            return f"{self.label[x]} can offer {slugs}, which {self.label[y]} needs"
        return f"{self.label[x]} and {self.label[y]} both have {slugs}"


def _close_triangles(ctx: _Context, picker: _Picker) -> _Picker:
    g = ctx.built.g
    n = g.vcount()
    if g.ecount() < 2:
        return picker
    edges = np.asarray(g.get_edgelist(), dtype=np.int64)
    w = np.asarray(g.es["weight"], dtype=np.float64)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    # A contact of very many people (the council everyone names) is left out as a common
    # contact: everybody has it in common, and the pair count would grow with its square.
    keep_hub = np.asarray(ctx.degree, dtype=np.int64)[cols] <= MAX_COMMON_DEGREE
    rows, cols = rows[keep_hub], cols[keep_hub]
    both = np.concatenate([w, w])[keep_hub]
    weights = csr_matrix((both, (rows, cols)), shape=(n, n))
    ones = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    common = triu(ones @ ones, k=1).tocoo()
    keep = common.data >= MIN_COMMON
    a_idx, b_idx, counts = common.row[keep], common.col[keep], common.data[keep]
    if len(a_idx) == 0:
        return picker
    strength = np.asarray((weights @ weights)[a_idx, b_idx]).ravel() / 9.0
    scores = 1.0 - 1.0 / (1.0 + strength)
    order = np.lexsort((b_idx, a_idx, -counts, -scores))
    adj, label = ctx.adj, ctx.label
    for k in order:
        if picker.full:
            break
        a, b = int(a_idx[k]), int(b_idx[k])
        if not picker.ok(a, b):
            continue
        shared = [c for c in adj[a] if c in adj[b] and ctx.degree[c] <= MAX_COMMON_DEGREE]
        shared.sort(key=lambda c: (-min(adj[a][c], adj[b][c]), -(adj[a][c] + adj[b][c]), -ctx.degree[c], c))
        via = shared[0]
        listed = [label[c] for c in shared[:3]]
        if len(shared) > 3:
            listed.append(f"{len(shared) - 3} other{'s' if len(shared) > 4 else ''}")
        reason = (
            f"{label[a]} and {label[b]} both work with {names(listed)} but not with each other. "
            f"{label[via]} could introduce them."
        )
        picker.add(float(scores[k]), a, b, via, reason)
    return picker


def _well_connected(ctx: _Context) -> list[int]:
    connected = [d for d in ctx.degree if d > 0]
    if not connected:
        return []
    cut = max(2.0, float(np.percentile(connected, 90)))
    return [i for i, d in enumerate(ctx.degree) if d >= cut]


def _connect_peripheral(ctx: _Context, periphery: list[bool], picker: _Picker) -> _Picker:
    hubs = _well_connected(ctx)
    if not hubs:
        return picker
    offering: dict[str, list[int]] = {}
    needing: dict[str, list[int]] = {}
    for h in sorted(hubs, key=lambda i: (-ctx.degree[i], i)):
        for slug in ctx.offers[h]:
            lst = offering.setdefault(slug, [])
            if len(lst) < TOP_PER_SLUG:
                lst.append(h)
        for slug in ctx.needs[h]:
            lst = needing.setdefault(slug, [])
            if len(lst) < TOP_PER_SLUG:
                lst.append(h)
    candidates = []
    for p in range(ctx.built.n):
        if not (periphery[p] or ctx.degree[p] == 0):
            continue
        seen: set[int] = set()
        for slug in ctx.offers[p]:
            seen.update(offering.get(slug, ()))
            seen.update(needing.get(slug, ()))
        for slug in ctx.needs[p]:
            seen.update(offering.get(slug, ()))
        best = None
        for h in seen:
            if h == p or h in ctx.adj[p]:
                continue
            points, why = ctx.match(p, h)
            if points <= 0:
                continue
            fit = 1.0 - 1.0 / (1.0 + points)
            reach = 0.5 + 0.5 * ctx.degree[h] / max(1, ctx.max_degree)
            score = fit * reach * (1.0 if ctx.degree[p] == 0 else 0.9)
            if best is None or (score, -h) > (best[0], -best[2]):
                best = (score, p, h, why)
        if best:
            candidates.append(best)
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    label = ctx.label
    for score, p, h, why in candidates:
        if picker.full:
            break
        d = ctx.degree[p]
        where = "has no ties in the network yet" if d == 0 else f"has only {d} tie{'s' if d != 1 else ''}"
        vias = [c for c in ctx.adj[p] if c in ctx.adj[h]]
        via = max(vias, key=lambda c: (min(ctx.adj[p][c], ctx.adj[h][c]), -c)) if vias else None
        what, giver, _taker, slugs = why[0]
        hub = f"{label[h]} is well connected ({ctx.degree[h]} ties)"
        if what == "offers" and giver == h:
            detail = f"{hub} and can offer {slugs}, which {label[p]} needs."
        else:
            detail = f"{ctx.say(why[0])}, and {hub}."
        reason = f"{label[p]} {where}. {detail}"
        if via is not None:
            reason += f" {label[via]} knows both and could introduce them."
        picker.add(score, p, h, via, reason)
    return picker


def _bridge_clusters(ctx: _Context, picker: _Picker) -> _Picker:
    groups = {c: m for c, m in ctx.groups().items() if len(m) >= MIN_CLUSTER}
    clusters = sorted(groups, key=lambda c: (-len(groups[c]), c))[:MAX_CLUSTERS]
    if len(clusters) < 2:
        return picker
    chosen = set(clusters)
    between: dict[tuple[int, int], int] = {}
    for a, b in ctx.built.g.get_edgelist():
        ca, cb = ctx.community[a], ctx.community[b]
        if ca != cb and ca in chosen and cb in chosen:
            pair = (ca, cb) if ca < cb else (cb, ca)
            between[pair] = between.get(pair, 0) + 1
    # per cluster: slug -> best few members offering it / needing it (strong first, then best connected)
    offer_idx: dict[int, dict[str, list[int]]] = {}
    need_idx: dict[int, dict[str, list[int]]] = {}
    for c in clusters:
        offers: dict[str, list[tuple]] = {}
        needs: dict[str, list[tuple]] = {}
        for i in groups[c]:
            for slug, level in ctx.offers[i].items():
                offers.setdefault(slug, []).append((level != "strong", -ctx.degree[i], i))
            for slug in ctx.needs[i]:
                needs.setdefault(slug, []).append((-ctx.degree[i], i))
        offer_idx[c] = {s: [t[-1] for t in heapq.nsmallest(3, v)] for s, v in offers.items()}
        need_idx[c] = {s: [t[-1] for t in heapq.nsmallest(3, v)] for s, v in needs.items()}
    candidates = []
    for x, c1 in enumerate(clusters):
        for c2 in clusters[x + 1 :]:
            links = between.get((min(c1, c2), max(c1, c2)), 0)
            # complementary pairs (one offers what the other needs) first, then shared interests;
            # only the first PAIRS_PER_CLUSTER_PAIR are scored
            pairs: dict[tuple[int, int], None] = {}
            for src, dst in ((c1, c2), (c2, c1)):
                for slug in sorted(need_idx[dst].keys() & offer_idx[src].keys()):
                    for a in offer_idx[src][slug][:2]:
                        for b in need_idx[dst][slug][:2]:
                            pairs[(a, b)] = None
            for slug in sorted(offer_idx[c2].keys() & offer_idx[c1].keys()):
                pairs[(offer_idx[c1][slug][0], offer_idx[c2][slug][0])] = None
            best = None
            for a, b in list(pairs)[:PAIRS_PER_CLUSTER_PAIR]:
                if b in ctx.adj[a]:
                    continue
                points, why = ctx.match(a, b)
                if points <= 0:
                    continue
                score = (1.0 - 1.0 / (1.0 + points)) / (1.0 + links / min(len(groups[c1]), len(groups[c2])))
                if best is None or (score, -min(a, b)) > (best[0], -min(best[1], best[2])):
                    best = (score, a, b, why, links)
            if best:
                candidates.append(best)
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    label = ctx.label
    for score, a, b, why, links in candidates:
        if picker.full:
            break
        ga, gb = ctx.group_name(ctx.community[a]), ctx.group_name(ctx.community[b])
        few = "no ties" if links == 0 else f"only {links} tie{'s' if links != 1 else ''}"
        reason = (
            f"{ga[0].upper() + ga[1:]} and {gb} have {few} between them. "
            f"{label[a]} and {label[b]} could bridge them: {ctx.say(why[0])}."
        )
        picker.add(score, a, b, None, reason)
    return picker


def _relieve_broker(ctx: _Context, picker: _Picker) -> _Picker:
    groups = ctx.groups()
    adj, degree, between, community, label = ctx.adj, ctx.degree, ctx.between, ctx.community, ctx.label
    found: dict[int, tuple] = {}  # broker -> best (score, a, b, via, reason)
    for c, members in groups.items():
        if len(members) < MIN_CLUSTER:
            continue
        inside: set[int] = set()
        outside: set[int] = set()
        for u in members:
            for v in adj[u]:
                if community[v] != c:
                    inside.add(u)
                    outside.add(v)
        if not inside or (len(inside) > 1 and len(outside) > 1):
            continue
        options = []
        if len(inside) == 1:
            options.append(next(iter(inside)))
        if len(outside) == 1:
            options.append(next(iter(outside)))
        broker = max(options, key=lambda i: (between[i], -i))
        member_set = set(members)
        # a: another member of the group (best connected; one already tied to the broker first)
        group_side = [u for u in members if u != broker]
        group_side.sort(key=lambda u: (broker not in adj[u], -degree[u], u))
        # b: someone on the other side, not the broker (the broker's contacts first, then well connected)
        if broker in member_set:
            other_side = [v for v in adj[broker] if v not in member_set]
        else:
            other_side = [v for v in adj[broker] if v not in member_set and v != broker]
        other_side.sort(key=lambda v: (-degree[v], v))
        size = len(members) - (1 if broker in member_set else 0)
        score = 1.0 - 1.0 / (1.0 + size / 4.0)
        pick = None
        for a in group_side[:10]:
            for b in other_side[:10]:
                if a != b and b not in adj[a] and picker.ok(a, b):
                    pick = (a, b)
                    break
            if pick:
                break
        if not pick:
            continue
        a, b = pick
        via = broker if (broker in adj[a] and broker in adj[b]) else None
        group = ctx.group_name(c)
        reason = (
            f"{group[0].upper() + group[1:]} is linked to the rest of the network only through {label[broker]}: "
            f"if {label[broker]} stepped back, {size} {'person' if size == 1 else 'people'} would be cut off. "
            f"A tie between {label[a]} and {label[b]} would give them a second link."
        )
        if via is not None:
            reason += f" {label[broker]} knows both and could introduce them."
        if broker not in found or score > found[broker][0]:
            found[broker] = (score, a, b, via, reason, broker)
    for score, a, b, via, reason, broker in sorted(found.values(), key=lambda f: (-f[0], f[1], f[2])):
        picker.add(score, a, b, via, reason, broker)
    return picker
