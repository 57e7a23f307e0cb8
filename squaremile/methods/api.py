"""The methods part of the JSON API (/api/v1/): the library (list, filter, one method with its
steps and licence, the helper, "we used this" reports) and a game's results."""

from __future__ import annotations

import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from squaremile.core.api import ErrorOut, Page, PageParams, Text, TokenAuth, paginate
from squaremile.methods import exports, helper, selectors, services
from squaremile.methods.game import results
from squaremile.methods.game import selectors as game_selectors
from squaremile.methods.models import Game, Method, Purpose, Setting
from squaremile.moderation.models import ModerationState as S

router = Router(tags=["Methods"])
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
PurposeValue = Literal[tuple(Purpose.values)]  # type: ignore[valid-type]
SettingValue = Literal["face", "online"]


class MethodOut(Schema):
    slug: str
    name: str
    summary: str
    purposes: list[str] = Field(alias="purpose_list")
    min_people: int
    max_people: int
    minutes: int
    setting: str
    difficulty: str
    licence: str
    use_count: int
    url: str = Field(alias="get_absolute_url")


class StepOut(Schema):
    title: str
    minutes: int
    text: str


class MethodDetailOut(MethodOut):
    description: str
    materials: str
    facilitator_skills: str
    tips: str
    variations: str
    origin: str
    licence_url: str
    links: list[str] = Field(alias="link_list")
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class MethodFilters(Schema):
    q: Text = ""
    purpose: PurposeValue | None = None
    people: int | None = Field(None, ge=1, le=100_000)
    minutes: int | None = Field(None, ge=1, le=100_000)
    setting: SettingValue | None = None
    sort: Literal["name", "used"] = "name"


@router.get("/methods", response=Page[MethodOut], summary="List and filter the method library")
def list_methods(request, filters: Query[MethodFilters], page: Query[PageParams]):
    qs = selectors.method_list(
        request.user,
        selectors.MethodFilters(
            q=filters.q,
            purpose=filters.purpose or "",
            people=filters.people,
            minutes=filters.minutes,
            setting=filters.setting or "",
            sort=filters.sort,
        ),  # fmt: skip
    )
    return paginate(qs, page, count=len(qs) if isinstance(qs, list) else None)


@router.get(
    "/methods/{slug}", response={200: MethodDetailOut, 404: ErrorOut}, summary="One method, with its steps and licence"
)
def get_method(request, slug: Text):
    return get_object_or_404(Method.objects.prefetch_related("steps"), slug=slug, status=S.PUBLISHED)


class SuggestionOut(Schema):
    method: MethodOut
    score: float
    reasons: list[str]


class HelperIn(Schema):
    people: int = Field(ge=1, le=100_000)
    minutes: int = Field(ge=5, le=100_000)
    setting: SettingValue = Setting.FACE
    words: Text = Field("", max_length=300)


@router.get("/methods-helper", response=list[SuggestionOut], summary="What should we do? Methods that fit, with why")
def suggest(request, need: Query[HelperIn]):
    return helper.suggest(helper.Need(people=need.people, minutes=need.minutes, setting=need.setting, words=need.words))


class ReportOut(Schema):
    id: int
    used_on: datetime.date
    place: str
    people: int
    worked: str
    did_not_work: str


class ReportIn(Schema):
    used_on: datetime.date
    people: int = Field(ge=1, le=100_000)
    place: Text = Field("", max_length=160)
    worked: Text = Field("", max_length=10_000)
    did_not_work: Text = Field("", max_length=10_000)


@router.get("/methods/{slug}/reports", response={200: Page[ReportOut], 404: ErrorOut}, summary="“We used this” reports")
def list_reports(request, slug: Text, page: Query[PageParams]):
    method = get_object_or_404(Method, slug=slug, status=S.PUBLISHED)
    return paginate(method.reports.filter(status=S.PUBLISHED).order_by("-used_on", "-id"), page)


@router.post(
    "/methods/{slug}/reports", response={201: ReportOut, **WRITE_ERRORS}, auth=TokenAuth(), summary="Say “we used this”"
)
def create_report(request, slug: Text, payload: ReportIn):
    method = get_object_or_404(Method, slug=slug, status=S.PUBLISHED)
    report = services.usage_report_create(by=request.auth, method=method, **payload.dict())
    return Status(201, report)


@router.get("/methods-export", summary="The whole published library, with each method's licence (JSON)")
def export(request):
    return {"methods": [exports.as_dict(m) for m in exports.published()]}


class TallyOut(Schema):
    can: int
    friends: int
    nobody: int
    deck: int
    together_pct: int


class TableResultOut(Schema):
    name: str
    tally: TallyOut


class GameResultOut(Schema):
    name: str
    together: TallyOut
    tables: list[TableResultOut]


@router.get("/games/{pk}/results", response={200: GameResultOut, 404: ErrorOut}, auth=TokenAuth(),
            summary="A skills game's results: each table and all together (its organiser)")  # fmt: skip
def game_results(request, pk: int):
    game = game_selectors.game_for(request.auth, pk)
    if game is None:
        game = get_object_or_404(Game, pk=-1)
    combined = results.game_results(game)
    return {
        "name": game.name,
        "together": combined.tally,
        "tables": [{"name": t.name, "tally": r.tally} for t, r in combined.tables],
    }
