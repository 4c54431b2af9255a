import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.env import database_config

ROOT = Path(__file__).resolve().parents[2]


def _without_urls(env: dict[str, str]) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}, **env}


def _settings_in_subprocess(env: dict[str, str]) -> list[str]:
    code = "from config import settings as s; print(s.DATABASE_URL); print(s.REDIS_URL)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_without_urls(env), capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()


def test_with_debug_on_it_falls_back_to_the_embedded_servers_when_no_urls_are_set():
    database_url, redis_url = _settings_in_subprocess({"DEBUG": "1"})
    assert database_url.startswith("postgresql://postgres@/invoicing?host=")
    assert redis_url.startswith("unix://")
    assert redis_url.endswith("valkey.sock?db=0")
    assert redis.Redis.from_url(redis_url).ping()


def test_it_uses_the_urls_when_given():
    database_url, redis_url = _settings_in_subprocess(
        {"DATABASE_URL": "postgresql://u:p@db.example:6543/prod", "REDIS_URL": "redis://cache.example:6380/2"}
    )
    assert (database_url, redis_url) == ("postgresql://u:p@db.example:6543/prod", "redis://cache.example:6380/2")


@pytest.mark.parametrize(
    ("env", "unset"),
    [({}, "DATABASE_URL and REDIS_URL"), ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "DATABASE_URL")],
)
@pytest.mark.parametrize(
    "command", [["manage.py", "migrate"], ["manage.py", "rqworker", "default"], ["-m", "config.server"]]
)
def test_with_debug_off_and_a_url_unset_it_refuses_to_start_with_one_line(env, unset, command):
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=_without_urls({"DEBUG": "0", **env}),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr == f"{unset} must be set when DEBUG=0 (embedded servers are started for development only)\n"
    assert result.stdout == ""


def test_database_urls_become_django_settings():
    config = database_config("postgresql://user:s%40cret@127.0.0.1:5432/invoicing?sslmode=require")
    assert config["NAME"] == "invoicing"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "user",
        "s@cret",
        "127.0.0.1",
        "5432",
    )
    assert config["OPTIONS"] == {"sslmode": "require"}
    socket = database_config("postgresql://postgres@/invoicing?host=/run/pg")
    assert (socket["HOST"], socket["PORT"]) == ("/run/pg", "")


def test_a_non_postgres_url_is_refused():
    with pytest.raises(ValueError, match="postgresql://"):
        database_config("sqlite:///db.sqlite3")


@pytest.mark.django_db
def test_the_database_and_the_queue_are_real_servers():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000
    assert redis.Redis.from_url(str(settings.RQ_QUEUES["default"]["URL"])).ping()
