"""Fetch new mail from an IMAP mailbox (imap-tools) and take each message in.

A message is marked \\Seen only after the transaction that recorded it has committed. If
the database is unavailable the batch stops and the message stays unseen, so the next
fetch takes it again; one that was recorded but not marked (the connection dropped) is
recognised by its Message-ID or content and only marked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags

from sladesk.mail.ingest import ingest, quarantine_unparseable
from sladesk.mail.parsing import Unparseable

logger = logging.getLogger(__name__)


@dataclass
class FetchResult:
    seen: int = 0
    outcomes: dict[str, int] | None = None
    stopped: str = ""


def configured() -> bool:
    return bool(settings.SLADESK_IMAP_HOST and settings.SLADESK_IMAP_USER)


def _mailbox() -> Any:
    security = settings.SLADESK_IMAP_SECURITY
    host, port = settings.SLADESK_IMAP_HOST, settings.SLADESK_IMAP_PORT
    if security == "none":
        return MailBoxUnencrypted(host, port)
    if security == "starttls":
        return MailBoxStartTls(host, port)
    return MailBox(host, port)


def _raw(mailbox: Any, uid: str) -> bytes | None:
    status, data = mailbox.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def fetch(*, limit: int = 100) -> FetchResult:
    result = FetchResult(outcomes={})
    assert result.outcomes is not None
    with _mailbox().login(
        settings.SLADESK_IMAP_USER, settings.SLADESK_IMAP_PASSWORD, settings.SLADESK_IMAP_FOLDER
    ) as mailbox:
        uids = mailbox.uids(AND(seen=False))[:limit]
        for uid in uids:
            raw = _raw(mailbox, uid)
            if raw is None:
                continue
            try:
                try:
                    outcome = ingest(raw, source="imap").outcome
                except Unparseable as exc:
                    outcome = quarantine_unparseable(raw, source="imap", reason=str(exc)).outcome
            except DatabaseError as exc:
                # Temporary: leave it unseen for the next fetch.
                result.stopped = f"database unavailable: {exc}"
                logger.warning("IMAP fetch stopped, message %s left unseen: %s", uid, exc)
                break
            mailbox.flag(uid, MailMessageFlags.SEEN, True)
            result.seen += 1
            result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
    return result
