"""A throwaway PostgreSQL database for a benchmark, on the server of DATABASE_URL."""

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
