"""What the benchmarks share: the PostgreSQL database they run in."""

import psycopg


def ensure_database(url: str) -> None:
    """Create the database of a postgres:// URL when it does not exist yet."""
    name = url.rsplit("/", 1)[1].split("?")[0]
    try:
        psycopg.connect(url, connect_timeout=5).close()
        return
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
