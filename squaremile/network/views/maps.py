"""The map side of network mapping: the organiser's map, the published (and embeddable) map, the
analysis status, weaving suggestions, skills and resources, round comparison, exports and the tie
import. Organiser pages need `survey.view_responses` (the survey's owner, or an admin); writes need
`survey.change`. The published pages show only `published.published_payload` (what consent allows)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from squaremile.core.pagination import paginate
from squaremile.core.site import absolute_url
from squaremile.network import access
from squaremile.network.computing import runner, tasks
from squaremile.network.models import Analysis, AnalysisStatus, Round, Suggestion, SuggestionStatus, Survey
from squaremile.network.publishing import exports
from squaremile.network.publishing.published import organiser_payload, payload_json, payload_meta, published_payload
from squaremile.network.weaving import services as services_maps

KIND_TITLES = {
    "relieve_broker": "Relieve a broker",
    "close_triangle": "Close a triangle",
    "connect_peripheral": "Bring someone in from the edge",
    "bridge_clusters": "Bridge two groups",
}
MAX_IMPORT_BYTES = 2 * 1024 * 1024


# ---- helpers ------------------------------------------------------------------------------------


def _survey(slug: str) -> Survey:
    return access.survey_or_404(slug)


def _round(survey: Survey, value=None) -> Round:
    """The round asked for (?round=N), else the latest. An unknown or bad number is a 404."""
    rounds = Round.objects.filter(survey=survey).select_related("survey")
    if value not in (None, ""):
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise Http404("No such round.") from None
        found = rounds.filter(number=number).first()
    else:
        found = rounds.order_by("-number").first()
    if found is None:
        raise Http404("No such round.")
    return found


is_organiser = access.is_organiser


def _require_organiser(request, survey: Survey) -> None:
    access.require_organiser(request.user, survey, message="Only the survey's organisers can see this page.")


def _require_published(request, survey: Survey) -> bool:
    """True when the viewer is an organiser previewing an unpublished map; 404 for anyone else."""
    return access.map_preview(request.user, survey)


def _rounds(survey: Survey) -> list[Round]:
    return list(Round.objects.filter(survey=survey).order_by("number"))


def summary_words(summary: dict, *, published: bool = False) -> list[str]:
    """The whole-network figures in plain words."""
    out = []
    n, m = summary.get("nodes"), summary.get("ties")
    if n is None:
        return ["The figures have not been worked out yet."]
    if n == 0:
        return ["Nobody is on the map yet: it fills in as people answer the questionnaire."]
    out.append(f"{n:,} people and organisations, joined by {m:,} ties.")
    density = summary.get("density") or 0
    if n > 1:
        out.append(f"Density {density:.1%}: of every pair of people who could work together, that share said they do.")
    components = summary.get("components") or 0
    if components <= 1:
        out.append("Everyone is connected, directly or through others.")
    else:
        largest = summary.get("largest_component") or 0
        out.append(
            f"The network is in {components:,} separate parts; the largest has {largest:,} people. "
            "People in different parts cannot reach each other through anyone they know."
        )
    communities = summary.get("communities") or 0
    if communities:
        modularity = summary.get("modularity") or 0
        clarity = "clearly separate" if modularity >= 0.3 else "overlapping"
        out.append(
            f"{communities:,} groups of people who work closely together (modularity {modularity:.2f}: "
            f"the groups are {clarity})."
        )
    brokers = summary.get("brokers") or 0
    if brokers:
        out.append(
            f"{brokers:,} {'person links' if brokers == 1 else 'people link'} groups that would otherwise be "
            "apart (brokers)."
        )
    isolates = summary.get("isolates") or 0
    if isolates:
        out.append(f"{isolates:,} {'person is' if isolates == 1 else 'people are'} not tied to anyone yet.")
    periphery = summary.get("periphery") or 0
    if periphery:
        out.append(f"{periphery:,} on the edge, with a single tie or only loose ones.")
    if summary.get("core_max"):
        out.append(f"The most closely knit core has {summary.get('core_size', 0):,} people (each tied to at least "
                   f"{summary['core_max']} others in it).")  # fmt: skip
    if published and summary.get("not_shown"):
        out.append(
            f"{summary['not_shown']:,} more took part or were named but are not shown: they asked not to be, or "
            "showing them could identify them. They still count in these figures."
        )
    return out


def _status_context(request, survey: Survey, round: Round, *, organiser: bool) -> dict:
    analysis = Analysis.objects.defer("result").filter(round=round).first()
    up_to_date = runner.is_up_to_date(analysis, round)
    if (
        analysis is None
        or analysis.status == AnalysisStatus.STALE
        or (analysis.status == AnalysisStatus.FRESH and not up_to_date)
    ):
        state = "stale"
    else:
        state = analysis.status
    return {
        "survey": survey,
        "round": round,
        "analysis": analysis,
        "state": state,
        "poll": state in ("stale", "running"),
        "organiser": organiser,
        "large": organiser and runner.network_size(round) > runner.sync_limit(),
    }


def _map_context(request, survey: Survey, round: Round, *, view: str) -> dict:
    payload = payload_meta(round, view)
    organiser = is_organiser(request.user, survey)
    focus = ",".join(k for k in request.GET.get("focus", "").split(",")[:10] if k.replace("n", "").isalnum())
    data_url = reverse("network:map_data" if view == "organiser" else "network:published_data", args=[survey.slug])
    return {
        "survey": survey,
        "round": round,
        "rounds": _rounds(survey),
        "view": view,
        "organiser": organiser,
        "summary": payload["summary"],
        "summary_words": summary_words(payload["summary"], published=view != "organiser"),
        "data_url": f"{data_url}?round={round.number}",
        "focus": focus,
        "has_skills": payload["has_skills"],
        "has_resources": payload["has_resources"],
        "has_coreness": view == "organiser",
        "node_count": payload["node_count"],
        "status": _status_context(request, survey, round, organiser=organiser and view == "organiser"),
    }


def _json(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    return response


# ---- maps ---------------------------------------------------------------------------------------


@login_required
@require_GET
def map_view(request, slug):
    survey = _survey(slug)
    _require_organiser(request, survey)
    round = _round(survey, request.GET.get("round"))
    return render(request, "network/map.html", _map_context(request, survey, round, view="organiser"))


@login_required
@require_GET
def map_data(request, slug):
    survey = _survey(slug)
    _require_organiser(request, survey)
    return _json(payload_json(_round(survey, request.GET.get("round")), "organiser"))


@require_GET
def published_view(request, slug):
    survey = _survey(slug)
    preview = _require_published(request, survey)
    round = _round(survey, request.GET.get("round"))
    context = _map_context(request, survey, round, view="published")
    context["preview"] = preview
    context["embed_url"] = absolute_url(reverse("network:embed", args=[survey.slug]), request)
    return render(request, "network/published.html", context)


@require_GET
def published_data(request, slug):
    survey = _survey(slug)
    _require_published(request, survey)
    return _json(payload_json(_round(survey, request.GET.get("round")), "published"))


@require_GET
def embed_view(request, slug):
    survey = _survey(slug)
    preview = _require_published(request, survey)
    if not survey.allow_embed and not is_organiser(request.user, survey):
        raise Http404("This map may not be embedded.")
    round = _round(survey, request.GET.get("round"))
    context = _map_context(request, survey, round, view="published")
    context["preview"] = preview
    response = render(request, "network/embed.html", context)
    if survey.allow_embed:
        response.xframe_options_exempt = True  # what xframe_options_exempt does, but only when the survey allows it
        response._csp_replace = {"frame-ancestors": ["*"]}  # what django-csp's csp_replace does, likewise
    return response


@require_http_methods(["GET", "POST"])
def analysis_status(request, slug):
    """The htmx fragment on the map pages: up to date / recomputing / out of date (with a button for
    organisers). POST (organisers) recomputes: now for a small network, in the background for a large one."""
    survey = _survey(slug)
    organiser = is_organiser(request.user, survey)
    if not organiser:
        _require_published(request, survey)
    round = _round(survey, request.POST.get("round") or request.GET.get("round"))
    if request.method == "POST":
        access.require_organiser(
            request.user, survey, "survey.change", "Only the survey's organisers can recompute the figures."
        )
        try:
            outcome = tasks.request_recompute(round)
        except Exception:  # recorded on the analysis (status failed, with the error): shown below
            outcome = "failed"
        if not request.htmx:
            if outcome == "done":
                messages.success(request, "The figures are up to date.")
            elif outcome == "queued":
                messages.success(request, "The figures are being recomputed in the background.")
            else:
                messages.error(request, "The figures could not be recomputed. The last good ones are still shown.")
            return redirect(f"{reverse('network:map', args=[survey.slug])}?round={round.number}")
    context = _status_context(request, survey, round, organiser=organiser)
    context["refreshed"] = bool(request.htmx) and context["state"] == "fresh"
    return render(request, "network/includes/_map_status.html", context)


# ---- weaving ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def suggestions_view(request, slug):
    survey = _survey(slug)
    _require_organiser(request, survey)
    round = _round(survey, request.POST.get("round") or request.GET.get("round"))
    if request.method == "POST":
        raw = request.POST.get("suggestion", "")
        suggestion = get_object_or_404(Suggestion, pk=int(raw) if raw.isdigit() else 0, round=round)
        try:
            services_maps.suggestion_decide(
                suggestion=suggestion, by=request.user, decision=request.POST.get("decision", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            done = request.POST.get("decision") == "done"
            messages.success(
                request,
                f"Marked as made: {suggestion.a.label} and {suggestion.b.label} now have a tie on the map."
                if done
                else "Dismissed: this introduction will not be suggested again.",
            )
        return redirect(f"{reverse('network:suggestions', args=[survey.slug])}?round={round.number}")
    kind = request.GET.get("kind", "")
    kind = kind if kind in KIND_TITLES else ""
    status = request.GET.get("status", "open")
    status = status if status in (*SuggestionStatus.values, "all") else "open"
    qs = Suggestion.objects.filter(round=round).select_related("a", "b", "via", "decided_by")
    counts = Counter(qs.filter(status=SuggestionStatus.OPEN).values_list("kind", flat=True))
    if kind:
        qs = qs.filter(kind=kind)
    if status != "all":
        qs = qs.filter(status=status)
    page = paginate(request, qs.order_by("kind", "-score", "id"))
    groups = defaultdict(list)
    for s in page.object_list:
        groups[s.kind].append(s)
    analysis = Analysis.objects.filter(round=round).first()
    # The analysis counts everyone on the edge; an introduction is suggested only where a skill or a
    # need matches a well-connected person. Say so, so that the two figures never seem to disagree.
    on_edge = ((analysis.result or {}).get("graph") or {}).get("periphery", 0) if analysis else 0
    return render(
        request,
        "network/suggestions.html",
        {
            "survey": survey,
            "round": round,
            "rounds": _rounds(survey),
            "page": page,
            "groups": [(k, KIND_TITLES.get(k, k), groups[k]) for k in KIND_TITLES if k in groups],
            "kinds": [(k, t, counts.get(k, 0)) for k, t in KIND_TITLES.items()],
            "kind": kind,
            "status": status,
            "statuses": [("open", "To do"), ("done", "Made"), ("dismissed", "Dismissed"), ("all", "All")],
            "map_url": reverse("network:map", args=[survey.slug]),
            "status_ctx": _status_context(request, survey, round, organiser=True),
            "has_analysis": analysis is not None and bool(analysis.result),
            "on_edge": on_edge,
            "edge_suggested": counts.get("connect_peripheral", 0),
        },
    )


# ---- skills and resources -----------------------------------------------------------------------


def _taxonomy(survey: Survey):
    from squaremile.directory.models import ResourceKind, Skill

    skills = Skill.objects.select_related("family").order_by("family__position", "family__name", "name")
    families = list(survey.skill_families.values_list("pk", flat=True))
    if families:
        skills = skills.filter(family_id__in=families)
    resources = ResourceKind.objects.order_by("name")
    kinds = list(survey.resource_kinds.values_list("pk", flat=True))
    if kinds:
        resources = resources.filter(pk__in=kinds)
    return list(skills), list(resources)


def skills_context(survey: Survey, round: Round, *, organiser: bool) -> dict:
    from squaremile.network.analysis import skills_summary
    from squaremile.network.computing import graphdata
    from squaremile.places.models import Area

    nodes, _, people = graphdata.round_graph(round)
    respondents = [n for n in nodes if n.kind == "respondent"]
    skills, resources = _taxonomy(survey)
    slugs = [s.slug for s in skills] + [r.slug for r in resources]
    summary = skills_summary(respondents, slugs)
    items = summary["items"]
    label = {k: (p.get("label") or k) for k, p in people.items()}
    area_of = {n.key: n.area for n in respondents}
    area_names = dict(Area.objects.filter(slug__in={a for a in area_of.values() if a}).values_list("slug", "name"))

    def row(slug, name):
        entry = items.get(slug) or {"strong": 0, "some": 0, "who": [], "willing": 0, "needed_by": []}
        where = Counter(area_names.get(area_of.get(k, ""), "") for k in entry["who"])
        out = {
            "slug": slug,
            "name": name,
            "strong": entry["strong"],
            "some": entry["some"],
            "willing": entry["willing"],
            "needed": len(entry["needed_by"]),
        }
        if organiser:  # places can single people out in a small network: the public version has counts only
            out["where"] = [(a, c) for a, c in where.most_common(3) if a]
            out["who"] = [label[k] for k in entry["who"][:8]]
            out["more"] = max(0, len(entry["who"]) - 8)
        return out

    by_family: dict[str, list] = defaultdict(list)
    for s in skills:
        by_family[s.family.name].append(row(s.slug, s.name))
    names = {s.slug: s.name for s in skills} | {r.slug: r.name for r in resources}
    matches = []
    if organiser:
        for slug, entry in items.items():
            if entry["needed_by"] and entry["who"]:
                for needer in entry["needed_by"]:
                    helpers = [label[k] for k in entry["who"] if k != needer][:5]
                    if helpers:
                        matches.append({"who": label[needer], "need": names.get(slug, slug), "helpers": helpers})
        matches.sort(key=lambda m: (m["need"], m["who"]))
    return {
        "survey": survey,
        "round": round,
        "rounds": _rounds(survey),
        "organiser": organiser,
        "people": summary["people"],
        "families": sorted(by_family.items(), key=lambda kv: [s.family.name for s in skills].index(kv[0])),
        "resources": [row(r.slug, r.name) for r in resources],
        "missing": [names[s] for s in summary["missing"] if s in names],
        "unmet": [names.get(s, s) for s in summary["unmet_needs"]],
        "willing": sum(1 for n in respondents if n.willingness is not None and n.willingness >= 3),
        "matches": matches[:60],
        "more_matches": max(0, len(matches) - 60),
    }


@require_GET
def skills_view(request, slug):
    """Organisers: everything with names. Others, once the map is published: counts only."""
    survey = _survey(slug)
    organiser = is_organiser(request.user, survey)
    if not organiser:
        _require_published(request, survey)
    round = _round(survey, request.GET.get("round"))
    return render(request, "network/skills.html", skills_context(survey, round, organiser=organiser))


# ---- round comparison ---------------------------------------------------------------------------


@login_required
@require_GET
def compare_view(request, slug):
    from squaremile.network.analysis import compare_rounds
    from squaremile.network.computing import graphdata

    survey = _survey(slug)
    _require_organiser(request, survey)
    rounds = _rounds(survey)
    context = {"survey": survey, "rounds": rounds}
    if len(rounds) < 2:
        return render(request, "network/compare.html", context | {"only_one": True})
    a = _round(survey, request.GET.get("a") or rounds[-2].number)
    b = _round(survey, request.GET.get("b") or rounds[-1].number)
    before, after = graphdata.round_graph(a), graphdata.round_graph(b)
    result = compare_rounds(before[:2], after[:2])
    labels = {k: p.get("label") or k for k, p in {**before[2], **after[2]}.items()}
    limit = 50

    def names(keys):
        return [labels.get(k, k) for k in keys[:limit]], max(0, len(keys) - limit)

    def pairs(items):
        return [(labels.get(x, x), labels.get(y, y)) for x, y in items[:limit]], max(0, len(items) - limit)

    context |= {
        "a": a,
        "b": b,
        "result": result,
        "new_people": names(result["new_people"]),
        "people_gone": names(result["people_gone"]),
        "joined_core": names(result["joined_core"]),
        "left_core": names(result["left_core"]),
        "new_ties": pairs(result["new_ties"]),
        "ties_gone": pairs(result["ties_gone"]),
        "same": a.pk == b.pk,
        "density": (result["density_before"] * 100, result["density_after"] * 100),
    }
    return render(request, "network/compare.html", context)


# ---- exports ------------------------------------------------------------------------------------

EXPORTS = {
    "nodes.csv": ("text/csv; charset=utf-8", "nodes.csv"),
    "ties.csv": ("text/csv; charset=utf-8", "ties.csv"),
    "network.gexf": ("application/gexf+xml", "network.gexf"),
    "network.graphml": ("application/graphml+xml", "network.graphml"),
    "map.svg": ("image/svg+xml", "map.svg"),
}


@require_GET
def export_view(request, slug):
    survey = _survey(slug)
    organiser = is_organiser(request.user, survey)
    if not organiser:
        _require_published(request, survey)
    round = _round(survey, request.GET.get("round"))
    return render(
        request,
        "network/export.html",
        {"survey": survey, "round": round, "rounds": _rounds(survey), "organiser": organiser, "files": list(EXPORTS)},
    )


@require_GET
def export_file(request, slug, name):
    """?view=published (the default for anyone but organisers): only what consent allows.
    The organiser's variant (everything, with every figure) only for organisers."""
    from squaremile.network.analysis import formats
    from squaremile.network.computing import graphdata

    if name not in EXPORTS:
        raise Http404("No such export.")
    survey = _survey(slug)
    organiser = is_organiser(request.user, survey)
    view = request.GET.get("view") or ("organiser" if organiser else "published")
    if view not in ("organiser", "published"):
        raise Http404("No such view.")
    if view == "organiser" and not organiser:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
        raise PermissionDenied("Only the survey's organisers can export everything.")
    if view == "published":
        _require_published(request, survey)
    round = _round(survey, request.GET.get("round"))
    content_type, filename = EXPORTS[name]
    colour = request.GET.get("colour", "stream")
    if name == "map.svg":
        payload = organiser_payload(round) if view == "organiser" else published_payload(round)
        body: str | bytes = exports.map_svg(payload, colour=colour if colour in ("stream", "community") else "stream")
    elif view == "published":
        payload = published_payload(round)
        body = {
            "nodes.csv": exports.payload_nodes_csv,
            "ties.csv": exports.payload_ties_csv,
            "network.gexf": exports.payload_gexf,
            "network.graphml": exports.payload_graphml,
        }[name](payload)
    else:
        nodes, ties, _ = graphdata.round_graph(round)
        analysis = Analysis.objects.filter(round=round).first()
        result = analysis.result if analysis and analysis.result.get("nodes") else None
        layout = (result or {}).get("layout")
        if name == "nodes.csv":
            body = formats.nodes_csv(nodes, ties, metrics=result)
        elif name == "ties.csv":
            body = formats.ties_csv(nodes, ties)
        elif name == "network.gexf":
            body = formats.to_gexf(nodes, ties, metrics=result, layout=layout)
        else:
            body = formats.to_graphml(nodes, ties, metrics=result, layout=layout)
    response = HttpResponse(body, content_type=content_type)
    suffix = "" if view == "organiser" else "-published"
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}-round{round.number}{suffix}-{filename}"'
    return response


# ---- tie import ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_ties_view(request, slug):
    """Upload a ties table -> preview (names matched, names new, every bad line) -> apply all or
    nothing, through the shared import pipeline (`network/weaving/importers.py`)."""
    from squaremile.imports.reading import ImportFileError, decode, read_table
    from squaremile.network.weaving.importers import TIES

    survey = _survey(slug)
    access.require_organiser(request.user, survey, "survey.change", "Only the survey's organisers can import ties.")
    round = _round(survey, request.POST.get("round") or request.GET.get("round"))
    context = {"survey": survey, "round": round, "rounds": _rounds(survey), "errors": [], "preview": None, "text": ""}
    if request.method == "GET":
        return render(request, "network/import_ties.html", context)
    upload = request.FILES.get("file")
    filename = "ties.csv"
    if upload is not None:
        if upload.size > MAX_IMPORT_BYTES:
            context["errors"] = [(0, "The file is too big: at most 2 MB.")]
            return render(request, "network/import_ties.html", context, status=400)
        raw = upload.read()
        filename = upload.name
    elif request.POST.get("text"):
        raw = request.POST["text"].encode()
    else:
        context["errors"] = [(0, "Choose a CSV file to upload.")]
        return render(request, "network/import_ties.html", context, status=400)
    try:
        table = read_table(raw, filename, limits=TIES.limits())
    except ImportFileError as exc:
        context["errors"] = [(0, str(exc))]
        return render(request, "network/import_ties.html", context, status=400)
    # the preview carries the file on to "apply" as text (in whatever encoding it came, now UTF-8)
    text = decode(raw)[0]
    context["text"] = text
    if request.POST.get("apply") and text:
        try:
            result = services_maps.ties_import_apply(survey=survey, round=round, table=table, by=request.user)
        except ValidationError as exc:
            context["errors"] = [(0, m) for m in exc.messages]
            context["preview"] = services_maps.ties_import_preview(
                survey=survey, round=round, table=table, by=request.user
            )
            return render(request, "network/import_ties.html", context, status=400)
        if not result.created and not result.updated:
            messages.success(request, "Nothing changed: every tie in the file was already there.")
            return redirect(f"{reverse('network:map', args=[survey.slug])}?round={round.number}")
        messages.success(
            request,
            f"Imported {result.created:,} new ties"
            + (f", made {result.updated:,} stronger" if result.updated else "")
            + (f", and added {result.new_names:,} new names" if result.new_names else "")
            + ". Nothing else changed.",
        )
        return redirect(f"{reverse('network:map', args=[survey.slug])}?round={round.number}")
    preview = services_maps.ties_import_preview(survey=survey, round=round, table=table, by=request.user)
    context["preview"] = preview
    context["errors"] = preview.errors
    return render(request, "network/import_ties.html", context, status=200 if preview.ok else 400)
