#!/usr/bin/env python
"""Fault: the disk that holds uploads (MEDIA_ROOT) fills up while people add map entries with photos.

    sudo .venv/bin/python scripts/faults/fill_media_disk.py [--mount /tmp/sm-media] [--size 2m]
        [--db sqlite|postgres] [--pg-url postgres://root@127.0.0.1:5432/squaremile_faults]

Mounts a small tmpfs (`mount -t tmpfs -o size=2m tmpfs /tmp/sm-media`, so it needs root) as
MEDIA_ROOT, then, with production settings (DEBUG off) and Django's request handling in this
process (the test client, with exceptions turned into responses as in a server), a signed-in member
adds entries with two photos of random noise each (about 300 kB stored per photo) until the disk is
full. It checks that the entry that did not fit is answered 503 "The site cannot store files just
now. Nothing was saved …" (never a 500), that the reason is logged, and that nothing is half-saved:
every entry has all its photo rows, every photo row its file, and no file lies on the disk without
its row. Then the disk is unmounted. Exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Checks, Clock, child_env, collect_static, drop_database, fresh_database, say, setup_django  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mount", default="/tmp/sm-media")
    p.add_argument("--size", default="2m")
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--pg-url", default="postgres://root@127.0.0.1:5432/squaremile_faults")
    p.add_argument("--keep", action="store_true")
    return p.parse_args(argv)


def noise_jpeg() -> bytes:
    from PIL import Image

    raw = os.urandom(700 * 500 * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (700, 500), raw).save(out, "JPEG", quality=92)
    return out.getvalue()


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def main(argv=None) -> int:
    args = parse_args(argv)
    clock = Clock()
    check = Checks(clock)

    mount = Path(args.mount)
    mount.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.size}", "tmpfs", str(mount)], check=True)
    say(clock, f"tmpfs of {args.size} mounted at {mount} as MEDIA_ROOT")
    url = None
    try:
        url = fresh_database(args.db, args.pg_url, "fill-media")
        env = child_env(url, MEDIA_ROOT=str(mount))
        collect_static(env)
        setup_django(env)
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test import Client

        from squaremile.accounts.models import User
        from squaremile.attachments.models import Attachment
        from squaremile.mapping.models import Category, Entry

        collect = Collect()
        logging.getLogger().addHandler(collect)
        member = User.objects.create_user(email="member@example.org", password=None)
        category = Category.objects.order_by("id").first()
        client = Client(raise_request_exception=False)
        client.force_login(member)

        answers = []
        for n in range(1, 30):
            photos = [SimpleUploadedFile(f"p{n}-{i}.jpg", noise_jpeg(), "image/jpeg") for i in range(2)]
            data = {"title": f"Hall {n}", "category": str(category.pk), "lat": "53.8", "lng": "-1.55",
                    "photos": photos}  # fmt: skip
            t = time.monotonic()
            response = client.post("/map/add/", data)
            took = time.monotonic() - t
            free = os.statvfs(mount)
            answers.append(response.status_code)
            say(
                clock,
                f"entry {n}: {response.status_code} in {took * 1000:.0f} ms; "
                f"{free.f_bavail * free.f_frsize / 1024:.0f} kB left on the disk",
            )
            if response.status_code != 302:
                body = response.content.decode()
                check(response.status_code == 503, f"the entry that does not fit is answered {response.status_code}")
                check(
                    "The site cannot store files just now. Nothing was saved" in body,
                    "the page says so in plain words: 'The site cannot store files just now. Nothing was saved; "
                    "please try again later.'",
                )
                check(bool(response.get("Retry-After")), f"Retry-After: {response.get('Retry-After')}")
                break
        else:
            check(False, "the disk never filled up")

        logged = [line for line in collect.lines if "Storage full" in line]
        check(bool(logged), f"the reason is logged: {logged[:1]}")
        check(500 not in answers, f"no 500 among {answers}")
        entries = Entry.objects.count()
        ok_posts = answers.count(302)
        check(entries == ok_posts, f"{entries} entries stored for {ok_posts} accepted posts")
        per_entry = {e.pk: e.attachments.count() for e in Entry.objects.all()}
        check(all(c == 2 for c in per_entry.values()), f"every entry has both its photo rows: {per_entry}")
        # every stored file: each photo and its thumbnail
        rows = set(Attachment.objects.values_list("file", flat=True))
        rows |= set(Attachment.objects.exclude(thumbnail="").values_list("thumbnail", flat=True))
        files = {str(p.relative_to(mount)) for p in mount.rglob("*") if p.is_file()}
        check(all((mount / name).stat().st_size > 0 for name in rows if (mount / name).exists()), "no empty file")
        check(rows <= files, f"every photo row has its file ({len(rows)} rows)")
        check(files <= rows, f"no file without its row ({len(files)} files: {sorted(files - rows)[:3]})")
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        say(clock, f"{mount} unmounted")
        if url and not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(url)
    return check.verdict()


if __name__ == "__main__":
    sys.exit(main())
