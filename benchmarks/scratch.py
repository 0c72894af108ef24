"""A throwaway PostgreSQL database for a benchmark, on the server of DATABASE_URL.

The benchmarks import this module. Run on its own, it drops the databases a benchmark kept
with --keep-db:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aiom .venv/bin/python benchmarks/scratch.py --drop aiom_bench_link
"""

import argparse
import os
import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def database_url_for(database_url: str, name: str) -> str:
    return urlsplit(database_url)._replace(path=f"/{name}").geturl()


def recreate_database(database_url: str, name: str) -> str:
    """Drop and create database `name`; returns its URL."""
    with psycopg.connect(database_url_for(database_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url_for(database_url, name)


def drop_database(database_url: str, name: str) -> None:
    with psycopg.connect(database_url_for(database_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drop", nargs="+", metavar="NAME", required=True,
                        help="databases to drop on the server of DATABASE_URL (e.g. aiom_bench aiom_load aiom_bench_link)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the PostgreSQL server the benchmark used.")
    for name in args.drop:
        drop_database(database_url, name)
        print(f"dropped {name} (if it existed)")


if __name__ == "__main__":
    main()
