"""Take in one email: a new ticket, a reply on a ticket, or the quarantine. Never lost.

Every message is recorded (`InboundMessage`, raw bytes kept) in the same transaction as the
ticket or reply it creates; its Message-ID (or, without one, its content hash) is unique,
so the same mail delivered twice (an IMAP re-fetch, an MTA retry) creates nothing new.

Email is an unauthenticated write path. The only thing taken from a message to decide what
it may do is its From address, matched against active customer logins; control headers of
ours arriving from outside are not trusted (the loop header is checked against our key).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, transaction

from sladesk.accounts.models import User
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.mail.headers import LOOP_HEADER, is_our_loop, reference_from_root
from sladesk.mail.models import InboundMessage, MissingInformation, OutboundEmail
from sladesk.mail.notifications import InboundContext, current_inbound
from sladesk.mail.parsing import ParsedMail, Unparseable, parse

logger = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")
MAX_ATTACHMENTS = 20


class TooLarge(Unparseable):
    """Bigger than SLADESK_MAIL_MAX_BYTES."""


@dataclass
class Outcome:
    outcome: str  # an InboundMessage.Outcome value, or "duplicate"
    reason: str = ""
    inbound: InboundMessage | None = None
    ticket: Any = None


# ------------------------------------------------------------------- automatic mail

_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response)|out of (the )?office|autosvar|"
    r"abwesenheitsnotiz|automatische antwort|r[ée]ponse automatique|undeliver|"
    r"delivery status notification|mail delivery (failed|subsystem))",
    re.IGNORECASE,
)
REPORT_TYPES = {"multipart/report", "message/delivery-status", "message/disposition-notification"}


def own_addresses() -> set[str]:
    addresses = {*settings.SLADESK_MAIL_ADDRESSES, settings.DEFAULT_FROM_EMAIL}
    return {email.utils.parseaddr(a)[1].lower() for a in addresses if a}


def automatic_reason(mail: ParsedMail) -> str:
    """Why this mail must not create a ticket or be answered, or "" for a person's mail."""
    h = mail.headers
    local = mail.sender.partition("@")[0]
    if mail.sender in own_addresses():
        return "sent from the helpdesk's own address"
    if local in {"mailer-daemon", "postmaster"}:
        return f"sent by {local} (a bounce)"
    if mail.return_path.strip() == "<>":
        return "null return path (a bounce or automatic notice)"
    auto = h.get("auto-submitted", "").strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto}"
    if h.get("precedence", "").strip().lower() in {"bulk", "junk", "list"}:
        return f"Precedence: {h['precedence'].strip()}"
    if REPORT_TYPES & set(mail.content_types):
        return "a delivery or read report"
    if any(k in h for k in ("x-autoreply", "x-autorespond", "x-autoresponse")):
        return "marked as an automatic reply"
    if h.get("x-auto-response-suppress") and "oof" in h.get("x-ms-exchange-inbox-rules-loop", ""):
        return "an out-of-office reply"
    if _AUTO_SUBJECT.match(mail.subject):
        return "an out-of-office or delivery notice (subject)"
    loop = h.get(LOOP_HEADER.lower(), "")
    if loop and is_our_loop(mail.message_id, loop):
        return "our own email came back"
    return ""


# ------------------------------------------------------------------ ticket fields

_LABELS = {
    "module": {"module", "product", "product module", "product/module"},
    "version": {"version", "version number"},
    "affected": {"affected", "who is affected"},
    "since": {"since", "problem since", "how long"},
    "error": {"error", "error message", "error messages", "error details"},
    "impact": {"impact", "business impact"},
    "phone": {"phone", "telephone", "tel", "phone number"},
    "priority": {"priority"},
}
_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z /]{1,30}?)\s*:\s*(\S.*?)\s*$")


def labelled_fields(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.splitlines()[:200]:
        match = _LINE.match(line)
        if not match:
            continue
        label = match.group(1).strip().lower()
        for name, labels in _LABELS.items():
            if label in labels and name not in found:
                found[name] = match.group(2)[:2000]
    return found


def _affected(value: str) -> str:
    v = value.lower()
    if any(w in v for w in ("entire", "whole", "everyone", "all ", "contact centre", "center")):
        return "entire_centre"
    if any(w in v for w in ("several", "some", "pcs", "small number", "team")):
        return "several_pcs"
    if any(w in v for w in ("one", "single", "individual", "me", "just")):
        return "one_person"
    return ""


def _since(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)
    except (TypeError, ValueError, IndexError):
        return None


def _module(value: str, company: Any, at: dt.datetime) -> tuple[Any, str]:
    """(module, what was assumed). Named in the mail, else the company's contracted module
    (the first by name when several: assumed, so the SLA clock runs on its coverage)."""
    from sladesk.contracts.models import Contract
    from sladesk.customers.models import Module

    if value:
        name = value.split("/")[-1].strip()
        found = Module.objects.filter(name__iexact=name).select_related("product").first()
        if found is not None:
            return found, ""
    covered = (
        Module.objects.filter(
            contracts__in=Contract.objects.filter(company=company, signed_on__isnull=False)
        )
        .select_related("product")
        .distinct()
        .order_by("product__name", "name")
    )
    module = covered.first() or Module.objects.select_related("product").order_by("pk").first()
    return module, str(module) if module else ""


def ticket_fields(
    mail: ParsedMail, user: User, at: dt.datetime, *, for_contact: Any = None
) -> tuple[dict[str, Any], list]:
    """The log_ticket arguments an email gives, and what it did not give ("Logging Queries"
    asks for each) with what is assumed meanwhile. `user` logs the ticket: the sender
    (a customer), or an agent logging it `for_contact` from the quarantine."""
    from sladesk.customers.models import Contact

    given = labelled_fields(mail.text)
    if for_contact is not None:
        contact = for_contact
    else:
        contact = Contact.objects.filter(user=user).select_related("company").first()
    company = contact.company if for_contact is not None else user.company
    missing: list[dict[str, str]] = []

    def lack(name: str, label: str, assumed: str = "") -> None:
        missing.append({"field": name, "label": label, "assumed": assumed})

    module, assumed = _module(given.get("module", ""), company, at)
    if assumed:
        lack("module", "Module: the product module you are using", assumed)
    version = given.get("version", "").strip()
    known = list(module.versions.values_list("version", flat=True)) if module else []
    if not version or (known and version not in known):
        version = known[-1] if known else "not stated"
        lack("version", "Version: the version number of the module", version)
    affected = _affected(given.get("affected", ""))
    if not affected:
        affected = "one_person"
        lack(
            "affected",
            "Affected: one person, several PCs or the entire contact centre",
            "one person",
        )
    since = _since(given.get("since", ""))
    if since is None or since > at:
        since = min(mail.date or at, at)
        lack("problem_since", "Since: when the problem started", "when the email was sent")
    error = given.get("error", "")
    if not error:
        error = "Not stated in the email (asked of the customer)."
        lack("error_details", "Error: any error message details (screenshots welcome)")
    impact = given.get("impact", "")
    if not impact:
        impact = "Not stated in the email (asked of the customer)."
        lack("business_impact", "Impact: the business impact of the problem")
    phone = ""
    if contact is None or not contact.phone:
        phone = given.get("phone", "")
        if not phone and company is not None and company.phone:
            phone = company.phone
            lack("contact_phone", "Phone: a number to call you on", f"{phone} (company)")
    priority = given.get("priority", "").strip().lower()
    overview = mail.subject or next((ln for ln in mail.text.splitlines() if ln.strip()), "")
    fields = {
        "actor": user,
        "company": company if for_contact is not None else None,
        "contact": for_contact,
        "module": module,
        "version": version,
        "overview": (overview or "Email without a subject")[:200],
        "affected": affected,
        "problem_since": since,
        "error_details": error,
        "business_impact": impact,
        "channel": "email",
        "description": mail.text[:100_000],
        "contact_phone": phone or None,
        "proposed_priority": priority
        if priority in {"critical", "major", "normal", "minor", "enhancement"}
        else None,
        "at": at,
    }
    return fields, missing


# ------------------------------------------------------------------- conversation

_QUOTE_START = re.compile(
    r"^(## Reply above this line|-----\s*Original Message\s*-----|On .{4,200} wrote:$|"
    r"From: .+@.+$)",
    re.IGNORECASE,
)


def reply_text(text: str) -> str:
    """The new part of a reply: up to our marker or the client's quote header."""
    kept = []
    for line in text.splitlines():
        if _QUOTE_START.match(line.strip()):
            break
        kept.append(line)
    new = "\n".join(kept).strip()
    return new or text.strip()


def uploads(mail: ParsedMail) -> tuple[list[SimpleUploadedFile], list[str]]:
    limit = settings.SLADESK_MAX_ATTACHMENT_BYTES
    files: list[SimpleUploadedFile] = []
    notes: list[str] = []
    for item in mail.attachments:
        if len(files) >= MAX_ATTACHMENTS:
            notes.append(f"{item.name}: more than {MAX_ATTACHMENTS} attachments")
        elif len(item.data) > limit:
            notes.append(f"{item.name}: larger than {limit // (1024 * 1024)} MB")
        else:
            files.append(SimpleUploadedFile(item.name, item.data, item.content_type))
    return files, notes


def with_notes(text: str, notes: list[str]) -> str:
    if not notes:
        return text
    listed = "\n".join(f"- {n}" for n in notes)
    return f"{text}\n\n[Attachments kept only with the original email for an agent:\n{listed}]"


def details_from_reply(text: str, at: dt.datetime) -> dict[str, Any]:
    """The `complete_ticket_details` arguments a reply's "Label: value" lines give (the
    acknowledgement asks for them in that form). Lines that cannot be read are left out."""
    from sladesk.customers.models import Module

    given = labelled_fields(text)
    details: dict[str, Any] = {}
    if given.get("module"):
        name = given["module"].split("/")[-1].strip()
        module = Module.objects.filter(name__iexact=name).first()
        if module is not None:
            details["module"] = module
    if given.get("version", "").strip():
        details["version"] = given["version"].strip()
    affected = _affected(given.get("affected", ""))
    if affected:
        details["affected"] = affected
    since = _since(given.get("since", ""))
    if since is not None and since <= at:
        details["problem_since"] = since
    for label, name in (
        ("error", "error_details"),
        ("impact", "business_impact"),
        ("phone", "contact_phone"),
    ):
        if given.get(label, "").strip():
            details[name] = given[label].strip()
    return details


def _complete_from_reply(user: User, ticket: Any, text: str, at: dt.datetime) -> None:
    """A customer answers the acknowledgement's request for what their email lacked: the
    lines they give complete the ticket (only while something is still missing, so a
    label in a later conversation changes nothing). A line the action refuses is dropped;
    the reply itself is kept either way, for the agent to read."""
    from sladesk.mail.missing import outstanding_fields
    from sladesk.tickets.actions import complete_ticket_details

    if not outstanding_fields(ticket):
        return
    details = details_from_reply(text, at)
    for _attempt in range(2):
        if not details:
            return
        try:
            with transaction.atomic():
                complete_ticket_details(actor=user, ticket=ticket, at=at, **details)
            return
        except ActionValidationError as exc:
            details = {k: v for k, v in details.items() if k not in exc.errors}


# ------------------------------------------------------------------------ routing


def _reference_re() -> re.Pattern[str]:
    return re.compile(rf"\b({re.escape(settings.SLADESK_TICKET_PREFIX)}-\d+)\b")


def find_ticket(mail: ParsedMail) -> tuple[Any, str]:
    """(ticket, the reference named) for a reply; (None, "") for new mail."""
    from sladesk.tickets.models import Ticket

    ids = [*mail.in_reply_to, *mail.references]
    if ids:
        ticket_id = (
            OutboundEmail.objects.filter(message_id__in=ids, ticket__isnull=False)
            .values_list("ticket_id", flat=True)
            .first()
        ) or (
            InboundMessage.objects.filter(message_id__in=ids, ticket__isnull=False)
            .values_list("ticket_id", flat=True)
            .first()
        )
        if ticket_id:
            ticket = Ticket.objects.get(pk=ticket_id)
            return ticket, ticket.reference
        for message_id in ids:
            reference = reference_from_root(message_id)
            if reference:
                return Ticket.objects.filter(reference=reference).first(), reference
    named = _reference_re().search(mail.subject)
    if named:
        return Ticket.objects.filter(reference=named.group(1)).first(), named.group(1)
    return None, ""


def sender_user(mail: ParsedMail) -> User | None:
    if not mail.sender:
        return None
    return User.objects.filter(email__iexact=mail.sender, is_active=True).first()


def _rate_limited(mail: ParsedMail, now: dt.datetime) -> bool:
    limit = settings.SLADESK_MAIL_RATE_LIMIT
    if limit <= 0 or not mail.sender:
        return False
    recent = InboundMessage.objects.filter(
        sender=mail.sender,
        received_at__gt=now - dt.timedelta(hours=1),
        outcome__in=[InboundMessage.Outcome.TICKET, InboundMessage.Outcome.REPLY],
    ).count()
    return recent >= limit


def _act(mail: ParsedMail, row: InboundMessage, now: dt.datetime) -> Outcome:
    from sladesk.tickets.actions import add_public_reply, log_ticket

    reason = automatic_reason(mail)
    if reason:
        return Outcome(InboundMessage.Outcome.IGNORED, reason)
    if _rate_limited(mail, now):
        return Outcome(
            InboundMessage.Outcome.QUARANTINED,
            f"more than {settings.SLADESK_MAIL_RATE_LIMIT} emails from {mail.sender} in an hour",
        )
    user = sender_user(mail)
    ticket, reference = find_ticket(mail)
    files, notes = uploads(mail)
    token = current_inbound.set(InboundContext(message_id=mail.message_id))
    try:
        if reference:
            if ticket is None:
                return Outcome(InboundMessage.Outcome.QUARANTINED, f"no ticket {reference}")
            if user is None or not user.is_customer or user.company_id != ticket.company_id:
                return Outcome(
                    InboundMessage.Outcome.QUARANTINED,
                    f"{mail.sender or 'the sender'} is not a contact of {ticket.company.name}, "
                    f"whose ticket {ticket.reference} this replies to",
                    ticket=ticket,
                )
            message = add_public_reply(
                actor=user,
                ticket=ticket,
                body=with_notes(reply_text(mail.text) or "(empty email)", notes),
                attachments=files,
                at=now,
            )
            row.ticket_message = message
            _complete_from_reply(user, ticket, reply_text(mail.text), now)
            return Outcome(InboundMessage.Outcome.REPLY, ticket=ticket)
        if user is None or not user.is_customer:
            return Outcome(
                InboundMessage.Outcome.QUARANTINED,
                f"{mail.sender or 'the sender'} is not a known customer contact",
            )
        fields, missing = ticket_fields(mail, user, now)
        fields["description"] = with_notes(fields["description"], notes)
        current_inbound.set(InboundContext(message_id=mail.message_id, missing=missing))
        ticket = log_ticket(attachments=files, **fields)
        if missing:
            MissingInformation.objects.create(ticket=ticket, fields=missing, requested_at=now)
        return Outcome(InboundMessage.Outcome.TICKET, ticket=ticket)
    except (ActionValidationError, ActionPermissionDenied) as exc:
        return Outcome(InboundMessage.Outcome.QUARANTINED, f"refused: {exc}", ticket=ticket)
    finally:
        current_inbound.reset(token)


def ingest(raw: bytes, *, source: str, at: dt.datetime | None = None) -> Outcome:
    """Take in one message. Raises `Unparseable` for input that is not an email, and lets
    database errors through (a temporary failure: nothing was recorded, deliver again)."""
    now = instant(at)
    if len(raw) > settings.SLADESK_MAIL_MAX_BYTES:
        raise TooLarge(f"{len(raw)} bytes is more than {settings.SLADESK_MAIL_MAX_BYTES}")
    mail = parse(raw)
    dedupe_key = mail.message_id or f"sha256:{mail.content_hash}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = InboundMessage.objects.create(
                    dedupe_key=dedupe_key,
                    content_hash=mail.content_hash,
                    message_id=mail.message_id,
                    sender=mail.sender,
                    subject=mail.subject,
                    received_at=now,
                    source=source[:20],
                    raw=raw,
                    text=mail.text,
                    defects="\n".join(mail.defects)[:10_000],
                    outcome=InboundMessage.Outcome.QUARANTINED,
                )
        except IntegrityError:
            return Outcome("duplicate", "already received")
        try:
            with transaction.atomic():
                outcome = _act(mail, row, now)
        except DatabaseError:
            raise
        except Exception as exc:  # a message must never be lost to a bug: keep it for an agent
            logger.exception("email %s could not be processed; quarantined", dedupe_key)
            outcome = Outcome(
                InboundMessage.Outcome.QUARANTINED, f"could not be processed: {exc!r}"[:2000]
            )
        row.outcome = outcome.outcome
        row.reason = outcome.reason
        row.ticket = outcome.ticket
        row.save(update_fields=["outcome", "reason", "ticket", "ticket_message"])
        outcome.inbound = row
    return outcome


def quarantine_unparseable(raw: bytes, *, source: str, reason: str) -> Outcome:
    """Keep input that is not an email (IMAP has nobody to bounce it to)."""
    from hashlib import sha256

    digest = sha256(raw).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = InboundMessage.objects.create(
                    dedupe_key=f"sha256:{digest}",
                    content_hash=digest,
                    received_at=instant(None),
                    source=source[:20],
                    raw=raw,
                    outcome=InboundMessage.Outcome.QUARANTINED,
                    reason=f"not a readable email: {reason}"[:2000],
                )
        except IntegrityError:
            return Outcome("duplicate", "already received")
    return Outcome(row.outcome, row.reason, row)
