"""`make run` serves the site and runs the task worker together (issue 13, item 8): an e-mail queued
as a background task is sent while the development server runs, and Ctrl-C stops both."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUEUE_A_PUBLICATION_EMAIL = """
from squaremile.accounts.models import User
from squaremile.mapping.models import Category, Entry, EntryStatus
from squaremile.mapping.entries import tasks
user = User.objects.create_user(email="resident@example.org", password="x-Pass-12345")
user.emailaddress_set.create(email=user.email, verified=True, primary=True)
category = Category.objects.order_by("pk").first()
entry = Entry.objects.create(title="Friday food pantry", category=category, lat=53.8, lng=-1.55,
                             owner=user, status=EntryStatus.PUBLISHED)
tasks.notify_published.enqueue(entry.pk)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQUAREMILE_TESTING", "TASKS_IMMEDIATE")}
    env.update(SQUAREMILE_VAR_DIR=str(var_dir), DEBUG="1", EMAIL_URL="", PYTHONUNBUFFERED="1")
    return env


def test_make_run_serves_and_sends_queued_mail_then_stops_on_ctrl_c(tmp_path):
    env = _env(tmp_path)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=300)
    subprocess.run([*manage, "shell", "-c", QUEUE_A_PUBLICATION_EMAIL], env=env, cwd=ROOT, check=True, timeout=120)
    port = _free_port()
    command = [sys.executable, str(ROOT / "scripts" / "run_dev.py"), f"127.0.0.1:{port}"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    run = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True, **quiet)
    try:
        deadline = time.monotonic() + 90
        served = mailed = False
        while time.monotonic() < deadline and not (served and mailed):
            try:
                answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
                served = served or answer.status == 200
            except OSError:
                pass
            mail_dir = tmp_path / "mail"
            mailed = mail_dir.exists() and any("Friday food pantry" in f.read_text() for f in mail_dir.iterdir())
            time.sleep(0.5)
        assert served, "the development server did not answer"
        assert mailed, "the queued publication e-mail was not sent by the worker"
    finally:
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        run.wait(timeout=20)
    assert run.returncode == 0
    leftovers = subprocess.run(["pgrep", "-f", f"runserver 127.0.0.1:{port}"], capture_output=True, text=True)
    assert not leftovers.stdout.strip(), "a server process outlived Ctrl-C"
