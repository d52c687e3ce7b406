"""Browser tests: Python Playwright driving Debian's Chromium, headless, against pytest-django's
live server (a real HTTP server on a transactional test database).

Playwright's own browser download does not work here, so the tests use the system Chromium
(`apt-get install chromium`). If it is missing they fail and say how to install it: a
silently skipped browser suite would prove nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous calls, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The screenshots shown in docs/ui.md and the README are refreshed on request
# (SLADESK_UPDATE_SCREENSHOTS=1), so an ordinary test run does not rewrite committed files;
# otherwise they go to a temporary directory (the screenshot code still runs).
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("SLADESK_UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "sladesk-screenshots"
)
VIEWPORT = {"width": 1280, "height": 800}
PASSWORD = "correct horse battery staple"


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium against a live server")


def chromium_path() -> str:
    found = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
    if not found:
        pytest.fail(
            "Chromium is not installed, so the browser tests cannot run. Install Debian's "
            "Chromium (as root): apt-get update && apt-get install -y chromium",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Session:
    """One signed-in person: a browser context of their own (cookies apart)."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.context = browser.new_context(viewport=VIEWPORT, base_url=base_url)
        self.page = self.context.new_page()
        self.csp_violations: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(message.text)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.page.goto("/login/")
        self.page.fill("#id_username", email)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/$"))

    def shot(self, name: str, full_page: bool = False) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def open_session(chromium: Any, live_server: Any) -> Iterator[Any]:
    sessions: list[Session] = []

    def _open() -> Session:
        session = Session(chromium, live_server.url)
        sessions.append(session)
        return session

    yield _open
    violations = [v for s in sessions for v in s.csp_violations]
    for session in sessions:
        session.context.close()
    assert violations == [], "the pages broke their own Content-Security-Policy"


@pytest.fixture
def live_world(world: Any) -> Any:
    """The test world with Acme's 24x7 contract in force today, whatever today is."""
    from sladesk.contracts.models import Contract

    today = dt.date.today()
    Contract.objects.filter(pk=world.acme_contract.pk).update(
        signed_on=today - dt.timedelta(days=400),
        valid_from=today - dt.timedelta(days=365),
        valid_to=today + dt.timedelta(days=365),
    )
    return world
