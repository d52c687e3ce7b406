"""A queue with every kind of place in it, for the pagination tests of the queue pages and
the API: breached, running, tied due times, no target, waiting for the opening, responded."""

from __future__ import annotations

from typing import Any

from helpdesk_world import World, london, valid_ticket_fields

# Monday 9 March 2026 and the Saturday before; after all of them, "now" for the order.
MONDAY = (2026, 3, 9)


def log_mixed_queue(world: World) -> list[Any]:
    """Fourteen open tickets nobody holds, returned in logging order."""
    from sladesk.tickets.actions import add_public_reply, log_ticket

    acme = {"company": world.acme, "contact": world.acme_contact}
    bluebell = {"company": world.bluebell, "contact": world.bluebell_contact}
    specs: list[tuple[str, Any, dict[str, Any]]] = [
        ("normal", london(*MONDAY, 10, 0), acme),
        ("critical", london(*MONDAY, 10, 50), acme),
        ("major", london(*MONDAY, 10, 30), acme),
        ("minor", london(*MONDAY, 9, 0), acme),
        ("minor", london(*MONDAY, 9, 0), acme),  # the same instant: the id breaks the tie
        ("minor", london(*MONDAY, 9, 30), bluebell),
        ("enhancement", london(*MONDAY, 9, 0), acme),  # no target: last of the unanswered
        ("enhancement", london(*MONDAY, 9, 0), bluebell),
        ("normal", london(2026, 3, 7, 10, 0), bluebell),  # Saturday: waits for the opening
        ("major", london(*MONDAY, 8, 0), bluebell),
        ("critical", london(*MONDAY, 7, 0), acme),
        ("normal", london(*MONDAY, 11, 0), acme),
        ("normal", london(*MONDAY, 11, 5), bluebell),
        ("major", london(*MONDAY, 11, 10), acme),
    ]
    tickets = [
        log_ticket(
            **valid_ticket_fields(
                world, priority=priority, at=at, problem_since=london(2026, 3, 1), **who
            )
        )
        for priority, at, who in specs
    ]
    # Answered but still nobody's: they come after every ticket waiting for its response.
    for ticket in (tickets[0], tickets[9]):
        add_public_reply(
            actor=world.engineer, ticket=ticket, body="Looking", at=london(*MONDAY, 11, 30)
        )
    return tickets
