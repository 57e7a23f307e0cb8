"""Demo data: a dozen groups (open, by request, one private) with a few hundred threads, their
replies, some decisions with votes and some threads closed with an outcome. Bulk-written for speed
(`seed_demo` at small size takes well under a second here); the public ones are put in the search."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from squaremile.conversations import search
from squaremile.conversations.models import (
    Access,
    Decision,
    DecisionKind,
    EmailMode,
    Group,
    Membership,
    Position,
    Post,
    Thread,
    Vote,
)
from squaremile.core.models import SpaceRole
from squaremile.core.text import render_markdown

GROUPS = [
    ("Mill Lane allotments", "food", Access.OPEN, "Plots, seeds, tools and the shared compost."),
    ("Riverside tenants", "housing", Access.REQUEST, "Tenants of the Riverside blocks: repairs, rents, getting heard."),
    ("Safe streets for school", "transport", Access.OPEN, "Slower traffic and safer crossings near the schools."),
    ("Repair café volunteers", "repair", Access.OPEN, "Fixers and helpers for the monthly repair café."),
    ("Food bank rota", "food", Access.REQUEST, "Who covers which shift, and what is running low."),
    ("Park friends", "green spaces", Access.OPEN, "Litter picks, bulbs, benches and the bandstand."),
    ("Youth club parents", "young people", Access.OPEN, "Lifts, kit, trips and fundraising."),
    ("Warm spaces network", "cost of living", Access.OPEN, "Warm, free places to be this winter."),
    ("Residents' association committee", "governance", Access.PRIVATE, "Committee business before it goes public."),
    ("Community energy", "energy", Access.OPEN, "Solar on the community centre roof, and what comes next."),
    ("Walking group", "health", Access.OPEN, "Weekly walks for every pace."),
    ("Library campaign", "services", Access.REQUEST, "Keeping the branch library open."),
]
TITLES = [
    "Next meeting: date and place", "Who can help on Saturday?", "Ideas for the summer", "Money: where we are",
    "A letter to the council", "Thank you all", "New people: say hello", "Lift share", "Keys and access",
    "What went well, what didn't", "Poster for the noticeboard", "Rota for next month", "Funding bid",
    "Safety first: a reminder", "Photos from the day", "Questions for the councillor",
]  # fmt: skip
WORDS = [
    "I can bring the urn and some cups.", "Could we meet at the community centre instead?",
    "Count me in for the morning.", "I'll ask at the school gate.", "Good idea — who has a van?",
    "Let's keep it short: one hour at most.", "I wrote to the ward councillor last week; no answer yet.",
    "There is a grant from the community foundation that closes next month.", "+1 to what was said above.",
    "Can someone share the notes from last time?", "I'm away that weekend, sorry.",
    "We did this two years ago and it worked well.",
]  # fmt: skip
OUTCOMES = [
    "Agreed: we meet on the first Tuesday of each month at the community centre.",
    "We will write to the council together; Sam drafts, everyone reads by Friday.",
    "Not this year: we'll look again in the spring.",
]


def _people():
    User = get_user_model()
    people = list(User.objects.filter(is_active=True).select_related("profile").order_by("id")[:400])
    named = {u.email.lower(): u for u in people}
    return people, named


@transaction.atomic
def seed(*, rng, size, stdout) -> dict:
    people, named = _people()
    if len(people) < 3:
        return {}
    demo, organiser = named.get("demo@example.org"), named.get("organiser@example.org")
    group_ct = ContentType.objects.get_for_model(Group)
    now = timezone.now()
    areas = []
    from squaremile.places.models import Area

    areas = list(Area.objects.filter(parent__isnull=True).values_list("id", flat=True)[:20])
    threads_per_group = max(10, min(40, size.organisations // 12))
    counts = {"groups": 0, "threads": 0, "posts": 0, "decisions": 0, "outcomes": 0}
    for name, topic, access, purpose in GROUPS:
        slug = slugify(name)
        if Group.objects.filter(slug=slug).exists():
            continue
        owner = organiser if organiser is not None and rng.random() < 0.5 else rng.choice(people)
        group = Group.objects.create(
            name=name, slug=slug, purpose=purpose, topic=topic, access=access, owner=owner,
            area_id=rng.choice(areas) if areas else None, last_activity_at=now,
        )  # fmt: skip
        members = rng.sample(people, min(len(people), rng.randint(8, 40)))
        for extra in (owner, demo):
            if extra is not None and extra not in members and (extra is owner or access != Access.PRIVATE):
                members.append(extra)
        Membership.objects.bulk_create(
            [Membership(group=group, user=u, email_mode=rng.choice(EmailMode.values)) for u in members]
        )
        roles = [SpaceRole(content_type=group_ct, object_id=group.pk, user=u, role="member") for u in members]
        roles.append(SpaceRole(content_type=group_ct, object_id=group.pk, user=owner, role="facilitator"))
        SpaceRole.objects.bulk_create(roles, ignore_conflicts=True)
        threads, posts = [], []
        for i in range(threads_per_group):
            started = now - dt.timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1440))
            replies = rng.choice([0, 1, 2, 3, 5, 8, 13])
            threads.append(
                Thread(
                    group=group,
                    title=rng.choice(TITLES),
                    author=rng.choice(members),
                    post_count=replies + 1,
                    reply_count=replies,
                    last_activity_at=started + dt.timedelta(hours=replies * 3),
                    pinned=i == 0,
                    created_at=started,
                )  # fmt: skip
            )
        Thread.objects.bulk_create(threads)
        for thread in threads:
            for number in range(1, thread.post_count + 1):
                body = rng.choice(WORDS) if number > 1 else f"{rng.choice(WORDS)}\n\n{rng.choice(WORDS)}"
                posts.append(Post(thread=thread, number=number, author=rng.choice(members), body=body,
                                  html=render_markdown(body), plus_ones=rng.choice([0, 0, 0, 1, 2])))  # fmt: skip
        Post.objects.bulk_create(posts, batch_size=1000)
        for thread in rng.sample(threads, max(1, len(threads) // 8)):
            kind = rng.choice(DecisionKind.values)
            options = ["Tuesday evening", "Saturday morning", "Sunday afternoon"] if kind == DecisionKind.CHOICE else []
            decision = Decision.objects.create(
                thread=thread, kind=kind, question="When shall we meet?" if options else "Shall we go ahead?",
                options=options, closes_at=now + dt.timedelta(days=rng.randint(-10, 14)),
                live_results=rng.random() < 0.5, created_by=owner,
            )  # fmt: skip
            choices = options or [Position.AGREE, Position.AGREE, Position.ABSTAIN, Position.DISAGREE]
            voters = rng.sample(members, min(len(members), rng.randint(2, 10)))
            Vote.objects.bulk_create(
                [Vote(decision=decision, user=u, choice=rng.choice(choices),
                      reason="It clashes with school pick-up." if rng.random() < 0.2 else "") for u in voters]
            )  # fmt: skip
            counts["decisions"] += 1
        for thread in rng.sample(threads, max(1, len(threads) // 10)):
            thread.closed_at, thread.closed_by, thread.outcome = now, owner, rng.choice(OUTCOMES)
            thread.save(update_fields=["closed_at", "closed_by", "outcome"])
            counts["outcomes"] += 1
        Group.objects.filter(pk=group.pk).update(member_count=len(members), thread_count=len(threads))
        group.refresh_from_db()
        search.index_group(group)
        if access != Access.PRIVATE:
            openings = {p.thread_id: p for p in posts if p.number == 1}
            for thread in threads:
                thread.group = group
                search.index_thread(thread, openings.get(thread.pk))
        counts["groups"] += 1
        counts["threads"] += len(threads)
        counts["posts"] += len(posts)
    if stdout is not None:
        stdout.write(
            f"  conversations: {counts['groups']} groups, {counts['threads']} threads, {counts['posts']} posts"
        )
    return {f"conversation {k}": v for k, v in counts.items()}
