"""Network maps in the JSON API: the published map (anyone, once published), and for the survey's
organisers the stored analysis and a way to have it recomputed. Every error is
{"message", "errors"} with a 4xx status."""

from typing import Any

from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from squaremile.core.api import ErrorOut, Text, TokenAuth, optional_user
from squaremile.network import access
from squaremile.network.computing import runner, tasks
from squaremile.network.models import Analysis, Round, Survey
from squaremile.network.publishing.published import published_payload

router = Router(tags=["network"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class RoundQuery(Schema):
    round: int | None = Field(None, ge=1, le=10_000, description="The round number (default: the latest).")


class AnalysisOut(Schema):
    survey: str
    round: int
    status: str = Field(description="stale | running | fresh | failed")
    up_to_date: bool = Field(description="The figures describe the current answers.")
    data_version: int = Field(description="The version of the round's data the figures describe.")
    round_data_version: int
    computed_at: str | None
    duration: float | None
    error: str
    graph: dict[str, Any] = Field(description="Whole-network figures (see docs/network-analysis.md).")
    nodes: dict[str, dict[str, Any]] = Field(description="Per node key: degree, betweenness, community, ...")
    suggestions: list[dict[str, Any]]
    timings: dict[str, float]


class RunOut(Schema):
    status: str = Field(description="done (recomputed now) or queued (large network: a background task)")
    analysis: AnalysisOut


def _survey(slug: str) -> Survey:
    return access.survey_or_404(slug)


def _round(survey: Survey, number: int | None) -> Round:
    rounds = Round.objects.filter(survey=survey).select_related("survey")
    found = rounds.filter(number=number).first() if number else rounds.order_by("-number").first()
    if found is None:
        raise HttpError(404, "No such round.")
    return found


def _organiser(request, survey: Survey) -> None:
    access.require_organiser(request.auth, survey, message="Only the survey's organisers can see its analysis.")


def _analysis_out(survey: Survey, round: Round) -> dict:
    round.refresh_from_db(fields=["data_version"])
    analysis = Analysis.objects.filter(round=round).first()
    result = (analysis.result if analysis else None) or {}
    return {
        "survey": survey.slug,
        "round": round.number,
        "status": analysis.status if analysis else "stale",
        "up_to_date": runner.is_up_to_date(analysis, round),
        "data_version": analysis.data_version if analysis else 0,
        "round_data_version": round.data_version,
        "computed_at": analysis.computed_at.isoformat() if analysis and analysis.computed_at else None,
        "duration": analysis.duration if analysis else None,
        "error": analysis.error if analysis else "",
        "graph": result.get("graph") or {},
        "nodes": result.get("nodes") or {},
        "suggestions": result.get("suggestions") or [],
        "timings": result.get("timings") or {},
    }


@router.get(
    "/network/surveys/{slug}/published",
    response={200: dict[str, Any], 400: ErrorOut, 404: ErrorOut},
    summary="The published network map: only what each respondent consented to",
    description=(
        "The same JSON as the published map page: nodes (salted ids, labels as consent allows, stream, x/y from "
        "the stored layout, degree, community), edges as [i, j, strength] into the nodes list, whole-network "
        "figures. 404 unless the survey's map is published (its organisers, with their token, may preview it)."
    ),
)
def published(request, slug: Text, params: Query[RoundQuery]):
    survey = _survey(slug)
    access.map_preview(optional_user(request), survey)
    return published_payload(_round(survey, params.round))


@router.get(
    "/network/surveys/{slug}/analysis",
    response={200: AnalysisOut, **ERRORS},
    auth=TokenAuth(),
    summary="The stored analysis of a round (organisers)",
)
def analysis(request, slug: Text, params: Query[RoundQuery]):
    survey = _survey(slug)
    _organiser(request, survey)
    return _analysis_out(survey, _round(survey, params.round))


@router.post(
    "/network/surveys/{slug}/analysis/run",
    response={200: RunOut, 202: RunOut, **ERRORS},
    auth=TokenAuth(),
    summary="Recompute a round's analysis (organisers): now for small networks, in the background for large ones",
)
def analysis_run(request, slug: Text, params: Query[RoundQuery]):
    survey = _survey(slug)
    access.require_organiser(
        request.auth, survey, "survey.change", "Only the survey's organisers can recompute its analysis."
    )
    round = _round(survey, params.round)
    try:
        outcome = tasks.request_recompute(round)
    except Exception:  # recorded on the analysis as failed, with the error
        outcome = "failed"
    body = {"status": outcome, "analysis": _analysis_out(survey, round)}
    return Status(202 if outcome == "queued" else 200, body)
