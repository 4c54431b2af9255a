"""Run the benchmarks: `python -m bench [--only NAME ...] [--quick]`.

Results are printed as a table and written to artifacts/bench.json.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", default=[], help="run only bench_<NAME> (repeatable)")
    parser.add_argument("--quick", action="store_true", help="smaller data sets, for a smoke run")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    django.setup()
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
            print(f"  {result.name:<60} {result.value:>12.2f} {result.unit}{target}{verdict}", flush=True)
    out = ROOT / "artifacts" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
