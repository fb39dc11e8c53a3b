"""`make bench`: every benchmark of the project, on a fresh PostgreSQL database.

Each section prints its figures next to a baseline measured in the same run (these machines
are shared and noisy, so ratios mean more than absolute times). The results are also written
to bench/results/latest.json. Run one section with e.g. `python -m bench duplicates`.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("API_THROTTLE_ANON", "none")
os.environ.setdefault("API_THROTTLE_USER", "none")
os.environ.setdefault("API_THROTTLE_TOKEN", "none")

SECTIONS = [
    "quality",
    "duplicates",
    "conversion",
    "pages",
    "api",
    "board",
    "products",
    "custom_fields",
    "imports",
]


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("sections", nargs="*", help=f"some of {', '.join(SECTIONS)}")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--keep-db", action="store_true", help="reuse the data of a past run")
    args = parser.parse_args()
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}: choose from {', '.join(SECTIONS)}")
    args.sections = args.sections or SECTIONS

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("make bench needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    if not args.keep_db:
        recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    results: dict[str, object] = {}
    for section in args.sections:
        started = time.perf_counter()
        print(f"\n=== {section} ===", flush=True)
        try:
            results[section] = run_section(section, args)
        except Exception as error:  # one failing section must not hide the others' figures
            import traceback

            traceback.print_exc()
            results[section] = {"error": repr(error)}
        print(f"({section}: {time.perf_counter() - started:.0f} s)", flush=True)

    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    # Sections run alone update their part of the last full run's figures.
    latest = out / "latest.json"
    previous = json.loads(latest.read_text()) if latest.exists() else {}
    latest.write_text(json.dumps({**previous, **results}, indent=2, default=str))
    print(f"\nWritten to {out / 'latest.json'}")
    return 0


def run_section(section: str, args) -> dict:
    if section == "quality":
        from bench import duplicates_quality

        return duplicates_quality.run()
    if section == "duplicates":
        from bench import duplicates_latency

        return duplicates_latency.run(n_persons=args.persons)
    if section == "conversion":
        from bench import conversion_bench

        return conversion_bench.run()
    if section == "pages":
        from bench import pages_bench

        return pages_bench.run()
    if section == "api":
        from bench import api_bench

        return api_bench.run()
    if section == "board":
        from bench import board_bench

        return board_bench.run()
    if section == "products":
        from bench import products_bench

        return products_bench.run()
    if section == "custom_fields":
        from bench import custom_fields_bench

        return custom_fields_bench.run()
    if section == "imports":
        from bench import import_bench

        return import_bench.run()
    raise ValueError(section)


if __name__ == "__main__":
    sys.exit(main())
