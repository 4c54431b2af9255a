"""The web server, as `make run` and production run it: Granian serving config.wsgi.

    python -m config.server [--host 0.0.0.0] [--port 8000]

WEB_WORKERS processes, each running the app in WEB_THREADS threads (settings); HTTP is parsed by
Granian's Rust core, connections are kept alive, and the admin's static files (`manage.py
collectstatic`) are served from STATIC_ROOT. The README ("Serving") says why Granian and what the
limits are. Settings are loaded before anything starts, so a missing DATABASE_URL with DEBUG=0 ends here
with its one-line message.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import importlib
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from config.env import env_int

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WORKERS_KILL_TIMEOUT = 10  # s a stopping worker may take to finish its requests before it is killed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The web server's processes borrow their connections from a pool of one per thread (settings).
    os.environ.setdefault("DB_POOL_MAX_SIZE", str(env_int("WEB_THREADS", 1)))

    from django.conf import settings
    from granian import Granian
    from granian.constants import Interfaces

    settings.WEB_WORKERS  # noqa: B018  # loads the settings: their errors stop us here, before any worker starts
    server = Granian(
        "config.wsgi:application",
        address=options.host,
        port=options.port,
        interface=Interfaces.WSGI,
        workers=settings.WEB_WORKERS,
        blocking_threads=settings.WEB_THREADS,
        respawn_failed_workers=True,
        workers_kill_timeout=WORKERS_KILL_TIMEOUT,
        static_path_route=["/" + settings.STATIC_URL.strip("/")],
        static_path_mount=[settings.STATIC_ROOT],
    )
    server.serve(target_loader=functools.partial(load_application, server_pid=os.getpid()))


def load_application(target: str, *, server_pid: int) -> Callable[..., Any]:
    """Run in each worker process as it starts: the WSGI application, once the worker's life is tied to
    the server's.

    - A worker leaves the server's process group, so that a terminal's Ctrl-C (SIGINT to the group) reaches
      the server alone, which then stops its workers with SIGTERM: a Granian 2.8 worker that gets both
      signals does not stop until it is killed (`workers_kill_timeout` later).
    - Granian's workers outlive a server killed with SIGKILL, and keep serving its port: on Linux the kernel
      sends them SIGTERM when the server dies.
    """
    os.setpgid(0, 0)
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != server_pid:  # it died before the line above
            # SIGKILL, not SIGTERM: this worker has served nothing yet, and a Granian worker that gets SIGTERM
            # before its serving loop starts was seen to keep running, an orphan on the port.
            os.kill(os.getpid(), signal.SIGKILL)
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


if __name__ == "__main__":
    main()
