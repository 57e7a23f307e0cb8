""" "What should we do?": a short description of a gathering (how many people, how long, where,
what for) -> the methods that fit, best first, each with its reasons in plain words."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from squaremile.core import search
from squaremile.methods.models import Method, Purpose, Setting
from squaremile.moderation.models import ModerationState as S

# Words people use -> the purpose they mean.
PURPOSE_WORDS = {
    Purpose.SKILLS: ("skill", "skills", "talent", "talents", "can do", "good at", "abilities"),
    Purpose.MAP_ASSETS: ("asset", "assets", "map", "mapping", "what we have", "resources", "places"),
    Purpose.IDEAS: ("idea", "ideas", "brainstorm", "imagine", "creative", "new"),
    Purpose.DECIDE: ("decide", "decision", "choose", "vote", "agree", "priorities", "prioritise"),
    Purpose.RELATIONSHIPS: ("meet", "know each other", "relationships", "trust", "connect", "neighbours", "welcome"),
    Purpose.EVALUATE: ("evaluate", "evaluation", "learn", "review", "went well", "impact", "feedback"),
    Purpose.STORIES: ("story", "stories", "memories", "history", "listen"),
    Purpose.PLAN: ("plan", "action", "next steps", "organise", "project"),
    Purpose.NETWORK: ("network", "networks", "who knows who", "connections", "ties"),
}


@dataclass
class Need:
    people: int
    minutes: int
    setting: str = Setting.FACE
    words: str = ""


@dataclass
class Suggestion:
    method: Method
    score: float
    reasons: list[str] = field(default_factory=list)


def purposes_in(words: str) -> list[str]:
    text = " " + re.sub(r"[^a-z ]+", " ", (words or "").lower()) + " "
    found = []
    for purpose, phrases in PURPOSE_WORDS.items():
        if any(f" {p} " in text for p in phrases):
            found.append(str(purpose))
    return found


def suggest(need: Need, *, limit: int = 8) -> list[Suggestion]:
    wanted = purposes_in(need.words)
    text_ids = set(search.ranked_ids(need.words, kind="method", cap=200)) if need.words.strip() else set()
    qs = Method.objects.filter(
        status=S.PUBLISHED,
        min_people__lte=max(need.people * 2, need.people + 5),
        max_people__gte=max(need.people // 2, 1),
        minutes__lte=max(need.minutes * 3 // 2, need.minutes + 15),
    ).only(
        "slug",
        "name",
        "summary",
        "purposes",
        "min_people",
        "max_people",
        "minutes",
        "setting",
        "use_count",
        "difficulty",
    )
    if need.setting in (Setting.FACE, Setting.ONLINE):
        qs = qs.filter(setting__in=[need.setting, Setting.BOTH])
    labels = dict(Purpose.choices)
    scored = []
    for method in qs.order_by("-use_count", "name")[:3000]:
        score, reasons = 0.0, []
        if method.min_people <= need.people <= method.max_people:
            score += 3
            reasons.append(f"Works for {need.people} people (it suits {method.min_people} to {method.max_people}).")
        else:
            score -= 1
            reasons.append(f"Made for {method.min_people} to {method.max_people} people: you may need to adapt it.")
        if method.minutes <= need.minutes:
            score += 2 + (method.minutes / max(need.minutes, 1))  # uses the time well
            reasons.append(f"Takes about {method.minutes} minutes: it fits in your {need.minutes}.")
        else:
            score -= 1
            reasons.append(f"Takes about {method.minutes} minutes, a little more than you have: shorten a step.")
        matched = [p for p in wanted if p in method.purpose_list]
        if matched:
            score += 4 * len(matched)
            reasons.insert(0, "It helps you " + " and ".join(labels[p].lower() for p in matched) + ".")
        if method.pk in text_ids:
            score += 1.5
            if not matched:
                reasons.insert(0, "Its description matches what you said you want.")
        if wanted and not matched and method.pk not in text_ids:
            score -= 3
        if method.use_count:
            score += min(math.log10(method.use_count + 1), 2)
            reasons.append(
                f"Groups have reported using it {method.use_count} time{'s' if method.use_count != 1 else ''}."
            )
        scored.append(Suggestion(method=method, score=score, reasons=reasons))
    scored.sort(key=lambda s: (-s.score, s.method.name))
    return scored[:limit]
