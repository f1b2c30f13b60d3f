"""The decision core imports no web framework, task queue, cache or database library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "shared" / "domain"
FORBIDDEN = {
    "flask",
    "celery",
    "kombu",
    "redis",
    "sqlalchemy",
    "psycopg",
    "werkzeug",
    "services",
    "shared.store",
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: str(p.relative_to(DOMAIN))
)
def test_domain_module_imports_nothing_impure(path: Path) -> None:
    bad = {
        name
        for name in imported_modules(path)
        if any(name == root or name.startswith(root + ".") for root in FORBIDDEN)
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"
