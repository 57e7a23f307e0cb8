"""The methods part of the JSON API (/api/v1/): the library (list, filter, one method with its
steps and licence, the helper, "we used this" reports; with a token: propose a method or an edit,
both waiting in the shared moderation queue, and say "we used this") and the skills game (with a
token: open a game with its tables, add a table, join a table, sort a card; a table's state; a game's
results)."""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from squaremile.core import ratelimit
from squaremile.core.api import ErrorOut, Page, PageParams, Text, TokenAuth, paginate
from squaremile.core.permissions import can
from squaremile.methods import exports, helper, selectors, services
from squaremile.methods.game import results
from squaremile.methods.game import selectors as game_selectors
from squaremile.methods.game import services as game_services
from squaremile.methods.models import (
    Deck,
    Difficulty,
    Game,
    Licence,
    Method,
    Pile,
    Player,
    Purpose,
    Setting,
    TableMode,
)
from squaremile.moderation.models import ModerationState as S

router = Router(tags=["Methods"])
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}
PurposeValue = Literal[tuple(Purpose.values)]  # type: ignore[valid-type]
SettingValue = Literal["face", "online"]
AnySetting = Literal[tuple(Setting.values)]  # type: ignore[valid-type]
DifficultyValue = Literal[tuple(Difficulty.values)]  # type: ignore[valid-type]
LicenceValue = Literal[tuple(Licence.values)]  # type: ignore[valid-type]
PileValue = Literal[tuple(Pile.values)]  # type: ignore[valid-type]
ModeValue = Literal[tuple(TableMode.values)]  # type: ignore[valid-type]


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


# --- proposing methods and edits (the shared moderation queue) -----------------------------------


class StepIn(Schema):
    title: Text = Field(..., min_length=1, max_length=160)
    minutes: int = Field(0, ge=0, le=1440)
    text: Text = Field("", max_length=10_000)


class MethodIn(Schema):
    name: Text = Field(..., min_length=1, max_length=120)
    summary: Text = Field(..., min_length=1, max_length=200)
    description: Text = Field("", max_length=20_000)
    purposes: list[PurposeValue] = Field(default_factory=list, max_length=len(Purpose.values))
    min_people: int = Field(2, ge=1, le=100_000)
    max_people: int = Field(30, ge=1, le=100_000)
    minutes: int = Field(60, ge=1, le=100_000)
    setting: AnySetting = Setting.FACE
    difficulty: DifficultyValue = Difficulty.EASY
    materials: Text = Field("", max_length=10_000)
    facilitator_skills: Text = Field("", max_length=10_000)
    tips: Text = Field("", max_length=10_000)
    variations: Text = Field("", max_length=10_000)
    origin: Text = Field("", max_length=10_000)
    licence: LicenceValue = Licence.CC_BY_SA
    links: list[Text] = Field(default_factory=list, max_length=20)
    steps: list[StepIn] = Field(default_factory=list, max_length=services.MAX_STEPS)


class MethodEditIn(Schema):
    """Only the fields that change; `steps`, when given, replace all the steps."""

    note: Text = Field("", max_length=300, description="What changed and why")
    name: Text | None = Field(None, min_length=1, max_length=120)
    summary: Text | None = Field(None, min_length=1, max_length=200)
    description: Text | None = Field(None, max_length=20_000)
    purposes: list[PurposeValue] | None = Field(None, max_length=len(Purpose.values))
    min_people: int | None = Field(None, ge=1, le=100_000)
    max_people: int | None = Field(None, ge=1, le=100_000)
    minutes: int | None = Field(None, ge=1, le=100_000)
    setting: AnySetting | None = None
    difficulty: DifficultyValue | None = None
    materials: Text | None = Field(None, max_length=10_000)
    facilitator_skills: Text | None = Field(None, max_length=10_000)
    tips: Text | None = Field(None, max_length=10_000)
    variations: Text | None = Field(None, max_length=10_000)
    origin: Text | None = Field(None, max_length=10_000)
    licence: LicenceValue | None = None
    links: list[Text] | None = Field(None, max_length=20)
    steps: list[StepIn] | None = Field(None, max_length=services.MAX_STEPS)


class ProposedOut(Schema):
    slug: str
    name: str
    status: str
    url: str


class RevisionOut(Schema):
    id: int
    method: str
    status: str
    note: str
    url: str


def _method_data(payload: Schema, *, partial: bool) -> tuple[dict, list[dict] | None]:
    data = payload.dict(exclude_unset=partial, exclude={"steps", "note"})
    if partial:
        data = {k: v for k, v in data.items() if v is not None}
    if "links" in data:
        data["links"] = "\n".join(link.strip() for link in data["links"] if link.strip())
    steps = None if payload.steps is None else [step.dict() for step in payload.steps]
    return data, steps


@router.post(
    "/methods",
    response={201: ProposedOut, **WRITE_ERRORS},
    auth=TokenAuth(),
    summary="Propose a method (published once a moderator accepts it)",
)
def propose_method(request, payload: MethodIn):
    data, steps = _method_data(payload, partial=False)
    method = services.method_create(by=request.auth, data=data, steps=steps)
    return Status(201, {"slug": method.slug, "name": method.name, "status": method.status,
                        "url": method.get_absolute_url()})  # fmt: skip


@router.post(
    "/methods/{slug}/edits",
    response={201: RevisionOut, **WRITE_ERRORS},
    auth=TokenAuth(),
    summary="Propose an edit to a published method (applied once a moderator accepts it)",
)
def propose_edit(request, slug: Text, payload: MethodEditIn):
    method = get_object_or_404(Method.objects.prefetch_related("steps"), slug=slug, status=S.PUBLISHED)
    data, steps = _method_data(payload, partial=True)
    if steps is None:
        steps = [{"title": s.title, "minutes": s.minutes, "text": s.text} for s in method.steps.all()]
    revision = services.revision_propose(by=request.auth, method=method, data=data, steps=steps, note=payload.note)
    return Status(201, {"id": revision.pk, "method": method.slug, "status": revision.status, "note": revision.note,
                        "url": revision.get_absolute_url()})  # fmt: skip


# --- the skills game -------------------------------------------------------------------------------


class TableIn(Schema):
    name: Text = Field(..., min_length=1, max_length=60)
    mode: ModeValue = TableMode.PHONES


class GameIn(Schema):
    name: Text = Field(..., min_length=1, max_length=140)
    deck: int = Field(..., description="A deck's id (GET /game-decks)")
    played_on: datetime.date
    tables: list[TableIn] = Field(..., min_length=1, max_length=game_services.MAX_TABLES)
    group: Text = Field("", max_length=300, description="A team's name, or the address of its organisation's page")


class TableOut(Schema):
    name: str
    mode: str
    code: str
    url: str = Field(alias="get_absolute_url")


class GameOut(Schema):
    id: int
    name: str
    played_on: datetime.date
    deck: int = Field(alias="deck_id")
    group_name: str
    tables: list[TableOut]

    @staticmethod
    def resolve_tables(obj):
        return list(obj.tables.all())


class DeckOut(Schema):
    id: int
    name: str
    description: str


@router.get("/game-decks", response=list[DeckOut], summary="The decks of skill cards a game can use")
def list_decks(request):
    return list(game_selectors.decks()[:200])


@router.post(
    "/games", response={201: GameOut, **WRITE_ERRORS}, auth=TokenAuth(), summary="Open a skills game with its tables"
)
def create_game(request, payload: GameIn):
    if not can(request.auth, "game.add"):
        raise PermissionDenied("Only organisers open games.")
    deck = get_object_or_404(Deck, pk=payload.deck)
    game = game_services.game_create(
        by=request.auth, name=payload.name, deck=deck, played_on=payload.played_on, group=payload.group,
        tables=[(t.name, t.mode) for t in payload.tables],
    )  # fmt: skip
    return Status(201, game)


@router.post(
    "/games/{pk}/tables", response={201: TableOut, **WRITE_ERRORS}, auth=TokenAuth(), summary="Add a table to a game"
)
def add_table(request, pk: int, payload: TableIn):
    game = game_selectors.game_for(request.auth, pk)
    if game is None:
        get_object_or_404(Game, pk=pk)  # 404 when there is no such game
        raise PermissionDenied("Only the game's organiser adds tables.")
    return Status(201, game_services.table_add(by=request.auth, game=game, name=payload.name, mode=payload.mode))


class JoinIn(Schema):
    name: Text = Field(..., min_length=1, max_length=40, description="What the table calls you")


class PlayerOut(Schema):
    id: int
    name: str
    table: str
    code: str


class SortIn(Schema):
    card: int
    pile: PileValue


class CardOut(Schema):
    id: int
    text: str
    hint: str
    family: str


class PileOut(Schema):
    key: str
    label: str
    count: int
    recent: list[dict]


class StateOut(Schema):
    version: int
    table: str
    code: str
    finished: bool
    deck_size: int
    sorted: int
    remaining: int
    card: CardOut | None
    piles: list[PileOut]
    players: list[str]


def _table(code: str):
    table = game_selectors.table_by_code(code)
    if table is None:
        get_object_or_404(Game, pk=-1)
    return table


@router.get(
    "/game-tables/{code}", response={200: StateOut, 404: ErrorOut}, summary="A table's state: the card, the piles"
)
def table_state(request, code: Text):
    return game_selectors.table_state(_table(code))


@router.post(
    "/game-tables/{code}/players",
    response={200: PlayerOut, 201: PlayerOut, **WRITE_ERRORS},
    auth=TokenAuth(),
    summary="Join a table (once: joining again answers the same player)",
)
def join_table(request, code: Text, payload: JoinIn):
    table = _table(code)
    if table.mode != TableMode.PHONES:
        raise PermissionDenied("Only tables playing on phones are joined; this one plays on a shared screen or paper.")
    mine = Player.objects.filter(table=table, user=request.auth).first()
    if mine is not None:
        return Status(200, _player_out(mine, table))
    ratelimit.hit("game-join", ip=ratelimit.client_ip(request))
    player = game_services.player_join(table=table, name=payload.name, user=request.auth)
    return Status(201, _player_out(player, table))


def _player_out(player: Player, table) -> dict:
    return {"id": player.pk, "name": player.name, "table": table.name, "code": table.code}


@router.post(
    "/game-tables/{code}/sort",
    response={200: StateOut, **WRITE_ERRORS},
    auth=TokenAuth(),
    summary="Put a card on a pile (or move it); answers the table's new state",
)
def sort_card(request, code: Text, payload: SortIn):
    table = _table(code)
    player = Player.objects.filter(table=table, user=request.auth).first()
    if player is None and table.mode != TableMode.SCREEN and not can(request.auth, "game.change", table.game):
        raise PermissionDenied("Join the table first (POST /game-tables/{code}/players).")
    version = game_services.card_sort(table=table, card_id=payload.card, pile=payload.pile, player=player)
    return game_selectors.table_state(table, version=version)
