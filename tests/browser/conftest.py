"""Browser fixtures: Debian's Chromium driven by Playwright, axe-core, and a running Tipline."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.procs import RedisServer
from tests.support.stack import Stack

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent / "output" / "screenshots"
CHROMIUM = Path(os.environ.get("TIPLINE_CHROMIUM", "/usr/bin/chromium"))
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
PASSWORD = "correct horse"


def _why_no_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (Python) is not installed (pip install -e '.[test]')"
    return None


NO_BROWSER = _why_no_browser()
_loud: list[str] = []


def pytest_report_header(config: pytest.Config) -> list[str]:
    if NO_BROWSER:
        return [f"BROWSER TESTS SKIPPED: {NO_BROWSER}"]
    return [f"browser tests: {CHROMIUM}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not NO_BROWSER:
        return
    skip = pytest.mark.skip(reason=f"BROWSER TESTS SKIPPED: {NO_BROWSER}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
            if not _loud:
                _loud.append(f"BROWSER TESTS SKIPPED: {NO_BROWSER}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in dict.fromkeys(_loud):
        terminalreporter.write_sep("!", line, red=True, bold=True)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's script, installed with npm from the committed lock file when missing."""
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(
            ["npm", "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
            check=False,
            timeout=300,
        )
    if not AXE.exists():
        message = (
            "ACCESSIBILITY CHECKS SKIPPED: axe-core not installed (npm ci --prefix tests/browser)"
        )
        _loud.append(message)
        pytest.skip(message)
    return AXE


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def live(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A whole Tipline (intake, router API and console, worker, scheduler) for one test module."""
    import redis

    redis.Redis.from_url(redis_server.url).flushall()
    workdir = tmp_path_factory.mktemp("browser-stack")
    stack = Stack(
        database_url=f"sqlite:///{workdir / 'tipline.db'}",
        redis_url=redis_server.url,
        workdir=workdir,
    )
    stack.prepare().start()
    yield stack
    stack.stop()
    for name, service in stack.services.items():
        if "Traceback" in service.log():
            print(f"----- {name} log -----\n{service.log()[-4000:]}")


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Any, viewport: str) -> Iterator[Any]:
    # axe-core goes in as a script tag, which the pages' CSP (rightly) refuses; the CSP itself is
    # checked without this bypass in test_csp.py.
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], locale="en-GB", timezone_id="Europe/London", bypass_csp=True
    )
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()


@pytest.fixture
def console_errors(page: Any) -> list[str]:
    """Errors the page logs, such as a Content-Security-Policy refusal."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    return errors


@pytest.fixture
def shoot(viewport: str) -> Callable[[Any, str], Path]:
    """Save a full-page screenshot as tests/output/screenshots/<name>-<viewport>.png."""

    def save(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{viewport}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def axe(axe_script: Path) -> Callable[[Any], list[dict[str, Any]]]:
    """Run axe-core on a page; returns its serious and critical violations."""

    def run(page: Any) -> list[dict[str, Any]]:
        page.add_script_tag(path=str(axe_script))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
        for violation in bad:
            nodes = [node["target"] for node in violation["nodes"]][:5]
            print(
                f"axe {violation['impact']}: {violation['id']}: {violation['help']} at {json.dumps(nodes)}"
            )
        return bad

    return run


def unique(text: str) -> str:
    """Tip text no earlier test has sent, so it is never taken for an exact duplicate."""
    return f"{text} (seen {uuid.uuid4().hex[:8]})"


def login(page: Any, stack: Stack, username: str) -> None:
    """Log in to the console through its form."""
    page.goto(f"{stack.api}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(re.compile(r".*/queues/.*|.*/hotspots.*|.*/ops.*"))


def submit_form(page: Any, stack: Stack, **fields: str) -> str:
    """Fill and send the public form; returns the reference from the receipt."""
    page.goto(f"{stack.ingest}/")
    for selector, value in fields.items():
        page.fill(f"#{selector}", value)
    page.click("button:has-text('Send report')")
    page.wait_for_selector("#reference")
    return str(page.text_content("#reference")).strip()
