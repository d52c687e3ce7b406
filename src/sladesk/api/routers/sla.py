"""/api/v1/sla: batch due-time computation with the engine's NumPy path, the policies the
caller may use, and the product modules (to log tickets against)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Router

from sladesk.api.problems import BATCH_TOO_LARGE, ApiProblem
from sladesk.api.routers.common import responses, user_of
from sladesk.api.schemas import DueIn, DueOut, ModuleOut, PolicyOut
from sladesk.api.serialize import is_helpdesk
from sladesk.contracts.models import SlaPolicy
from sladesk.contracts.sla_adapter import default_policy_row, policy_from_row
from sladesk.core.errors import ActionValidationError
from sladesk.customers.models import Module
from sladesk.sla import SLAInputError, response_due_many

router = Router(tags=["sla"])
MAX_ROWS = 10_000
# The engine builds its calendars' timelines over the span of the rows; far-off years are
# refused so one call cannot ask for centuries of bank holidays.
FIRST_YEAR, LAST_YEAR = 1990, 2100


def policies_visible_to(user: Any) -> QuerySet[SlaPolicy]:
    """The helpdesk: every policy. A customer: the default and its own contracts' policies."""
    default_policy_row()
    if is_helpdesk(user):
        return SlaPolicy.objects.all()
    return SlaPolicy.objects.filter(
        Q(is_default=True) | Q(contracts__company_id=user.company_id)
    ).distinct()


@router.post(
    "/sla/due",
    response=responses({200: DueOut}),
    summary="Response due times for up to 10,000 rows",
)
def due(request: HttpRequest, payload: DueIn) -> dict[str, Any]:
    """Row for row, the same answer as the ticket's own computation (the engine's batch
    path). `coverage` null means no valid contract: no target."""
    user = user_of(request)
    if len(payload.rows) > MAX_ROWS:
        raise ApiProblem(
            422,
            f"at most {MAX_ROWS} rows per call; this one has {len(payload.rows)}",
            type_=BATCH_TOO_LARGE,
            title="Batch too large",
            errors=[{"pointer": "/rows", "detail": f"at most {MAX_ROWS} rows"}],
        )
    errors: dict[str, str] = {}
    if payload.policy_id is None:
        policy_row = default_policy_row()
    else:
        found = policies_visible_to(user).filter(pk=payload.policy_id).first()
        if found is None:
            errors["policy_id"] = f"no policy {payload.policy_id}"
        policy_row = found or default_policy_row()
    for index, row in enumerate(payload.rows):
        if not FIRST_YEAR <= row.logged_at.year <= LAST_YEAR:
            errors[f"rows/{index}/logged_at"] = f"give a year from {FIRST_YEAR} to {LAST_YEAR}"
    if errors:
        raise ActionValidationError(errors)
    policy = policy_from_row(policy_row)
    try:
        result = response_due_many(
            policy,
            [row.priority for row in payload.rows],
            [row.coverage for row in payload.rows],
            [row.logged_at for row in payload.rows],
        )
    except SLAInputError as exc:
        raise ActionValidationError({"rows": str(exc)}) from exc
    due_list: list[Any] = []
    for value in result:
        if np.isnat(value):
            due_list.append(None)
        else:
            due_list.append(value.astype("datetime64[us]").item().replace(tzinfo=dt.UTC))
    return {"policy": policy_row.name, "due": due_list}


@router.get("/sla/policies", response=responses({200: list[PolicyOut]}), summary="SLA policies")
def policies(request: HttpRequest) -> list[dict[str, Any]]:
    """The policies the caller may name in POST /sla/due."""
    return [
        {"id": p.pk, "name": p.name, "is_default": p.is_default}
        for p in policies_visible_to(user_of(request)).order_by("name")
    ]


@router.get("/modules", response=responses({200: list[ModuleOut]}), summary="Product modules")
def modules(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": m.pk,
            "product": m.product.name,
            "name": m.name,
            "versions": [v.version for v in m.versions.all()],
        }
        for m in Module.objects.select_related("product").prefetch_related("versions")
    ]
