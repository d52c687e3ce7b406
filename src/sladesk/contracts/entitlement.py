"""Which contract, if any, entitles a company to support for a module at an instant."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from sladesk.contracts.models import Contract, Coverage


def contract_in_force(*, company_id: int, module_id: int, at: dt.datetime) -> Contract | None:
    """The signed, in-date contract covering the module on the London date of `at`.

    With several, the one with the widest coverage (24x7 before standard) wins, then the
    most recently started.
    """
    on = timezone.localtime(at).date()
    return (
        Contract.objects.in_force(on)
        .filter(company_id=company_id, modules__id=module_id)
        .select_related("policy")
        .annotate(
            coverage_rank=Case(
                When(coverage=Coverage.ALWAYS, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("coverage_rank", "-valid_from", "pk")
        .first()
    )
