"""Who is involved in what a complaint is about, and so may neither own nor decide it.

Involved: anyone who logged, was assigned to, replied to, noted on, called about, uploaded
to or changed the ticket (any audit event by them on it), and anyone who changed the
charge in question. Complaint events themselves do not count: handling the complaint is not
being involved in what it is about.
"""

from __future__ import annotations

from typing import Any

from sladesk.audit.models import AuditEvent
from sladesk.tickets.models import Attachment, Message, Ticket


def involved_user_ids(*, ticket: Ticket | None, charge: Any = None) -> set[int]:
    ids: set[int] = set()
    if ticket is not None:
        ids.add(ticket.logged_by_id)
        if ticket.first_response_by_id is not None:
            ids.add(ticket.first_response_by_id)
        if ticket.assignee_id is not None:
            ids.add(ticket.assignee_id)
        ids.update(Message.objects.filter(ticket=ticket).values_list("author_id", flat=True))
        ids.update(
            Attachment.objects.filter(ticket=ticket).values_list("uploaded_by_id", flat=True)
        )
        ids.update(
            AuditEvent.objects.filter(ticket=ticket, actor__isnull=False)
            .exclude(action__startswith="complaint.")
            .values_list("actor_id", flat=True)
        )
        ids.update(_time_entry_staff(ticket))
    if charge is not None:
        ids.update(
            AuditEvent.objects.filter(
                subject_type=charge._meta.label_lower,
                subject_id=str(charge.pk),
                actor__isnull=False,
            ).values_list("actor_id", flat=True)
        )
    return ids


def _time_entry_staff(ticket: Ticket) -> set[int]:
    from sladesk.billing.models import TimeEntry

    ids: set[int] = set()
    for staff_id, recorder_id in TimeEntry.objects.filter(ticket=ticket).values_list(
        "staff_id", "recorded_by_id"
    ):
        ids.update((staff_id, recorder_id))
    return ids


def is_involved(user: Any, *, ticket: Ticket | None, charge: Any = None) -> bool:
    return user.pk in involved_user_ids(ticket=ticket, charge=charge)
