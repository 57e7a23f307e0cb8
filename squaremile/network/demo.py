"""Demo data for network mapping: "Kettleby network map 2026", a survey with a few hundred answers.

`seed_network(rng=..., first_names=..., surnames=..., wards=..., respondents=300)` makes a survey owned
by the demo organiser (organiser@example.org) with:

* respondents in ward-sized communities (most of their ties stay inside their ward and stream; a few
  brokers reach across), a realistic mix of consent (about 70% named, 20% anonymous, 10% hidden);
* ties to directory organisations (when the directory is seeded) and to typed names of people who did
  not answer, some typed with near-duplicate spellings, so the names review has suggestions;
* skills, resources and needs from the taxonomy, willingness to share;
* a second round in which most people answer again with a few more ties, and some newcomers.

Written in bulk (a few dozen queries, not one per row); the same seed gives the same survey.
Run it after the directory demo (it reuses its organisations and its organiser account); without
them it still works, with no organisation ties.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from rapidfuzz import fuzz, process

from squaremile.accounts.models import Role, User
from squaremile.directory.models import Organisation, ResourceKind, Skill
from squaremile.network.models import (
    Audience,
    Consent,
    MergeSuggestion,
    Node,
    NodeKind,
    Response,
    ResponseResource,
    ResponseSkill,
    ResponseSource,
    Round,
    Survey,
    Tie,
    TieOrigin,
)
from squaremile.network.surveys.names import FUZZY_CUTOFF, normalise
from squaremile.network.surveys.questions import default_consent_text

TITLE = "Kettleby network map 2026"
SLUG = "kettleby-network-map-2026"
ORGANISER_EMAIL = "organiser@example.org"
CONSENT_WEIGHTS = [(Consent.NAMED, 70), (Consent.ANONYMOUS, 20), (Consent.HIDDEN, 10)]
STREAM_WEIGHTS = [("community", 50), ("individual", 25), ("public", 12), ("business", 13)]
ROLES = {
    "community": ["Volunteer", "Trustee", "Group organiser", "Chair", "Coordinator"],
    "individual": ["Resident", "Neighbour", "Carer", "Campaigner", "Parent"],
    "public": ["Councillor", "Community development worker", "Librarian", "Health visitor", "Youth worker"],
    "business": ["Shop owner", "Café owner", "Sole trader", "Manager", "Social entrepreneur"],
}
INTRODUCTION = (
    "Who works with whom in Kettleby? This short questionnaire helps us draw the town's network: who is "
    "connected, who could be, and which skills and resources are waiting to be shared.\n\n"
    "It takes about five minutes. Thank you!"
)


def _misspell(rng: random.Random, name: str) -> str:
    """A near-duplicate spelling, as people type names: a dropped or doubled letter, a swapped pair,
    a different case or a missing apostrophe."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(letters) < 5:
        return name.lower()
    i = rng.choice(letters[1:-1])
    kind = rng.randrange(4)
    if kind == 0:
        return name[:i] + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    if kind == 2 and i + 1 < len(name) and name[i + 1].isalpha():
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name.replace("'", "").lower() if "'" in name else name[:i] + name[i + 1 :]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


class _Builder:
    def __init__(self, survey: Survey, rng: random.Random):
        self.survey, self.rng = survey, rng
        self.nodes: dict[str, Node] = {}  # match key -> node

    def node(self, label: str, kind: str, organisation=None) -> Node:
        key = normalise(label)
        found = self.nodes.get(key)
        if found is None:
            found = Node(survey=self.survey, kind=kind, label=label, match_key=key, organisation=organisation)
            self.nodes[key] = found
        return found

    def save_nodes(self) -> None:
        new = [n for n in self.nodes.values() if n.pk is None]
        Node.objects.bulk_create(new)
        if any(n.pk is None for n in new):  # databases that do not return ids from a bulk insert
            ids = dict(Node.objects.filter(survey=self.survey).values_list("match_key", "id"))
            for n in new:
                n.pk = n.id = ids[n.match_key]


def _token_hash(rng: random.Random) -> str:
    return hashlib.sha256(rng.randbytes(24)).hexdigest()


def seed_network(
    *,
    rng: random.Random,
    first_names: list[str],
    surnames: list[str],
    wards: list[str],
    respondents: int = 300,
    stdout=None,
) -> dict:
    """Create (or re-create) the demo survey. Returns counts and timings. The names of people and wards
    come from the caller (the demo app's word lists), so that this app does not import the demo."""
    started = time.perf_counter()
    with transaction.atomic():
        result = _seed(rng, max(10, int(respondents)), first_names, surnames, wards)
    result["seconds"] = round(time.perf_counter() - started, 2)
    if stdout is not None:
        c = result["counts"]
        stdout.write(
            f"  network: “{TITLE}”: {c['responses']} answers in 2 rounds, {c['nodes']} people and groups, "
            f"{c['ties']} ties, {c['suggestions']} names to review ({result['seconds']} s)\n"
        )
    return result


def _seed(rng: random.Random, respondents: int, first_names: list[str], surnames: list[str], wards: list[str]) -> dict:
    owner = User.objects.filter(email__iexact=ORGANISER_EMAIL).first()
    if owner is None:
        owner = User.objects.create_user(email=ORGANISER_EMAIL, role=Role.ORGANISER)
        owner.set_unusable_password()
        owner.save()
    old = Survey.objects.filter(slug=SLUG).first()
    if old is not None:
        Tie.objects.filter(round__survey=old).delete()
        Response.objects.filter(round__survey=old).delete()
        old.delete()

    now = timezone.now()
    survey = Survey.objects.create(
        title=TITLE,
        slug=SLUG,
        owner=owner,
        introduction=INTRODUCTION,
        consent_text=default_consent_text(5),
        audience=Audience.LINK,
        anonymity_threshold=5,
        opens_at=now - timezone.timedelta(days=120),
    )
    round1 = Round.objects.create(
        survey=survey, number=1, label="Spring gathering", opens_at=survey.opens_at,
        closes_at=now - timezone.timedelta(days=30),
    )  # fmt: skip
    round2 = Round.objects.create(
        survey=survey, number=2, label="Autumn gathering", opens_at=now - timezone.timedelta(days=30)
    )

    skills = list(Skill.objects.order_by("slug").values_list("id", "family_id"))
    resources = list(ResourceKind.objects.order_by("slug").values_list("id", flat=True))
    orgs = list(Organisation.objects.order_by("slug").only("id", "name", "stream")[:400])
    clusters = wards[: max(4, min(len(wards), respondents // 30))]
    org_cluster = {org.pk: clusters[i % len(clusters)] for i, org in enumerate(rng.sample(orgs, len(orgs)))}
    orgs_by_cluster = defaultdict(list)
    for org in orgs:
        orgs_by_cluster[org_cluster[org.pk]].append(org)

    b = _Builder(survey, rng)

    # people: respondents, each in a ward (a community) with a stream; some are brokers
    used_names: set[str] = set()

    def person_name() -> str:
        while True:
            name = f"{rng.choice(first_names)} {rng.choice(surnames)}"
            if normalise(name) not in used_names:
                used_names.add(normalise(name))
                return name

    people = []
    for i in range(respondents + respondents // 10):
        cluster = clusters[min(len(clusters) - 1, int(rng.random() ** 1.2 * len(clusters)))]
        stream = _weighted(rng, STREAM_WEIGHTS)
        people.append({
            "name": person_name(), "cluster": cluster, "stream": stream,
            "broker": rng.random() < 0.06, "newcomer": i >= respondents,
        })  # fmt: skip
    # people others name who never answer, some of them typed in more than one way
    others = [{"name": person_name(), "cluster": rng.choice(clusters)} for _ in range(respondents // 3)]
    for p in people + others:
        p["node"] = None
    by_cluster = defaultdict(list)
    for p in people:
        by_cluster[p["cluster"]].append(p)
    others_by_cluster = defaultdict(list)
    for o in others:
        others_by_cluster[o["cluster"]].append(o)

    def tie_targets(p, count: int) -> list[tuple[str, object]]:
        """(label, organisation) of who a person names: mostly their own ward."""
        out = []
        for _ in range(count):
            roll = rng.random()
            cross = 0.45 if p["broker"] else 0.05
            if roll < cross:
                q = rng.choice(people)
                out.append((q["name"], None))
            elif roll < cross + 0.12 and orgs_by_cluster[p["cluster"]]:
                org = rng.choice(orgs_by_cluster[p["cluster"]])
                label = org.name if rng.random() > 0.08 else _misspell(rng, org.name)
                out.append((label, org if label == org.name else None))
            elif roll < cross + 0.27 and others_by_cluster[p["cluster"]]:
                o = rng.choice(others_by_cluster[p["cluster"]])
                label = o["name"] if rng.random() > 0.12 else _misspell(rng, o["name"])
                out.append((label, None))
            else:
                q = rng.choice(by_cluster[p["cluster"]])
                out.append((q["name"] if rng.random() > 0.02 else _misspell(rng, q["name"]), None))
        return out

    for p in people:
        p["node"] = b.node(p["name"], NodeKind.RESPONDENT)
    plans = {}
    for rnd in (1, 2):
        for p in people:
            if (rnd == 1 and p["newcomer"]) or (rnd == 2 and not p["newcomer"] and rng.random() > 0.65):
                continue
            count = rng.randint(2, 7) + (4 if p["broker"] else 0)
            targets = tie_targets(p, count)
            if rnd == 2 and (1, p["name"]) in plans:
                targets = plans[(1, p["name"])]["targets"] + tie_targets(p, rng.randint(1, 3))
            plans[(rnd, p["name"])] = {"person": p, "targets": targets}
            for label, org in targets:
                if org is not None:
                    b.node(org.name, NodeKind.ORGANISATION, organisation=org)
                elif normalise(label) not in b.nodes:
                    b.node(label, NodeKind.NAMED)
    # names typed exactly like a directory organisation are that organisation
    org_by_key = {normalise(o.name): o for o in orgs}
    for key, node in b.nodes.items():
        if node.kind == NodeKind.NAMED and key in org_by_key:
            node.kind, node.organisation = NodeKind.ORGANISATION, org_by_key[key]
    b.save_nodes()

    # answers
    responses: list[Response] = []
    answers_of: dict[tuple[int, str], dict] = {}
    for (rnd, name), plan in plans.items():
        p = plan["person"]
        earlier = answers_of.get((1, name))
        if earlier is None:
            consent = _weighted(rng, CONSENT_WEIGHTS)
            willingness = _weighted(rng, [(0, 5), (1, 15), (2, 35), (3, 30), (4, 15)])
            fams = rng.sample(sorted({f for _s, f in skills}), k=min(2, len({f for _s, f in skills}))) if skills else []
            family_skills = [s for s, f in skills if f in fams]
            own_skills = {s: ("strong" if rng.random() < 0.35 else "some")
                          for s in rng.sample(family_skills, k=min(len(family_skills), rng.randint(1, 5)))}  # fmt: skip
            own_resources = {r: ("strong" if rng.random() < 0.3 else "some")
                             for r in rng.sample(resources, k=min(len(resources), rng.randint(0, 3)))}  # fmt: skip
            needs = rng.sample([s for s, _f in skills], k=min(len(skills), rng.randint(0, 3)))
            needs_res = rng.sample(resources, k=min(len(resources), rng.randint(0, 2)))
            facts = {
                "consent": consent, "willingness": willingness, "skills": own_skills, "resources": own_resources,
                "needs": needs, "needs_res": needs_res, "role": rng.choice(ROLES[p["stream"]]),
            }  # fmt: skip
        else:
            facts = dict(earlier)
            if rng.random() < 0.1:
                facts["consent"] = _weighted(rng, CONSENT_WEIGHTS)
        answers_of[(rnd, name)] = facts
        response = Response(
            round=round1 if rnd == 1 else round2,
            node=p["node"],
            token_hash=_token_hash(rng),
            display_name=p["name"],
            stream=p["stream"],
            role=facts["role"],
            consent=facts["consent"],
            willingness=facts["willingness"],
            source=ResponseSource.PAPER if rng.random() < 0.1 else ResponseSource.ONLINE,
        )
        response._plan = plan
        response._facts = facts
        responses.append(response)
    Response.objects.bulk_create(responses)
    if any(r.pk is None for r in responses):
        ids = {(r.round_id, r.node_id): r.pk for r in Response.objects.filter(round__survey=survey)}
        for r in responses:
            r.pk = r.id = ids[(r.round_id, r.node_id)]

    ResponseSkill.objects.bulk_create(
        [
            ResponseSkill(response_id=r.pk, skill_id=s, level=lv)
            for r in responses
            for s, lv in r._facts["skills"].items()
        ]
    )
    ResponseResource.objects.bulk_create(
        [ResponseResource(response_id=r.pk, resource_id=x, level=lv)
         for r in responses for x, lv in r._facts["resources"].items()]
    )  # fmt: skip
    Response.needed_skills.through.objects.bulk_create(
        [Response.needed_skills.through(response_id=r.pk, skill_id=s) for r in responses for s in r._facts["needs"]]
    )
    Response.needed_resources.through.objects.bulk_create(
        [Response.needed_resources.through(response_id=r.pk, resourcekind_id=x)
         for r in responses for x in r._facts["needs_res"]]
    )  # fmt: skip

    ties = []
    for r in responses:
        seen = set()
        for label, org in r._plan["targets"]:
            target = b.nodes[normalise(org.name if org is not None else label)]
            if target.pk == r.node_id or target.pk in seen:
                continue
            seen.add(target.pk)
            ties.append(Tie(
                round_id=r.round_id, source_id=r.node_id, target_id=target.pk, response_id=r.pk,
                typed_name=label[:200], strength=_weighted(rng, [(1, 30), (2, 45), (3, 25)]),
                sharing=_weighted(rng, [(None, 20), (1, 20), (2, 40), (3, 20)]), origin=TieOrigin.SURVEY,
            ))  # fmt: skip
    Tie.objects.bulk_create(ties)

    # near-duplicate names for the organiser to review (what resolve_name would have suggested)
    keys = {n.pk: n.match_key for n in b.nodes.values()}
    suggestions = []
    seen_pairs = set()
    for node in sorted(b.nodes.values(), key=lambda n: n.pk):
        if node.kind == NodeKind.RESPONDENT:
            continue
        for _key, score, other_pk in process.extract(
            node.match_key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF, limit=4
        ):
            if other_pk == node.pk:
                continue
            pair = tuple(sorted((node.pk, other_pk)))
            if pair in seen_pairs:
                continue
            seen_pairs.add(pair)
            suggestions.append(MergeSuggestion(survey=survey, a_id=pair[0], b_id=pair[1], score=round(score, 1)))
    MergeSuggestion.objects.bulk_create(suggestions)

    from squaremile.network.computing import tasks

    for round_ in (round1, round2):
        tasks.data_changed(round_)
    by_consent = defaultdict(int)
    for r in responses:
        by_consent[str(r.consent)] += 1
    return {
        "survey": survey.slug,
        "counts": {
            "responses": len(responses),
            "round1": sum(1 for r in responses if r.round_id == round1.pk),
            "round2": sum(1 for r in responses if r.round_id == round2.pk),
            "nodes": len(b.nodes),
            "ties": len(ties),
            "suggestions": len(suggestions),
            "consent": dict(by_consent),
        },
    }
