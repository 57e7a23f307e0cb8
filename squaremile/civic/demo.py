"""Civic demo data for the demo locality (`manage.py seed_demo` calls `seed` after the map and the
network): the county, the district, parish councils for the villages, the water company (Open311) and
the police ("not handled here"), ward and county councillors, reports in every state with updates,
and questions answered and unanswered. Fictional throughout; e-mail addresses are @example.org."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from squaremile.civic.models import (
    Body,
    BodyKind,
    Delivery,
    ProblemCategory,
    QuestionRecipient,
    Report,
    ReportStatus,
    ReportSupport,
    ReportUpdate,
    RepQuestion,
    Representative,
    SendState,
    UpdateAuthor,
)  # fmt: skip
from squaremile.core.models import SpaceRole
from squaremile.moderation.models import ModerationState
from squaremile.places.models import Area, AreaKind

CATEGORIES = [  # name, code, group, threat
    ("Street lights", "STREETLIGHT", "Streets", False),
    ("Potholes", "POTHOLE", "Streets", False),
    ("Pavements", "PAVEMENT", "Streets", False),
    ("Fly-tipping", "FLYTIP", "Rubbish", False),
    ("Missed bin collection", "BINS", "Rubbish", False),
    ("Graffiti", "GRAFFITI", "Rubbish", False),
    ("Benches and bus shelters", "BENCH", "Parks and places", False),
    ("Water leak", "WATERLEAK", "Water", False),
    ("Blocked drain or sewer", "SEWER", "Water", False),
    ("Antisocial behaviour", "ASB", "Safety", False),
    ("Threat or cut to community activity", "THREAT", "Community", True),
]
POLICE_NOTE = "Call 999 in an emergency; report antisocial behaviour on the police's own site."
NOT_OURS = "This is the county's road: passed to them."
PARTIES = ["Labour", "Conservative", "Liberal Democrat", "Green", "", "Reform UK", ""]
FIRST = ["Ada", "Sam", "Priya", "Tom", "Grace", "Omar", "Ruth", "Dev", "Ellen", "Kwame", "Joy", "Luca", "Nia", "Hugh"]
LAST = ["Brook", "Hale", "Shah", "Marsh", "Okoro", "Fenwick", "Lowe", "Patel", "Ridley", "Asante", "Moss", "Quinn"]
TITLES = {
    "STREETLIGHT": ["Street light out", "Lamp post flickering", "Light on all day"],
    "POTHOLE": ["Deep pothole", "Pothole by the bus stop", "Road surface breaking up"],
    "PAVEMENT": ["Loose paving slab", "Pavement blocked by overgrowth"],
    "FLYTIP": ["Mattress dumped in the lane", "Bags of rubbish by the recycling bank"],
    "BINS": ["Bins not collected on Tuesday", "Green bin missed again"],
    "GRAFFITI": ["Graffiti on the underpass", "Tags on the chapel wall"],
    "BENCH": ["Broken bench on the green", "Bus shelter glass smashed"],
    "WATERLEAK": ["Water bubbling up from the road", "Leak by the school gate"],
    "SEWER": ["Drain blocked and smelling", "Sewer overflowing after rain"],
}
STATES = [ReportStatus.OPEN, ReportStatus.ACKNOWLEDGED, ReportStatus.IN_PROGRESS, ReportStatus.FIXED,
          ReportStatus.CLOSED, ReportStatus.NOT_RESPONSIBLE]  # fmt: skip
QUESTIONS = [
    ("When will the library's opening hours be restored?", "The library closes at 4pm now; many of us work until 5."),
    ("What is the plan for the flooding on Mill Lane?", "It has flooded three times this winter."),
    ("Will the youth club's grant be renewed?", "The club hears nothing and the lease ends in March."),
    ("Why was the bus shelter on the green removed?", "Older people now wait in the rain."),
    ("Can the 20 mph limit be extended past the school?", "Cars speed up right at the gate."),
    ("Who is responsible for the footpath by the river?", "It is overgrown and nobody seems to know."),
]


def _name(rng) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _point(rng, area: Area) -> tuple[float, float]:
    from squaremile.places.geometry import contains

    for _ in range(30):
        lat = rng.uniform(area.min_lat, area.max_lat)
        lng = rng.uniform(area.min_lng, area.max_lng)
        if contains(area.boundary, lat, lng):
            return lat, lng
    return area.centroid_lat, area.centroid_lng


def _reset() -> None:
    QuestionRecipient.objects.all().delete()
    RepQuestion.objects.all().delete()
    ReportUpdate.objects.all().delete()
    ReportSupport.objects.all().delete()
    Report.objects.all().delete()
    Representative.objects.all().delete()
    SpaceRole.objects.filter(content_type__app_label="civic").delete()
    Body.objects.all().delete()


@transaction.atomic
def seed(*, rng: random.Random, size, stdout=None) -> dict:
    areas = list(Area.objects.filter(boundary__isnull=False).exclude(min_lat=None))
    region = next((a for a in areas if a.kind == AreaKind.REGION), None)
    if region is None:
        return {}
    _reset()
    town = next((a for a in areas if a.kind == AreaKind.TOWN), region)
    wards = [a for a in areas if a.kind == AreaKind.WARD]
    villages = [a for a in areas if a.kind == AreaKind.VILLAGE]
    cats = {}
    for name, code, group, threat in CATEGORIES:
        cats[code], _ = ProblemCategory.objects.update_or_create(
            service_code=code, defaults={"name": name, "slug": slugify(name), "group": group, "is_threat": threat}
        )

    def body(name, kind, where, codes, **extra):
        b = Body.objects.create(name=name, slug=slugify(name)[:200], kind=kind, **extra)
        b.areas.set(where)
        b.categories.set([cats[c] for c in codes])
        return b

    county = body(f"{region.name} County Council", BodyKind.COUNTY, [region],
                  ["STREETLIGHT", "POTHOLE", "PAVEMENT", "THREAT"], email="highways@county.example.org",
                  website="https://county.example.org")  # fmt: skip
    district = body(f"{town.name} District Council", BodyKind.DISTRICT, [town, *villages],
                    ["FLYTIP", "BINS", "GRAFFITI", "THREAT"], email="streetscene@district.example.org",
                    website="https://district.example.org")  # fmt: skip
    parishes = [
        body(
            f"{v.name} Parish Council",
            BodyKind.PARISH,
            [v],
            ["STREETLIGHT", "BENCH"],
            email=f"clerk@{slugify(v.name)}-parish.example.org",
        )  # fmt: skip
        for v in villages[:4]
    ]
    water = body(f"{region.name} Water", BodyKind.WATER, [region], ["WATERLEAK", "SEWER"],
                 delivery=Delivery.OPEN311, open311_endpoint="https://water.example.org/open311/v2/",
                 open311_api_key="demo-key", website="https://water.example.org")  # fmt: skip
    police = body(f"{region.name} Police", BodyKind.POLICE, [region], ["ASB"], delivery=Delivery.ELSEWHERE,
                  elsewhere_url="https://police.example.org/report",
                  elsewhere_note=POLICE_NOTE)  # fmt: skip
    User = get_user_model()
    people = list(User.objects.filter(is_active=True, is_superuser=False).order_by("pk")[:400])
    staff = User.objects.filter(email="organiser@example.org").first()
    if staff is not None:
        SpaceRole.objects.get_or_create(content_type_id=_ct(Body), object_id=district.pk, user=staff, role="organiser")
    # representatives: two district councillors per ward, one county councillor per ward, parish councillors
    today = date.today()
    reps = []
    term = {"term_start": date(today.year - 1, 5, 2), "term_end": date(today.year + 3, 5, 4)}
    for ward in wards or [town]:
        for _ in range(2):
            reps.append(Representative(name=f"Cllr {_name(rng)}", role="Ward councillor", body=district, area=ward,
                                       party=rng.choice(PARTIES), **term))  # fmt: skip
        reps.append(Representative(name=f"Cllr {_name(rng)}", role="County councillor", body=county, area=ward,
                                   party=rng.choice(PARTIES), **term))  # fmt: skip
    for v, parish in zip(villages[:4], parishes, strict=False):
        reps.append(Representative(name=f"Cllr {_name(rng)}", role="Parish councillor", body=parish, area=v,
                                   party="", **term))  # fmt: skip
    for r in reps:
        r.email = f"{slugify(r.name)}@councillors.example.org"
        r.last_checked = today - timedelta(days=rng.randint(3, 120))
        r.external_id = f"demo:{slugify(r.name)}:{r.area_id}"
    Representative.objects.bulk_create(reps)
    reps = list(Representative.objects.all())
    # reports: every state, across the areas, with updates
    now = timezone.now()
    n_reports = max(60, int(getattr(size, "organisations", 300)) // 5)
    places = [a for a in areas if a.kind in (AreaKind.WARD, AreaKind.VILLAGE, AreaKind.NEIGHBOURHOOD)] or [region]
    from squaremile.civic import routing

    made, updates = [], []
    codes = list(TITLES)
    for i in range(n_reports):
        code = codes[i % len(codes)]
        area = rng.choice(places)
        lat, lng = _point(rng, area)
        chosen = routing.route(lat=lat, lng=lng, category=cats[code]).chosen
        status = STATES[i % len(STATES)]
        created = now - timedelta(days=rng.randint(0, 90), hours=rng.randint(0, 23))
        made.append(Report(
            owner=rng.choice(people) if people else None, hide_name=rng.random() < 0.2,
            title=rng.choice(TITLES[code]), description="Spotted on my way to the shops.", category=cats[code],
            body=chosen, lat=lat, lng=lng, area=area, status=status,
            status_reason=NOT_OURS if status == ReportStatus.NOT_RESPONSIBLE else "",
            send_state=SendState.SENT if chosen else SendState.NOT_SENT, sent_at=created if chosen else None,
            external_id=str(1000 + i) if chosen is water else "", supporters=1 + rng.randint(0, 4),
        ))  # fmt: skip
        made[-1]._created = created
    for r in made:
        r.is_open = r.status in (ReportStatus.OPEN, ReportStatus.ACKNOWLEDGED, ReportStatus.IN_PROGRESS)
    Report.objects.bulk_create(made, batch_size=500)
    for r in made:
        Report.objects.filter(pk=r.pk).update(created_at=r._created, updated_at=r._created)
        if r.status != ReportStatus.OPEN:
            updates.append(ReportUpdate(report=r, author_kind=UpdateAuthor.BODY, status_before=ReportStatus.OPEN,
                                        status_after=r.status, text="Thank you: we have looked at this."))  # fmt: skip
    ReportUpdate.objects.bulk_create(updates)
    # questions: some answered, some waiting, one waiting for moderation
    questions = 0
    from squaremile.civic.services import recompute_responsiveness

    for i, (title, text) in enumerate(QUESTIONS):
        rep = rng.choice(reps)
        status = ModerationState.PENDING if i == len(QUESTIONS) - 1 else ModerationState.PUBLISHED
        asked = now - timedelta(days=rng.randint(10, 200))
        q = RepQuestion.objects.create(owner=rng.choice(people) if people else None, area=rep.area, title=title,
                                       text=text, status=status, me_too=rng.randint(0, 12),
                                       published_at=asked if status == ModerationState.PUBLISHED else None)  # fmt: skip
        RepQuestion.objects.filter(pk=q.pk).update(created_at=asked)
        answered = (
            asked + timedelta(days=rng.randint(1, 12)) if i % 2 == 0 and status == ModerationState.PUBLISHED else None
        )
        QuestionRecipient.objects.create(
            question=q, representative=rep, sent_at=asked if status == ModerationState.PUBLISHED else None,
            answered_at=answered, reminded_7_at=asked + timedelta(days=7) if not answered else None,
            answer="Thank you for asking. I have raised it with the officers and will report back at the next "
                   "ward forum." if answered else "",
        )  # fmt: skip
        questions += 1
    for rep in reps:
        recompute_responsiveness(rep, now=now)
    counts = {"civic_bodies": Body.objects.count(), "civic_representatives": len(reps),
              "civic_reports": len(made), "civic_questions": questions}  # fmt: skip
    if stdout is not None:
        stdout.write(f"Civic: {counts['civic_bodies']} bodies, {len(reps)} representatives, {len(made)} reports, "
                     f"{questions} questions.")  # fmt: skip
    _ = police
    return counts


def _ct(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk
