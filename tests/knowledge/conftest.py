"""A small fixed corpus of articles over the helpdesk world, written through the action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from helpdesk_world import london

AT = london(2026, 3, 2, 9, 0)


@dataclass
class Corpus:
    blank_page: Any  # public known issue, Agent Desktop 5.1 only, title "blank script page"
    printer: Any  # public how-to, general, "printer" only in its body
    passwords: Any  # public how-to, Agent Desktop, every version
    reports_export: Any  # public how-to, Reports module (Bluebell has no Reports)
    vpn_internal: Any  # internal known issue, a secret word in title and body
    draft: Any  # public draft
    release_52: Any  # public release note, Agent Desktop 5.2+


def write(world: Any, **fields: Any) -> Any:
    from sladesk.knowledge.actions import save_article

    fields.setdefault("actor", world.engineer)
    fields.setdefault("state", "published")
    fields.setdefault("at", AT)
    return save_article(**fields)


@pytest.fixture
def corpus(world: Any) -> Corpus:
    return Corpus(
        blank_page=write(
            world,
            title="Blank script page after upgrading",
            body="Agents see an empty page instead of the script.\n\nClear the browser cache.",
            kind="known_issue",
            workaround="Clear the browser cache and reload the script.",
            module=world.desktop,
            versions="5.1",
        ),
        printer=write(
            world,
            title="Setting up call recording",
            body="Recordings are kept for 90 days. To print a transcript, choose the printer "
            "in Settings and press Print.",
        ),
        passwords=write(
            world,
            title="Resetting an agent's password",
            body="A supervisor resets passwords under Users. Passwords expire every 90 days.",
            module=world.desktop,
        ),
        reports_export=write(
            world,
            title="Exporting a report to Excel",
            body="Open the report, choose Export, then Excel workbook.",
            module=world.reports,
        ),
        vpn_internal=write(
            world,
            title="Zanzibar gateway drops agent sessions",
            body="Internal: the Zanzibar gateway on the hosting VPN drops sessions; "
            "restart the zanzibar service.",
            kind="known_issue",
            visibility="internal",
            workaround="Restart the zanzibar service on the gateway.",
        ),
        draft=write(
            world,
            title="Draft: blank page on script load",
            body="Not reviewed yet: blank page when a script loads.",
            state="draft",
        ),
        release_52=write(
            world,
            title="Release notes 5.2",
            body="Version 5.2 adds script folders and a faster blank-page recovery.",
            kind="release_note",
            module=world.desktop,
            versions="5.2+",
        ),
    )
