#!/usr/bin/env python
"""Conversations benchmark (issue 16), on its own database, against the naive pages measured in the
same run:

* a thread with --replies replies (10,000): random pages of it, the whole page through Django's test
  client (middleware, view, template), median/p95 wall and CPU per request; the baseline is the same
  page with the posts paged by Django's Paginator (COUNT + OFFSET over created_at), as a first
  version would;
* a group with --threads threads (50,000): the first page and pages at random depths reached by
  "Older →" (a keyset on the list index); the baseline pages with Paginator (COUNT + OFFSET);
* the daily digest for --digest-members members (100,000) of --digest-groups groups (500), each with
  the day's posts waiting as notifications: built and queued (one mail task each) with the shared
  `send_digests`, then run again for the same day (it must queue nothing);
* --mails inbound e-mails (1,000): real multipart replies with quoted text, through
  `notifications.inbound.receive`, each posting a reply.

    .venv/bin/python bench/conversations_bench.py --db sqlite|postgres [--pg-url URL] [--replies 10000]
        [--threads 50000] [--digest-members 100000] [--digest-groups 500] [--mails 1000] [--requests 60]
        [--baseline-requests 30] [--out-dir var/bench] [--keep]

The database is made afresh (SQLite file under --out-dir, or the PostgreSQL database named by
--pg-url, dropped afterwards unless --keep). Prints the machine's load average with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MEDIAN_MS, TARGET_P95_MS = 50.0, 150.0
DIGEST_TARGET_S, MAILS_TARGET_S = 600.0, 60.0


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--pg-url", default="postgres://root@127.0.0.1:5432/sm_h1_bench")
    p.add_argument("--replies", type=int, default=10_000)
    p.add_argument("--threads", type=int, default=50_000)
    p.add_argument("--digest-members", type=int, default=100_000)
    p.add_argument("--digest-groups", type=int, default=500)
    p.add_argument("--mails", type=int, default=1_000)
    p.add_argument("--requests", type=int, default=60)
    p.add_argument("--baseline-requests", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out-dir", default=str(ROOT / "var" / "bench"))
    p.add_argument("--keep", action="store_true")
    p.add_argument("--parts", default="thread,group,mail,digest", help="which parts to run (comma-separated)")
    return p.parse_args()


def setup_django(args):
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if args.db == "sqlite":
        path = out / "conversations-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        _recreate_pg(args.pg_url)
        os.environ["DATABASE_URL"] = args.pg_url
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    os.environ["INBOUND_MAIL_DOMAIN"] = "in.bench.example"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["RATE_LIMITS"] = (
        "conversation-thread-new-account=;conversation-reply-new-account=;private-message=;private-conversation="
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()  # no collectstatic needed; everything else as in production

    call_command("migrate", verbosity=0)
    import logging

    logging.getLogger("squaremile.inbound").setLevel(logging.WARNING)  # one line per mail otherwise


def _recreate_pg(url, drop_only=False):
    from urllib.parse import urlparse, urlunparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def stats(samples):
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95, ordered[-1]


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


class Timer:
    def __init__(self, db):
        from django.db import connection

        from bench.dbcpu import backend_cpu, cpu_ms_between

        self.connection, self.backend_cpu, self.cpu_between, self.db = connection, backend_cpu, cpu_ms_between, db

    def run(self, fn, items):
        walls, cpus = [], []
        for item in items:
            before_db = self.backend_cpu(self.connection)
            c0, t0 = time.process_time(), time.perf_counter()
            fn(item)
            wall = (time.perf_counter() - t0) * 1000
            cpu = (time.process_time() - c0) * 1000
            db_ms = self.cpu_between(before_db, self.backend_cpu(self.connection))
            walls.append(wall)
            cpus.append(cpu + (db_ms or 0))
        return walls, cpus


def line(db, label, walls, cpus, *, verdict=True):
    med, p95, mx = stats(walls)
    cmed, cp95, _ = stats(cpus)
    ok = med < TARGET_MEDIAN_MS and p95 < TARGET_P95_MS
    tail = f" {'PASS' if ok else 'FAIL'}" if verdict else ""
    print(f"[{db}] {label}: n={len(walls)} median {med:.1f} ms p95 {p95:.1f} ms max {mx:.1f} ms "
          f"cpu/request median {cmed:.1f} ms p95 {cp95:.1f} ms{tail}")  # fmt: skip
    return {"n": len(walls), "median_ms": med, "p95_ms": p95, "cpu_median_ms": cmed, "cpu_p95_ms": cp95}


# ---- data -------------------------------------------------------------------------------------
def make_people(n, *, prefix):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from squaremile.accounts.models import Profile

    User = get_user_model()
    start = User.objects.count()
    password = make_password("bench-password-123")
    joined = timezone.now() - __import__("datetime").timedelta(days=60)
    batch = 5000
    made = []
    for lo in range(0, n, batch):
        rows = [
            User(email=f"{prefix}{i}@bench.example", password=password,
                 date_joined=joined)
            for i in range(start + lo, start + min(n, lo + batch))
        ]  # fmt: skip
        User.objects.bulk_create(rows, batch_size=batch)
        made_ids = list(
            User.objects.filter(email__in=[r.email for r in rows]).order_by("id").values_list("id", "email")
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user_id=uid, email=email, verified=True, primary=True) for uid, email in made_ids],
            batch_size=batch,
        )
        Profile.objects.bulk_create(
            [Profile(user_id=uid, display_name=f"Person {uid}") for uid, _ in made_ids], batch_size=batch
        )
        made.extend(uid for uid, _ in made_ids)
    return made


def make_group(owner, name, *, member_ids=(), mode="daily"):
    from django.contrib.contenttypes.models import ContentType

    from squaremile.conversations import services
    from squaremile.conversations.models import Group, Membership
    from squaremile.core.models import SpaceRole

    group = services.group_create(by=owner, data={"name": name, "purpose": "A bench group."})
    ct = ContentType.objects.get_for_model(Group)
    ids = [i for i in member_ids if i != owner.pk]
    Membership.objects.bulk_create([Membership(group=group, user_id=i, email_mode=mode) for i in ids], batch_size=5000)
    SpaceRole.objects.bulk_create(
        [SpaceRole(content_type=ct, object_id=group.pk, user_id=i, role="member") for i in ids], batch_size=5000
    )
    Group.objects.filter(pk=group.pk).update(member_count=len(ids) + 1)
    return group


def seed_thread(group, author_ids, replies, rng):
    import datetime as dt

    from django.utils import timezone

    from squaremile.conversations import services
    from squaremile.conversations.models import Post, Thread

    owner = group.owner
    thread = services.thread_start(group=group, by=owner, title="A very long conversation", body="Let's talk.")
    now = timezone.now() - dt.timedelta(days=30)
    from squaremile.core.text import render_markdown

    rows = []
    for n in range(2, replies + 2):
        body = f"Reply number {n}. " + "Words about the *allotment* and the compost bay. " * rng.randint(1, 6)
        rows.append(Post(thread=thread, number=n, author_id=rng.choice(author_ids), body=body,
                         html=render_markdown(body), created_at=now + dt.timedelta(seconds=n * 60)))  # fmt: skip
    Post.objects.bulk_create(rows, batch_size=5000)
    Thread.objects.filter(pk=thread.pk).update(post_count=replies + 1, reply_count=replies)
    thread.refresh_from_db()
    return thread


def seed_threads(group, author_ids, count, rng):
    import datetime as dt

    from django.utils import timezone

    from squaremile.conversations.models import Group, Post, Thread

    now = timezone.now()
    batch = 5000
    for lo in range(0, count, batch):
        rows = [
            Thread(group=group, title=f"Thread {i}", author_id=rng.choice(author_ids), post_count=1, reply_count=0,
                   pinned=i < 3, last_activity_at=now - dt.timedelta(minutes=rng.randint(0, 525_600)))
            for i in range(lo, min(count, lo + batch))
        ]  # fmt: skip
        Thread.objects.bulk_create(rows, batch_size=batch)
        Post.objects.bulk_create(
            [Post(thread=t, number=1, author_id=t.author_id, body="Opening words.") for t in rows], batch_size=batch
        )
    Group.objects.filter(pk=group.pk).update(thread_count=count)


# ---- baselines ---------------------------------------------------------------------------------
def naive_posts_page(user, thread, page, per_page=50):
    from django.core.paginator import Paginator

    from squaremile.conversations.models import Post

    qs = Post.objects.filter(thread=thread).select_related("author__profile").order_by("created_at", "id")
    posts = list(Paginator(qs, per_page).page(page).object_list)
    from squaremile.conversations.selectors import decorate_posts

    return decorate_posts(user, thread, posts)  # the same page; only the paging differs


def naive_page_count(thread, per_page=50):
    from django.core.paginator import Paginator

    from squaremile.conversations.models import Post

    return Paginator(Post.objects.filter(thread=thread).order_by("created_at", "id"), per_page).num_pages


def naive_threads_page(user, group, page, per_page=30):
    from django.core.paginator import Paginator

    from squaremile.conversations.models import Thread

    qs = Thread.objects.filter(group=group, status="published").select_related("author__profile")
    return list(Paginator(qs.order_by("-pinned", "-last_activity_at", "-id"), per_page).page(page).object_list)


# ---- runs --------------------------------------------------------------------------------------
def bench_thread(args, timer, rng, results):
    from django.test import Client

    from squaremile.conversations import selectors
    from squaremile.conversations.models import Group

    group = Group.objects.get(slug="long-thread")
    thread = group.threads.get()
    client = Client()
    pages = selectors.page_count(thread)
    url = thread.get_absolute_url()
    wanted = [rng.randint(1, pages) for _ in range(args.requests)]

    def get(page):
        response = client.get(f"{url}?page={page}", secure=True)
        assert response.status_code == 200, response.status_code

    timer.run(get, wanted[: args.warmup])
    walls, cpus = timer.run(get, wanted)
    results["thread_page"] = line(args.db, f"thread page ({thread.post_count - 1} replies, {pages} pages)",
                                  walls, cpus)  # fmt: skip
    ours = statistics.median(walls)
    real_page, real_count = selectors.posts_page, selectors.page_count
    selectors.posts_page, selectors.page_count = naive_posts_page, naive_page_count
    try:
        bw, bc = timer.run(get, wanted[: args.baseline_requests])
    finally:
        selectors.posts_page, selectors.page_count = real_page, real_count
    base = line(args.db, "  baseline: Paginator (COUNT + OFFSET) page", bw, bc, verdict=False)
    ow = walls[: args.baseline_requests]
    print(
        f"[{args.db}]   ratio = {base['median_ms'] / statistics.median(ow):.2f}x (baseline median / ours median "
        f"{statistics.median(ow):.1f} ms on the same {len(bw)} requests); all {len(walls)}: {ours:.1f} ms"
    )
    results["thread_page_baseline"] = base


def bench_group(args, timer, rng, results):
    from django.test import Client

    from squaremile.conversations.models import Group, Thread
    from squaremile.conversations.views.groups import _key_text

    group = Group.objects.get(slug="big-group")
    client = Client()
    url = group.get_absolute_url()
    ordered = Thread.objects.filter(group=group, status="published").order_by("-pinned", "-last_activity_at", "-id")
    depths = [0] + [rng.randint(0, args.threads // 30 - 1) for _ in range(args.requests - 1)]
    keys = {}
    for d in set(depths):
        if d:
            t = ordered.values_list("pinned", "last_activity_at", "id")[d * 30 - 1]
            keys[d] = _key_text(t)

    def ours(d):
        response = client.get(url, {"after": keys[d]} if d else {}, secure=True)
        assert response.status_code == 200

    timer.run(ours, depths[: args.warmup])
    walls, cpus = timer.run(ours, depths)
    results["group_list"] = line(args.db, f"group list ({args.threads} threads, random depth)", walls, cpus)
    from squaremile.conversations import selectors

    real = selectors.threads_page
    current = {}

    def naive(user, group_, before=None, per_page=30):
        rows = naive_threads_page(user, group_, current["page"], per_page)
        return rows, None

    def base(d):
        current["page"] = d + 1
        response = client.get(url, secure=True)
        assert response.status_code == 200

    selectors.threads_page = naive
    try:
        bw, bc = timer.run(base, depths[: args.baseline_requests])
    finally:
        selectors.threads_page = real
    b = line(args.db, "  baseline: Paginator (COUNT + OFFSET) page", bw, bc, verdict=False)
    ow = walls[: args.baseline_requests]
    print(f"[{args.db}]   ratio = {b['median_ms'] / statistics.median(ow):.2f}x (baseline median / ours median "
          f"{statistics.median(ow):.1f} ms on the same {len(bw)} requests)")  # fmt: skip
    results["group_list_baseline"] = b


def bench_digest(args, rng, results):
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from squaremile.conversations.models import Thread
    from squaremile.notifications.digests import send_digests
    from squaremile.notifications.models import Notification

    t0 = time.perf_counter()
    ids = make_people(args.digest_members, prefix="digest")
    owner = get_user_model().objects.get(pk=ids[0])
    per_group = max(1, len(ids) // args.digest_groups)
    ct = ContentType.objects.get_for_model(Thread)
    yesterday = timezone.now() - dt.timedelta(hours=12)
    notes = 0
    for g in range(args.digest_groups):
        members = ids[g * per_group : (g + 1) * per_group]
        group = make_group(owner, f"Digest group {g}", member_ids=members)
        threads = [Thread.objects.create(group=group, title=f"Today in group {g} #{k}", author=owner, post_count=1,
                                         last_activity_at=yesterday) for k in range(2)]  # fmt: skip
        rows = [
            Notification(recipient_id=uid, kind="conversations.group_post", actor=owner, target_type=ct,
                         target_id=t.pk, target_label=t.title, url=t.get_absolute_url(), title=f"New post: {t.title}",
                         delivery="daily")
            for uid in members if uid != owner.pk for t in threads
        ]  # fmt: skip
        Notification.objects.bulk_create(rows, batch_size=5000)
        notes += len(rows)
    seeded = time.perf_counter() - t0
    print(f"[{args.db}] digest data: {len(ids)} members in {args.digest_groups} groups, {notes} notifications "
          f"waiting, seeded in {seeded:.0f} s")  # fmt: skip
    c0, t0 = time.process_time(), time.perf_counter()
    queued = send_digests(period="daily")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    t1 = time.perf_counter()
    again = send_digests(period="daily")
    wall_again = time.perf_counter() - t1
    ok = wall < DIGEST_TARGET_S and again == 0
    print(f"[{args.db}] daily digest: {queued} mails built and queued in {wall:.1f} s (cpu {cpu:.1f} s; "
          f"{wall / max(1, queued) * 1000:.2f} ms per member); same day again: {again} mails in {wall_again:.1f} s "
          f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    results["digest"] = {"members": len(ids), "queued": queued, "wall_s": wall, "cpu_s": cpu, "again": again}


def bench_mail(args, rng, results):
    from django.contrib.auth import get_user_model

    from squaremile.conversations.models import Group, Post
    from squaremile.conversations.notifications import REPLY
    from squaremile.conversations.tests.mail import reply_message
    from squaremile.notifications import inbound

    group = Group.objects.get(slug="long-thread")
    thread = group.threads.get()
    people = list(get_user_model().objects.filter(pk__in=group.memberships.values("user_id"))[:200])
    messages = []
    for i in range(args.mails):
        person = people[i % len(people)]
        messages.append(reply_message(sender=person.email, to=inbound.reply_address(REPLY, user=person, obj=thread),
                                      new_text=f"Inbound reply {i}: yes, see you there.",
                                      quoted="Earlier words\nmore earlier words"))  # fmt: skip
    before = Post.objects.filter(thread=thread).count()
    c0, t0 = time.perf_counter(), time.process_time()
    outcomes = [inbound.receive(raw) for raw in messages]
    wall, cpu = time.perf_counter() - c0, time.process_time() - t0
    accepted = sum(1 for o in outcomes if o.status == inbound.ACCEPTED)
    posted = Post.objects.filter(thread=thread).count() - before
    ok = wall < MAILS_TARGET_S and accepted == args.mails == posted
    print(f"[{args.db}] inbound mail: {args.mails} replies received in {wall:.1f} s (cpu {cpu:.1f} s, "
          f"{wall / max(1, args.mails) * 1000:.1f} ms each); {accepted} accepted, {posted} posted "
          f"{'PASS' if ok else 'FAIL'}")  # fmt: skip
    results["inbound"] = {"mails": args.mails, "wall_s": wall, "cpu_s": cpu, "accepted": accepted}


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    setup_django(args)
    from django.contrib.auth import get_user_model

    print(f"[{args.db}] load average before: {load_average()} ({os.cpu_count()} CPUs)")
    t0 = time.perf_counter()
    ids = make_people(300, prefix="member")
    User = get_user_model()
    owner = User.objects.get(pk=ids[0])
    from django.utils.text import slugify

    long_group = make_group(owner, "Long thread", member_ids=ids, mode="none")
    assert long_group.slug == slugify("Long thread")
    seed_thread(long_group, ids, args.replies, rng)
    big = make_group(owner, "Big group", member_ids=ids[:50], mode="none")
    seed_threads(big, ids, args.threads, rng)
    print(f"[{args.db}] seeded a thread of {args.replies} replies and a group of {args.threads} threads in "
          f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    results = {"db": args.db}
    timer = Timer(args.db)
    parts = set(args.parts.split(","))
    if "thread" in parts:
        bench_thread(args, timer, rng, results)
    if "group" in parts:
        bench_group(args, timer, rng, results)
    if "mail" in parts:
        bench_mail(args, rng, results)
    if "digest" in parts and args.digest_members:
        bench_digest(args, rng, results)
    results["load_average_after"] = load_average()
    print(f"[{args.db}] load average after: {results['load_average_after']}")
    out = Path(args.out_dir) / f"conversations-{args.db}.json"
    out.write_text(json.dumps(results, indent=2))
    connection.close()
    if args.db == "postgres" and not args.keep:
        _recreate_pg(args.pg_url, drop_only=True)


if __name__ == "__main__":
    main()
