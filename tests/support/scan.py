"""Reading every value of every table, to prove what the database does not hold."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from shared.store.base import Base
from shared.store.db import make_engine, make_session_factory


def every_value(database_url: str) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-null cell of every Tipline table."""
    import shared.store.dedup  # noqa: F401  (registers the dedup tables on Base)
    import shared.store.models  # noqa: F401

    cells: list[tuple[str, str, str]] = []
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as db:
            for table in Base.metadata.sorted_tables:
                for row in db.execute(select(table)).mappings():
                    for column, value in row.items():
                        if value is not None:
                            cells.append((table.name, column, _text(value)))
    finally:
        engine.dispose()
    return cells


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def found(database_url: str, *needles: str) -> list[str]:
    """Where any needle appears in the database (case-insensitive), as 'table.column: needle'."""
    hits = []
    for table, column, text in every_value(database_url):
        for needle in needles:
            if needle.lower() in text.lower():
                hits.append(f"{table}.{column}: {needle}")
    return hits
