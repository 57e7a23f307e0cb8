"""Pages of the skills game: join, play (phones and the shared screen: one page, forms that work
without JavaScript; `static/js/skillsgame.js` sorts with fetch, swipes and keys, and polls
`state`), the results, and the organiser's pages (open a game, its tables and codes, paper cards and
tally sheets, typing a tally in, decks, feeding the results on with consent)."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from squaremile.core import ratelimit, records
from squaremile.core.pdf import pdf_response, render_pdf
from squaremile.core.permissions import can, refusal
from squaremile.core.site import absolute_url
from squaremile.methods.game import cards as game_cards
from squaremile.methods.game import results, selectors, services
from squaremile.methods.game.forms import DeckForm, GameForm, JoinForm, NameForm, TallyForm
from squaremile.methods.models import Card, Deck, DeckCard, Game, GameTable, Pile, Player, TableMode
from squaremile.places.models import Area


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _table_or_404(code) -> GameTable:
    table = selectors.table_by_code(code)
    if table is None:
        raise Http404("No table has this code. Check the letters with your organiser.")
    return table


def _remember_player(request, table, player) -> None:
    players = dict(request.session.get("game_players") or {})
    players[str(table.pk)] = player.token
    request.session["game_players"] = players


def _remember_table(request, table) -> None:
    opened = list(request.session.get("game_tables") or [])
    if table.pk not in opened:
        request.session["game_tables"] = (opened + [table.pk])[-50:]


def home(request):
    form = JoinForm(initial={"code": request.GET.get("code", "")})
    return render(
        request,
        "methods/game/home.html",
        {"form": form, "games": selectors.games_of(request.user)[:20], "may_add": can(request.user, "game.add")},
    )


@require_POST
def join(request):
    form = JoinForm(request.POST)
    if form.is_valid():
        table = selectors.table_by_code(form.cleaned_data["code"])
        if table is None:
            form.add_error("code", "No table has this code. Check the letters with your organiser.")
        else:
            return _join_table(request, table, form, form.cleaned_data["name"], "methods/game/home.html")
    return render(request, "methods/game/home.html", {"form": form, "games": [], "may_add": False}, status=400)


def _join_table(request, table, form, name, template):
    try:
        ratelimit.hit("game-join", ip=ratelimit.client_ip(request))
        player = services.player_join(table=table, name=name, user=request.user)
    except ratelimit.RateLimited as exc:
        form.add_error(None, exc.message)
        return render(request, template, {"form": form, "table": table, "games": [], "may_add": False}, status=429)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return render(request, template, {"form": form, "table": table, "games": [], "may_add": False}, status=400)
    _remember_player(request, table, player)
    return redirect("methods:play", code=table.code)


@require_http_methods(["GET", "POST"])
def play(request, code):
    table = _table_or_404(code)
    player = selectors.player_from_session(request.session, table)
    organiser = can(request.user, "game.change", table.game)
    if table.mode == TableMode.PAPER:
        return (
            redirect("methods:tally", code=table.code)
            if organiser
            else redirect("methods:table_results", code=table.code)
        )
    if table.mode == TableMode.PHONES and player is None and not organiser:
        form = NameForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            return _join_table(request, table, form, form.cleaned_data["name"], "methods/game/join_table.html")
        return render(
            request, "methods/game/join_table.html", {"form": form, "table": table}, status=400 if request.POST else 200
        )
    _remember_table(request, table)
    state = selectors.table_state(table)
    return render(
        request,
        "methods/game/play.html",
        {"table": table, "state": state, "player": player, "organiser": organiser, "piles": Pile.choices,
         "join_url": absolute_url(reverse("methods:join_code", args=[table.code]), request=request)},
    )  # fmt: skip


def join_code(request, code):
    """What the QR code opens: straight to the table (its name form)."""
    table = _table_or_404(code)
    return redirect("methods:play", code=table.code)


@never_cache
@require_GET
def state(request, code):
    """What a table's phones poll: 304 while the version is the one they have (one indexed read),
    else the whole state."""
    have = request.GET.get("v", "")
    etag_in = request.headers.get("If-None-Match", "").strip('W/"')
    version = selectors.table_version(code)
    if version is None:
        return JsonResponse({"message": "No table has this code."}, status=404)
    if str(version) in (have, etag_in):
        response = HttpResponseNotModified()
        response["ETag"] = f'"{version}"'
        return response
    table = _table_or_404(code)  # moved on: the whole state (its version read with the table)
    response = JsonResponse(selectors.table_state(table))
    response["ETag"] = f'"{table.version}"'
    return response


def _sorter(request, table) -> tuple[bool, Player | None]:
    """(may this request sort at the table, the player it is): anyone at a shared screen; a player
    who joined; the organiser."""
    player = selectors.player_from_session(request.session, table)
    if table.mode == TableMode.SCREEN or player is not None:
        return True, player
    return can(request.user, "game.change", table.game), None


def _not_joined(request, code):
    if _wants_json(request):
        return JsonResponse({"message": "Join the table first."}, status=403)
    return redirect("methods:play", code=code)


def _after_write(request, table, *, version: int | None = None, error: str = ""):
    if _wants_json(request):
        if error:
            return JsonResponse({"message": error}, status=400)
        if version is None:
            table = GameTable.objects.select_related("game").get(pk=table.pk)
        return JsonResponse(selectors.table_state(table, version=version))
    if error:
        messages.error(request, error)
    return redirect("methods:play", code=table.code)


@require_POST
def sort(request, code):
    table = _table_or_404(code)
    allowed, player = _sorter(request, table)
    if not allowed:
        return _not_joined(request, code)
    try:
        card_id = int(request.POST.get("card", ""))
    except ValueError:
        return _after_write(request, table, error="Which card? Reload the page and try again.")
    pile = request.POST.get("pile", "")
    try:
        version = services.card_sort(table=table, card_id=card_id, pile=pile, player=player)
    except ValidationError as exc:
        return _after_write(request, table, error=" ".join(exc.messages))
    return _after_write(request, table, version=version)


@require_POST
def unsort(request, code):
    table = _table_or_404(code)
    if not _sorter(request, table)[0]:
        return _not_joined(request, code)
    try:
        card_id = int(request.POST.get("card", ""))
        version = services.card_unsort(table=table, card_id=card_id)
    except ValueError:
        return _after_write(request, table, error="Which card? Reload the page and try again.")
    except ValidationError as exc:
        return _after_write(request, table, error=" ".join(exc.messages))
    return _after_write(request, table, version=version)


@require_POST
def finish(request, code):
    table = _table_or_404(code)
    if not _sorter(request, table)[0]:
        raise PermissionDenied("Join the table first.")
    services.table_finish(table=table, by=request.user)
    return redirect("methods:table_results", code=table.code)


def qr(request, code):
    table = _table_or_404(code)
    url = absolute_url(reverse("methods:join_code", args=[table.code]), request=request)
    svg = segno.make(url, error="m").svg_inline(scale=6, title=f"QR code to join {table.name}")
    return HttpResponse(svg, content_type="image/svg+xml")


def table_results(request, code):
    table = _table_or_404(code)
    player = selectors.player_from_session(request.session, table)
    organiser = can(request.user, "game.change", table.game)
    opened = table.pk in (request.session.get("game_tables") or [])
    if not (player or organiser or opened):
        raise Http404("Only the table and its organiser see these results.")
    result = results.table_results(table)
    return render(
        request,
        "methods/game/table_results.html",
        {"table": table, "result": result, "player": player, "organiser": organiser,
         "may_add_skills": bool(player and player.user_id and player.user_id == request.user.pk)},
    )  # fmt: skip


@login_required
@require_POST
def my_skills(request, code):
    table = _table_or_404(code)
    player = selectors.player_from_session(request.session, table)
    if player is None:
        raise PermissionDenied("Join the table first.")
    ids = [int(v) for v in request.POST.getlist("cards") if v.isdigit()]
    try:
        added = services.player_skills_add(by=request.user, player=player, card_ids=ids)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{added} skill{'s' if added != 1 else ''} added to your profile.")
    return redirect("methods:table_results", code=table.code)


# --- the organiser ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def game_create(request):
    if not can(request.user, "game.add"):
        raise PermissionDenied(refusal(request.user, "game.add"))
    game_cards.standard_decks()
    form = GameForm(request.POST or None, areas=Area.objects.order_by("name"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        tables = []
        for mode, key, word in (
            (TableMode.PHONES, "phone_tables", "Table"),
            (TableMode.SCREEN, "screen_tables", "Screen"),
            (TableMode.PAPER, "paper_tables", "Paper table"),
        ):
            for _ in range(d[key]):
                tables.append((f"{word} {len([t for t in tables if t[1] == mode]) + 1}", mode))
        try:
            game = services.game_create(
                by=request.user, name=d["name"], deck=d["deck"], played_on=d["played_on"], area=d["area"],
                tables=tables, group=d["group"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect(game)
    return render(
        request, "methods/game/game_form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


def _game_or_404(request, pk) -> Game:
    game = selectors.game_for(request.user, pk)
    if game is None:
        raise Http404("No game of yours here.")
    return game


@login_required
def game_detail(request, pk):
    game = _game_or_404(request, pk)
    tables = list(game.tables.all())
    for t in tables:
        _remember_table(request, t)
    result = results.game_results(game)
    return render(request, "methods/game/game_detail.html", {"game": game, "tables": tables, "result": result})


def game_results_view(request, pk):
    game = Game.objects.select_related("deck").filter(pk=pk).first()
    if game is None or not selectors.may_see_game_results(request.user, request.session, game):
        raise Http404("Only the players and the organiser see these results.")
    return render(
        request,
        "methods/game/game_results.html",
        {"game": game, "result": results.game_results(game), "organiser": can(request.user, "game.change", game)},
    )


@login_required
@require_POST
def gaps(request, pk):
    game = _game_or_404(request, pk)
    if request.POST.get("consent") != "yes":
        messages.error(request, "Tick the box to say the players agreed first.")
        return redirect("methods:game_results", pk=game.pk)
    made = services.gaps_record(by=request.user, game=game)
    where = f" on {game.area.name}" if game.area else ""
    n = len(made)
    messages.success(
        request, f"Posted {n} want{'s' if n != 1 else ''} on Wants and offers for the skills nobody we know has{where}."
    )
    return redirect("methods:game_results", pk=game.pk)


@login_required
@require_http_methods(["GET", "POST"])
def tally(request, code):
    table = _table_or_404(code)
    if not can(request.user, "game.change", table.game):
        raise PermissionDenied(refusal(request.user, "game.change"))
    deck_cards = selectors.deck_cards(table.game.deck)
    current = dict(table.placements.values_list("card_id", "pile"))
    form = TallyForm(request.POST or None, cards=deck_cards, initial_piles=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.tally_save(by=request.user, table=table, piles=form.piles())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Tally for {table.name} saved.")
            return redirect("methods:table_results", code=table.code)
    _remember_table(request, table)
    return render(
        request,
        "methods/game/tally.html",
        {"table": table, "form": form, "piles": Pile.choices},
        status=400 if request.method == "POST" else 200,
    )


def paper(request, pk):
    """Printable cards (A4, cut lines, large print) and the tally sheet of a deck."""
    deck = Deck.objects.filter(pk=pk).first()
    if deck is None:
        raise Http404("No deck here.")
    context = {"deck": deck, "cards": list(enumerate(selectors.deck_cards(deck), start=1)), "piles": Pile.choices}
    if request.GET.get("format") == "pdf":
        return pdf_response(
            render_pdf("methods/game/paper.html", context, request=request), filename=f"skills-cards-{deck.pk}.pdf"
        )
    return render(request, "methods/game/paper.html", context)


def decks(request):
    if can(request.user, "deck.add"):
        game_cards.standard_decks()
    return render(
        request,
        "methods/game/decks.html",
        {
            "decks": Deck.objects.order_by("name").prefetch_related("deck_cards"),
            "may_add": can(request.user, "deck.add"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def deck_edit(request, pk=None):
    deck = Deck.objects.filter(pk=pk).first() if pk else None
    if pk and deck is None:
        raise Http404("No deck here.")
    action = "deck.change" if deck else "deck.add"
    if not can(request.user, action, deck):
        raise PermissionDenied(refusal(request.user, action))
    all_cards = Card.objects.select_related("family", "skill").order_by("family__position", "family__name", "text")
    initial, words = {}, {}
    source = deck or (
        Deck.objects.filter(pk=request.GET["from"]).first() if request.GET.get("from", "").isdigit() else None
    )
    if source:
        initial = {
            "name": source.name if deck else f"{source.name} (my copy)"[:120],
            "description": source.description,
            "cards": list(DeckCard.objects.filter(deck=source).values_list("card_id", flat=True)),
        }
        words = dict(DeckCard.objects.filter(deck=source).exclude(text="").values_list("card_id", "text"))
    form = DeckForm(request.POST or None, initial=initial, cards=all_cards, words=words)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        deck = services.deck_save(
            by=request.user, deck=deck, name=d["name"], description=d["description"], cards=list(d["cards"]),
            texts=form.texts(),
        )  # fmt: skip
        messages.success(request, f"Saved “{deck.name}” ({len(d['cards'])} cards).")
        return redirect("methods:decks")
    return render(
        request,
        "methods/game/deck_form.html",
        {"form": form, "deck": deck},
        status=400 if request.method == "POST" else 200,
    )


def group_results(request, key):
    """A group's games over time: how much it can do, game after game."""
    games = selectors.group_games(request.user, request.session, key)
    if not games:
        raise Http404("No games of this group that you played or organised.")
    played = results.over_time(games)
    latest = games[0]
    group = records.resolve(latest.group_ref, user=request.user) if latest.group_ref else None
    scored = [p for p in played if p.tally.sorted]
    return render(
        request,
        "methods/game/group_results.html",
        {"key": key, "name": latest.group_name, "group": group, "played": played, "newest_first": played[::-1],
         "first": scored[0] if scored else None, "last": scored[-1] if scored else None},
    )  # fmt: skip
