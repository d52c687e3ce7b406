"""Message-IDs, the thread root of a ticket, and the signed loop-detection header."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid

from django.conf import settings

LOOP_HEADER = "X-Sladesk-Loop"
# Headers our own mail carries that other software reads to stay quiet.
AUTOMATIC_HEADERS = {
    "Auto-Submitted": "auto-generated",
    # Microsoft Exchange / Outlook: no out-of-office or read receipts in reply to us.
    "X-Auto-Response-Suppress": "All",
}


def domain() -> str:
    return str(settings.SLADESK_MAIL_DOMAIN)


def new_message_id() -> str:
    return f"<sladesk.{uuid.uuid4().hex}@{domain()}>"


def thread_root(reference: str) -> str:
    """A Message-ID that stands for the ticket: every email about it refers to it, so mail
    clients keep one thread per ticket even when the first email was never received."""
    return f"<ticket.{reference}@{domain()}>"


_ROOT_RE = re.compile(r"^<?ticket\.([A-Za-z0-9]+-\d+)@(.+?)>?$")


def reference_from_root(message_id: str) -> str | None:
    found = _ROOT_RE.match(message_id.strip())
    if found and found.group(2).lower() == domain().lower():
        return found.group(1)
    return None


def loop_signature(message_id: str) -> str:
    """What our loop header says: a keyed hash of the Message-ID. Anybody can write the
    header; only we can write a value that matches, so a forged one is ignored."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"loop:{message_id.strip()}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{domain()}; {digest[:32]}"


def is_our_loop(message_id: str, value: str) -> bool:
    return bool(message_id) and hmac.compare_digest(
        value.strip().encode(), loop_signature(message_id).encode()
    )
