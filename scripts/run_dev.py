"""`make run`: the development server and the background task worker together, in one terminal.

Both stop with Ctrl-C (or when either of them stops). The worker is `manage.py worker` (the same
as `make worker`), so moderation and publication e-mails, imports and exports run as they would in
production; e-mails are printed on the console and listed at /dev/mail/.

    python scripts/run_dev.py [HOST:PORT]
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    address = argv[1] if len(argv) > 1 else "127.0.0.1:8000"
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    manage = [sys.executable, str(ROOT / "manage.py")]
    worker = subprocess.Popen([*manage, "worker"], env=env, cwd=ROOT)  # noqa: S603 - our own command
    server = subprocess.Popen([*manage, "runserver", address], env=env, cwd=ROOT)  # noqa: S603
    children = [server, worker]

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        gone = next(child for child in children if child.poll() is not None)
        name = "server" if gone is server else "worker"
        print(f"The {name} stopped (exit {gone.returncode}); stopping the other.", file=sys.stderr)
        return gone.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
