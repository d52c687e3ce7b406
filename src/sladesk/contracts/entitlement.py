"""Which contract, if any, entitles a company to support for a module at an instant."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sladesk.contracts.models import Contract, Coverage


def contract_in_force(*, company_id: int, module_id: int, at: dt.datetime) -> Contract | None:
    """The signed, in-date contract covering the module on the London date of `at`.

    With several, the one with the widest coverage (24x7 before standard) wins, then the
    most recently started, then the first created.
    """
    on = timezone.localtime(at).date()
    # A company holds a handful of contracts in force for one module: they are ranked here
    # rather than in SQL, which keeps the query that every ticket logged runs a plain one.
    candidates = list(
        Contract.objects.in_force(on)
        .filter(company_id=company_id, modules__id=module_id)
        .select_related("policy")
    )
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda c: (0 if c.coverage == Coverage.ALWAYS else 1, -c.valid_from.toordinal(), c.pk),
    )
