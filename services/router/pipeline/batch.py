"""Sending a transaction's writes to PostgreSQL together instead of one round trip each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


@contextmanager
def pipelined(session: Session) -> Iterator[None]:
    """Within the block, statements that return nothing go out without waiting for each reply.

    Only for writes whose results nobody reads: with psycopg's pipeline mode the replies (and
    any error) arrive when the block ends. Errors are raised as SQLAlchemy's DBAPIError, as
    they would be without the pipeline, so retry policy sees the same exceptions. On SQLite,
    where a statement costs no round trip, the block runs as usual.
    """
    connection = session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name != "postgresql" or not isinstance(driver, psycopg.Connection):
        yield
        return
    try:
        with driver.pipeline():
            yield
    except psycopg.Error as exc:
        broken = driver.closed or driver.broken
        if broken:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            None, None, exc, psycopg.Error, connection_invalidated=broken
        ) from exc
