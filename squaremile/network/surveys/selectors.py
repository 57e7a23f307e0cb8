"""Reads for network surveys, with what each user may see. Responses are confidential: only the
survey's organisers (`survey.view_responses`) read them, and a respondent reads only their own
through their private link."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from squaremile.core.permissions import RULES, can, space_ids_q
from squaremile.network.models import (
    Consent,
    Invitation,
    MergeSuggestion,
    Node,
    Response,
    Round,
    Survey,
    Tie,
)


def _runs(user) -> Q:
    """The surveys `user` runs: their own (when they are an organiser) and those they co-organise."""
    mine = Q(owner_id=user.pk) if can(user, "survey.add") else Q(pk__in=[])
    return mine | space_ids_q(user, Survey, RULES["survey.view_responses"].space_roles)


def surveys_run_by(user) -> QuerySet[Survey]:
    """The surveys whose organiser pages a person may open: those they run; every survey for
    administrators."""
    qs = Survey.objects.select_related("owner", "area")
    if can(user, "survey.view_responses"):  # administrators see all
        return qs
    return qs.filter(_runs(user))


def survey_list_for(user) -> QuerySet[Survey]:
    """Surveys a person sees listed: those they run (their own, as an organiser, and those they
    co-organise), every survey (administrators), and every survey whose map is published."""
    qs = Survey.objects.select_related("owner", "area")
    if can(user, "survey.view_responses"):  # administrators see all
        return qs
    return qs.filter(_runs(user) | Q(is_published=True))


def survey_by_slug(slug: str) -> Survey:
    return Survey.objects.select_related("owner", "area").get(slug=slug)


def rounds_of(survey: Survey) -> list[Round]:
    return list(survey.rounds.order_by("number"))


def network_size(round_: Round) -> tuple[int, int]:
    """(people and groups, ties) of a round as the map, the export and the analysis count them:
    merged names folded into one, a tie named from both ends or twice counted once, none to oneself.
    The stored analysis's figures when it is up to date, else counted the same way now."""
    from squaremile.network.computing.graphdata import round_graph
    from squaremile.network.models import Analysis, AnalysisStatus

    analysis = Analysis.objects.filter(round=round_).only("status", "data_version", "result").first()
    graph = (analysis.result or {}).get("graph") if analysis else None
    if analysis and analysis.status == AnalysisStatus.FRESH and analysis.data_version == round_.data_version and graph:
        return graph["nodes"], graph["ties"]
    nodes, ties, _people = round_graph(round_)
    return len(nodes), len({frozenset((t.source, t.target)) for t in ties if t.source != t.target})


def dashboard_counts(round_: Round) -> dict:
    """Counts for the organiser's dashboard (a handful of queries whatever the size)."""
    by_consent = dict(Response.objects.filter(round=round_).values_list("consent").annotate(n=Count("id")).order_by())
    responses = sum(by_consent.values())
    nodes, ties = network_size(round_)
    open_suggestions = MergeSuggestion.objects.filter(survey_id=round_.survey_id, status="open").count()
    return {
        "responses": responses,
        "named": by_consent.get(Consent.NAMED, 0),
        "anonymous": by_consent.get(Consent.ANONYMOUS, 0),
        "hidden": by_consent.get(Consent.HIDDEN, 0),
        "ties": ties,
        "nodes": nodes,
        "suggestions": open_suggestions,
    }


def responses_of(round_: Round, *, q: str = "") -> QuerySet[Response]:
    qs = (
        Response.objects.filter(round=round_)
        .select_related("node", "organisation")
        .annotate(tie_count=Count("ties"))
        .order_by("display_name", "id")
    )
    if q:
        qs = qs.filter(Q(display_name__icontains=q) | Q(role__icontains=q) | Q(email__icontains=q))
    return qs


def response_detail(survey: Survey, pk: int) -> Response:
    return (
        Response.objects.select_related("round", "node", "organisation")
        .prefetch_related("skills__skill", "resources__resource", "needed_skills", "needed_resources")
        .get(round__survey=survey, pk=pk)
    )


def invitations_of(survey: Survey) -> QuerySet[Invitation]:
    return Invitation.objects.filter(survey=survey).order_by("-created_at", "email")


def _node_facts(node_ids: set[int]) -> dict[int, dict]:
    """For each node: its ties (all rounds) and who typed its name (labels of the respondents)."""
    facts = {pk: {"ties": 0, "typed_by": set(), "typed_as": set()} for pk in node_ids}
    rows = Tie.objects.filter(Q(source_id__in=node_ids) | Q(target_id__in=node_ids)).values(
        "source_id", "target_id", "typed_name", "response__display_name", "source__label"
    )
    for row in rows:
        for end in ("source_id", "target_id"):
            if row[end] in facts:
                facts[row[end]]["ties"] += 1
        if row["target_id"] in facts:
            named_by = row["response__display_name"] or row["source__label"]
            if named_by:
                facts[row["target_id"]]["typed_by"].add(named_by)
            if row["typed_name"]:
                facts[row["target_id"]]["typed_as"].add(row["typed_name"])
    return {pk: {**f, "typed_by": sorted(f["typed_by"]), "typed_as": sorted(f["typed_as"])} for pk, f in facts.items()}


def merge_suggestions(survey: Survey, *, limit: int = 50) -> list[dict]:
    """Open suggestions, side by side with how many ties each node has and who typed it."""
    suggestions = list(
        MergeSuggestion.objects.filter(survey=survey, status="open", a__merged_into__isnull=True,
                                       b__merged_into__isnull=True)
        .select_related("a", "b", "a__organisation", "b__organisation")
        .order_by("-score", "id")[:limit]
    )  # fmt: skip
    ids = {s.a_id for s in suggestions} | {s.b_id for s in suggestions}
    facts = _node_facts(ids) if ids else {}
    return [{"suggestion": s, "a": facts.get(s.a_id), "b": facts.get(s.b_id)} for s in suggestions]


def open_suggestion_count(survey: Survey) -> int:
    return MergeSuggestion.objects.filter(survey=survey, status="open").count()


def node_search(survey: Survey, q: str, *, limit: int = 20) -> list[tuple[Node, dict]]:
    """Nodes of the survey whose label contains `q` (organisers' merge-by-hand search)."""
    q = (q or "").strip()
    if not q:
        return []
    nodes = list(
        Node.objects.filter(survey=survey, merged_into__isnull=True)
        .filter(Q(label__icontains=q) | Q(match_key__icontains=q.lower()))
        .select_related("organisation")
        .order_by("label", "id")[:limit]
    )
    facts = _node_facts({n.pk for n in nodes}) if nodes else {}
    return [(n, facts[n.pk]) for n in nodes]


def suggestable_names(survey: Survey, q: str, *, limit: int = 8) -> list[str]:
    """Names of respondents whose label contains `q` (those starting with it first, at most `limit`) and
    who may be offered by name: those whose latest answers (in the latest round in which they answered,
    the current one once they answer it) all chose "named". The most careful consent wins: someone
    anonymous or hidden now is never offered, whatever earlier rounds said, and neither is anyone with a
    name merged into theirs that is anonymous or hidden in that round. One query over the answers of the
    names that match (`node_merge` keeps merges one level deep: a merged node points at the node that
    stands for it)."""
    from squaremile.network.computing.graphdata import CONSENT_ORDER

    rows = (
        Response.objects.filter(round__survey=survey, node__survey=survey)
        .filter(Q(node__merged_into__isnull=True, node__label__icontains=q)
                | Q(node__merged_into__merged_into__isnull=True, node__merged_into__label__icontains=q))
        .values_list("node_id", "node__label", "node__merged_into_id", "node__merged_into__label",
                     "round__number", "consent")
        .order_by()
    )  # fmt: skip
    latest: dict[int, tuple[int, int]] = {}  # root node -> (latest round answered, most careful consent there)
    labels: dict[int, str] = {}
    for node_id, label, root_id, root_label, number, consent in rows.iterator(chunk_size=2000):
        root = root_id or node_id
        labels[root] = root_label if root_id else label
        care = CONSENT_ORDER.get(consent, max(CONSENT_ORDER.values()))
        seen = latest.get(root)
        if seen is None or number > seen[0] or (number == seen[0] and care > seen[1]):
            latest[root] = (number, care)
    named = {labels[root] for root, (_, care) in latest.items() if care == CONSENT_ORDER[Consent.NAMED]}
    first = q.lower()
    return sorted(named, key=lambda n: (not n.lower().startswith(first), n.lower()))[:limit]


def name_suggestions(survey: Survey, q: str, *, limit: int = 8) -> list[str]:
    """Names offered while a respondent types: directory organisations and respondents of this survey
    who agreed to be shown with their name (see `suggestable_names`). (Names typed by others, and
    respondents who chose not to be named, are never offered: that would tell who answered and whom
    they named.) Who may ask is `access.may_suggest_names`."""
    from squaremile.directory.models import Organisation

    q = " ".join((q or "").split())[:100]
    if len(q) < 2:
        return []
    named_nodes = suggestable_names(survey, q, limit=limit)
    orgs = Organisation.objects.filter(name__icontains=q).values_list("name", flat=True).order_by("name")[:limit]
    names = sorted(set(named_nodes) | set(orgs), key=lambda n: (not n.lower().startswith(q.lower()), n.lower()))
    return names[:limit]


def organisation_suggestions(q: str, *, limit: int = 8) -> list[str]:
    from squaremile.directory.models import Organisation

    q = " ".join((q or "").split())[:100]
    if len(q) < 2:
        return []
    return list(Organisation.objects.filter(name__icontains=q).values_list("name", flat=True).order_by("name")[:limit])
