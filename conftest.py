"""Loaded before Django settings: keep the test run off the development data.

With embedded servers, tests use Redis database 1 (the app uses 0); pytest-django creates its
own `test_<name>` PostgreSQL database. Explicit DATABASE_URL / REDIS_URL are used as given.
"""

import os

if not os.environ.get("REDIS_URL"):
    from config import embedded

    os.environ["REDIS_URL"] = embedded.redis_url().replace("db=0", "db=1")
os.environ.setdefault("DEBUG", "0")
