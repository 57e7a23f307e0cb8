"""The load test's setup step: signed-in users with API tokens, and samples of what exists to visit.

Run inside Django (the runner does `python bench/load/prepare.py --out FILE --users N` with the load
site's environment; the smoke test calls `prepare()` in-process). It writes a JSON file that the
Locust file reads, so that Locust itself never imports Django (it runs under gevent).

Idempotent: the load users (load-N@example.org) are made once and get a fresh token each run.
"""

import argparse
import json
import os
import random
import sys
from pathlib import Path

SAMPLE = 1000


def prepare(*, users: int, seed: int = 1) -> dict:
    from django.db.models import Q

    from squaremile.accounts.models import Role, User
    from squaremile.accounts.services import api_token_create
    from squaremile.directory.models import Organisation, Project
    from squaremile.events.models import Event
    from squaremile.mapping.models import Category, Entry, EntryStatus
    from squaremile.network.models import Survey
    from squaremile.places.models import Area
    from squaremile.stories.selectors import published as published_stories

    rng = random.Random(seed)

    def sample(values) -> list:
        values = list(values)
        return rng.sample(values, min(SAMPLE, len(values)))

    tokens = []
    for n in range(users):
        user, _ = User.objects.get_or_create(email=f"load-{n}@example.org", defaults={"role": Role.MEMBER})
        tokens.append(api_token_create(user=user, by=user, name="load test")[1])
    entries = Entry.objects.filter(status=EntryStatus.PUBLISHED)
    boxes = entries.values_list("lat", "lng")
    lats = [lat for lat, _ in boxes] or [53.8]
    lngs = [lng for _, lng in boxes] or [-1.55]
    names = Organisation.objects.values_list("name", flat=True)[:2000]
    words = sorted({w.strip(",.'()").lower() for name in names for w in name.split() if len(w) > 3})
    return {
        "organisations": sample(Organisation.objects.values_list("slug", flat=True)),
        "projects": sample(Project.objects.values_list("slug", flat=True)),
        "entries": sample(entries.values_list("pk", flat=True)),
        "areas": sample(Area.objects.values_list("slug", flat=True)),
        "categories": list(Category.objects.values_list("slug", flat=True)),
        # What contributors add entries in: categories with no required question to answer.
        "entry_categories": list(
            Category.objects.exclude(questions__required=True).distinct().values_list("slug", flat=True)
        ),
        # Public network pages: the surveys whose published view anyone may see.
        "surveys": sample(Survey.objects.filter(Q(is_published=True)).values_list("slug", flat=True)),
        "words": sample(words) or ["community"],
        # Stories and events people open (their pages' addresses)
        "stories": sample(published_stories().values_list("pk", flat=True)),
        "events": sample(Event.objects.listed().values_list("slug", flat=True)),
        # Where the entries are: the map pans over this box (a little beyond it).
        "extent": [min(lngs), min(lats), max(lngs), max(lats)],
        "tokens": tokens,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--users", type=int, default=20, help="signed-in users (one token each)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    data = prepare(users=args.users)
    args.out.write_text(json.dumps(data))
    print(
        f"prepared {len(data['tokens'])} tokens, {len(data['organisations'])} organisations, "
        f"{len(data['entries'])} entries, {len(data['surveys'])} public surveys -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
