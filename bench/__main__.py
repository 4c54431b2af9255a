"""Run the benchmarks: `python -m bench [--only NAME ...] [--quick]`.

Benchmarks run against a separate database, `<name>_bench` on the same server as DATABASE_URL
(created and migrated if needed), never against the development data. Data sets generated
there are kept and reused by later runs. Results are printed as a table and written to
artifacts/bench.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import pkgutil
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent


def bench_database_url() -> str:
    """DATABASE_URL with the database name suffixed `_bench`; the database is created if missing."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    sys.path.insert(0, str(ROOT))
    from config import embedded

    url = os.environ.get("DATABASE_URL") or embedded.postgres_url()
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "postgres"
    if name.endswith("_bench"):
        return url
    bench_name = f"{name}_bench"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(bench_name)))
    return urlunsplit(parts._replace(path=f"/{bench_name}"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", default=[], help="run only bench_<NAME> (repeatable)")
    parser.add_argument("--quick", action="store_true", help="smaller data sets, for a smoke run")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = bench_database_url()
    if not os.environ.get("REDIS_URL"):
        from config import embedded

        os.environ["REDIS_URL"] = embedded.redis_url()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results = []
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    for name in names:
        if options.only and name.removeprefix("bench_") not in options.only:
            continue
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        for result in module.run(options):
            results.append({"bench": name, **dataclasses.asdict(result)})
            verdict = "" if result.ok is None else ("  OK" if result.ok else "  MISSED")
            target = f"  (target {result.target})" if result.target else ""
            print(f"  {result.name:<66} {result.value:>12.2f} {result.unit}{target}{verdict}", flush=True)
    out = ROOT / "artifacts" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
