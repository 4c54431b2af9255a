"""The test run's environment, set before pytest-django loads the settings (a plugin loaded with `-p` in
pyproject.toml's addopts: a conftest.py would come too late).

Tests run with DEBUG=0, as production does, so the settings start no embedded server themselves: when
DATABASE_URL / REDIS_URL are unset, the embedded servers' URLs are set here, with Redis database 1 (the
app uses 0). pytest-django creates its own `test_<name>` PostgreSQL database. Explicit URLs are used as
given.
"""

import os
import sys

if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
    from config import embedded

    try:
        if not os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"] = embedded.postgres_url()
        if not os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = embedded.redis_url().replace("db=0", "db=1")
    except embedded.EmbeddedServerError as exc:
        sys.exit(str(exc))
os.environ.setdefault("DEBUG", "0")
