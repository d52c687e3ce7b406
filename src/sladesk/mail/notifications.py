"""Which business events notify whom, rendered from editable templates into the outbox.

Customer and staff notifications follow the audit events that the actions write inside
their transaction: `sladesk.audit.recorder.record` calls `sladesk.core.notify.audit_event`,
which calls `notify_audit_event` here, directly and in the same transaction. The outbox
rows are part of that transaction, so a notification exists exactly when its event
committed. The key of
the rows is the audit event's id: one email per (event, recipient).

The SLA monitor's alerts and the on-call pages are built by their own apps and handed in
through `sladesk.core.notify.email` (`staff_emails`), keyed by the alert or page.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.template import Context, Engine, Template
from django.utils.html import escape, linebreaks

from sladesk.mail.headers import thread_root
from sladesk.mail.models import (
    MANDATORY_KINDS,
    InboundMessage,
    Kind,
    NotificationPreference,
    NotificationTemplate,
)
from sladesk.mail.outbox import Email, enqueue


@dataclass
class InboundContext:
    """Set by the ingest path while it calls an action, so the acknowledgement it causes
    answers the customer's email and lists what the email did not say."""

    message_id: str = ""
    missing: list[dict[str, Any]] = field(default_factory=list)


current_inbound: contextvars.ContextVar[InboundContext | None] = contextvars.ContextVar(
    "current_inbound", default=None
)


# ------------------------------------------------------------------------------ render


def _engine() -> Engine:
    return Engine.get_default()


def render(kind: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, plain text, HTML) for a kind: the administrator's template if there is an
    active one, else the packaged `mail/<kind>.subject.txt` and `mail/<kind>.txt`."""
    override = NotificationTemplate.objects.filter(kind=kind, active=True).first()
    engine = _engine()
    plain = Context(context, autoescape=False)
    if override is not None:
        subject = str(Template(override.subject, engine=engine).render(plain))
        text = str(Template(override.body_text, engine=engine).render(plain))
        html_source = override.body_html
    else:
        subject = str(engine.get_template(f"mail/{kind}.subject.txt").render(plain))
        text = str(engine.get_template(f"mail/{kind}.txt").render(plain))
        html_source = ""
    subject = " ".join(subject.split())
    reference = getattr(context.get("ticket"), "reference", "")
    if reference and reference not in subject:
        # Replies are matched by the reference in the subject: it is always there.
        subject = f"[{reference}] {subject}"
    if html_source:
        html = Template(html_source, engine=engine).render(Context(context))
    else:
        html = engine.get_template("mail/base.html").render(
            Context({**context, "subject": subject, "html_text": linebreaks(escape(text))})
        )
    return subject, text.strip() + "\n", html


# -------------------------------------------------------------------------- recipients


def wants(user: Any, kind: str) -> bool:
    if user is None or kind in MANDATORY_KINDS:
        return True
    return not NotificationPreference.objects.filter(user=user, kind=kind, enabled=False).exists()


def customer_recipient(ticket: Any) -> tuple[str, Any]:
    """The ticket's contact: its login's address, else the address on the contact."""
    contact = ticket.contact
    user = contact.user if contact.user_id else None
    if user is not None and user.is_active:
        return user.email, user
    return contact.email or "", None


def thread_headers(ticket: Any, *, new: bool = False) -> tuple[str, tuple[str, ...]]:
    """(In-Reply-To, References) that keep every email about a ticket in one thread, under
    the customer's own emails when the ticket came by email.

    `new`: the ticket was created in this transaction, so no stored email is linked to it
    yet (an emailed ticket's own message is in `current_inbound`)."""
    root = thread_root(ticket.reference)
    inbound = (
        []
        if new
        else list(
            InboundMessage.objects.filter(ticket=ticket)
            .exclude(message_id="")
            .order_by("received_at", "pk")
            .values_list("message_id", flat=True)
        )
    )
    context = current_inbound.get()
    if context and context.message_id and context.message_id not in inbound:
        inbound.append(context.message_id)
    references = [root, *inbound[:1], *inbound[-1:]]
    unique = tuple(dict.fromkeys(references))
    return (inbound[-1] if inbound else root), unique


def _email(
    kind: str,
    ticket: Any,
    recipient: tuple[str, Any],
    context: dict[str, Any],
    *,
    new_ticket: bool = False,
) -> Email:
    address, user = recipient
    subject, text, html = render(kind, {"ticket": ticket, "recipient_user": user, **context})
    in_reply_to, references = thread_headers(ticket, new=new_ticket)
    return Email(
        recipient=address,
        kind=kind,
        subject=subject,
        body_text=text,
        body_html=html,
        user=user,
        ticket=ticket,
        in_reply_to=in_reply_to,
        references=references,
    )


def notify_ticket(
    *,
    key: str,
    kind: str,
    ticket: Any,
    recipients: Iterable[tuple[str, Any]],
    context: dict[str, Any],
    at: dt.datetime,
    new_ticket: bool = False,
) -> list[int]:
    emails = [
        _email(kind, ticket, recipient, context, new_ticket=new_ticket)
        for recipient in recipients
        if recipient[0] and wants(recipient[1], kind)
    ]
    # The key is the audit event written a moment ago in this transaction: no outbox row
    # can hold it yet, so the inserts need no savepoint against a duplicate.
    return enqueue(key=key, emails=emails, at=at, new_key=True)


# --------------------------------------------------------------------- audit events


STATUS_EVENTS = {
    "ticket.status_changed",
    "ticket.investigating",
    "ticket.closed",
    "ticket.reopened",
}
ASSIGN_EVENTS = {"ticket.taken", "ticket.assigned", "ticket.reassigned"}
NOTIFYING_EVENTS = {
    "ticket.logged",
    "message.public_reply",
    "ticket.resolved",
    "ticket.priority_set",
    *STATUS_EVENTS,
    *ASSIGN_EVENTS,
}


def notify_audit_event(instance: Any) -> None:
    """Queue the notifications a business event causes. Called by `sladesk.core.notify`
    for every audit event `sladesk.audit.recorder.record` writes, in the action's
    transaction (an explicit call, not a signal: ADR 0012)."""
    if instance.ticket_id is None:
        return
    action = instance.action
    if not (
        action
        in {"ticket.logged", "message.public_reply", "ticket.resolved", "ticket.priority_set"}
        or action in STATUS_EVENTS
        or action in ASSIGN_EVENTS
    ):
        return
    from sladesk.tickets.models import Message, Ticket

    logged = action == "ticket.logged"
    cached = instance._meta.get_field("ticket").get_cached_value(instance, None)
    if logged and isinstance(cached, Ticket) and cached.pk == instance.ticket_id:
        # `log_ticket` hands over the row it has just inserted, with its company and
        # contact: reading it back would only repeat them.
        ticket = cached
    else:
        ticket = Ticket.objects.select_related("contact__user", "company", "assignee").get(
            pk=instance.ticket_id
        )
    actor = instance.actor
    key = f"audit:{instance.pk}"
    customer = customer_recipient(ticket)
    not_the_actor = [customer] if customer[1] is None or customer[1] != actor else []
    context: dict[str, Any] = {"event": instance, "actor": actor}

    if logged:
        inbound = current_inbound.get()
        context["missing"] = inbound.missing if inbound else []
        notify_ticket(
            key=key,
            kind=Kind.TICKET_LOGGED,
            ticket=ticket,
            recipients=[customer],
            context=context,
            at=instance.at,
            new_ticket=True,
        )
    elif action == "message.public_reply":
        message = Message.objects.select_related("author").get(pk=int(instance.subject_id))
        context["message"] = message
        if message.author.is_helpdesk:
            notify_ticket(
                key=key,
                kind=Kind.PUBLIC_REPLY,
                ticket=ticket,
                recipients=not_the_actor,
                context=context,
                at=instance.at,
            )
        elif ticket.assignee is not None and ticket.assignee.is_active:
            notify_ticket(
                key=key,
                kind=Kind.CUSTOMER_REPLY,
                ticket=ticket,
                recipients=[(ticket.assignee.email, ticket.assignee)],
                context=context,
                at=instance.at,
            )
    elif action in STATUS_EVENTS:
        notify_ticket(
            key=key,
            kind=Kind.STATUS_CHANGED,
            ticket=ticket,
            recipients=not_the_actor,
            context=context,
            at=instance.at,
        )
    elif action == "ticket.resolved":
        notify_ticket(
            key=key,
            kind=Kind.RESOLVED,
            ticket=ticket,
            recipients=not_the_actor,
            context=context,
            at=instance.at,
        )
    elif action == "ticket.priority_set":
        notify_ticket(
            key=key,
            kind=Kind.PRIORITY_CHANGED,
            ticket=ticket,
            recipients=not_the_actor,
            context=context,
            at=instance.at,
        )
    elif action in ASSIGN_EVENTS:
        assignee = ticket.assignee
        if assignee is not None and assignee.is_active and assignee != actor:
            notify_ticket(
                key=key,
                kind=Kind.ASSIGNED,
                ticket=ticket,
                recipients=[(assignee.email, assignee)],
                context=context,
                at=instance.at,
            )


# ------------------------------------------------------------------ staff (core.notify)


def staff_emails(
    *,
    key: str,
    kind: str,
    to: Iterable[str],
    subject: str,
    body: str,
    ticket: Any = None,
    at: dt.datetime | None = None,
) -> list[int]:
    """Queue an alert or page built by another app, one row per address, in the caller's
    transaction. The kind's template wraps the given subject and text (by default as is)."""
    from sladesk.accounts.models import User

    addresses = sorted({a.strip() for a in to if a and a.strip()})
    users = {u.email.lower(): u for u in User.objects.filter(email__in=addresses)}
    emails = []
    for address in addresses:
        user = users.get(address.lower())
        if not wants(user, kind):
            continue
        context = {"ticket": ticket, "subject": subject, "body": body, "recipient_user": user}
        rendered_subject, text, html = render(kind, context)
        in_reply_to, references = thread_headers(ticket) if ticket is not None else ("", ())
        emails.append(
            Email(
                recipient=address,
                kind=kind,
                subject=rendered_subject,
                body_text=text,
                body_html=html,
                user=user,
                ticket=ticket,
                in_reply_to=in_reply_to,
                references=references,
            )
        )
    return enqueue(key=key, emails=emails, at=at)
