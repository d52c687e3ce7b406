"""Request and response bodies. Unknown request fields are ignored (never applied): a
client cannot set the assignee or internal flags by adding them to a body."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, Field


def _plausible(value: dt.datetime) -> dt.datetime:
    # Far-off years overflow when converted to UTC for storage; no ticket lives there.
    if not 1900 <= value.year <= 2200:
        raise ValueError("give an instant between the years 1900 and 2200")
    return value.astimezone(dt.UTC)


# An aware instant (with its offset or Z), returned in UTC.
Instant = Annotated[AwareDatetime, AfterValidator(_plausible)]

PriorityName = Literal["critical", "major", "normal", "minor", "enhancement"]
StatusName = Literal["new", "responded", "in_progress", "awaiting_customer", "resolved", "closed"]
AffectedName = Literal["one_person", "several_pcs", "entire_centre"]
ChannelName = Literal["phone", "web", "email", "api", "out_of_hours"]
CoverageName = Literal["standard", "24x7"]


class ProblemError(Schema):
    detail: str
    pointer: str | None = None
    parameter: str | None = None
    in_: str | None = Field(default=None, alias="in")


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemError] | None = None


# ------------------------------------------------------------------------------ tickets


class TicketIn(Schema):
    company: str | None = Field(
        default=None, description="Company slug. Customers: omit (always their own company)."
    )
    contact_id: int | None = Field(
        default=None, description="The reporting contact. Customers: omit (themselves)."
    )
    module_id: int = Field(description="See GET /api/v1/modules.")
    version: str
    overview: str
    description: str = ""
    affected: AffectedName
    problem_since: Instant
    error_details: str
    business_impact: str
    contact_name: str | None = None
    contact_phone: str | None = None
    proposed_priority: PriorityName | None = None
    priority: PriorityName | None = Field(
        default=None, description="Helpdesk only; refused for customers (use proposed_priority)."
    )
    channel: ChannelName | None = Field(
        default=None, description="Default: api. Customers may use web, email or api."
    )


class TicketOut(Schema):
    reference: str
    company: str
    company_name: str
    contact_name: str
    contact_phone: str
    module_id: int
    module: str
    version: str
    overview: str
    description: str
    affected: str
    problem_since: dt.datetime
    error_details: str
    business_impact: str
    channel: str
    logged_at: dt.datetime
    priority: str
    proposed_priority: str
    status: str
    coverage: str | None
    response_due: dt.datetime | None
    responded_at: dt.datetime | None
    response_met: bool | None
    response_state: str = Field(description="met, breached, overdue, pending or no target")
    resolution: str
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopen_count: int
    updated_at: dt.datetime
    # Helpdesk only: null for customers.
    assignee: str | None = None
    needs_review: bool | None = None
    possibly_chargeable: bool | None = None
    scope: str | None = None
    chargeable: bool | None = None


class MessageOut(Schema):
    id: int
    kind: str
    author: str
    at: dt.datetime
    body: str
    call_direction: str | None = None
    call_duration_seconds: int | None = None


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: dt.datetime
    message_id: int | None
    internal: bool
    download_url: str


class TicketDetail(TicketOut):
    messages: list[MessageOut]
    attachments: list[AttachmentOut]


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class ReplyIn(Schema):
    body: str


class CallIn(Schema):
    direction: Literal["inbound", "outbound"]
    duration_seconds: int = Field(ge=0, le=86400 * 7)
    summary: str


class PriorityIn(Schema):
    priority: PriorityName
    reason: str
    agreed_by: str = Field(description="Who agreed the change (the customer's contact, a manager).")


class PriorityProposalIn(Schema):
    priority: PriorityName
    reason: str


class StatusIn(Schema):
    status: Literal[
        "investigating", "in_progress", "awaiting_customer", "resolved", "closed", "reopened"
    ]
    reason: str = ""
    resolution: str = Field(default="", description="Required for `resolved`.")


class HistoryEntry(Schema):
    at: dt.datetime
    action: str
    actor: str | None
    reason: str
    agreed_by: str
    before: dict[str, Any]
    after: dict[str, Any]


class SlaOut(Schema):
    reference: str
    priority: str
    coverage: str | None
    policy: str | None
    logged_at: dt.datetime
    clock_starts_at: dt.datetime | None
    response_due: dt.datetime | None
    responded_at: dt.datetime | None
    response_met: bool | None
    response_due_at_response: dt.datetime | None
    response_state: str
    explanation: str | None = Field(description="How the due time was computed, in words.")
    history: list[HistoryEntry] = Field(description="Helpdesk only; empty for customers.")


# -------------------------------------------------------------------------------- queue


class QueueEntry(TicketOut):
    breached: bool
    waiting_for_opening: bool


class QueuePage(Schema):
    items: list[QueueEntry]
    total: int = Field(description="Tickets in the whole queue, on every page.")
    next_offset: int | None = Field(
        description="Pass as `offset` for the next page; null at the end."
    )


class TakeNextOut(Schema):
    ticket: TicketOut | None = Field(description="null when the queue is empty")


class AvailabilityIn(Schema):
    available: bool


class AvailabilityOut(Schema):
    available: bool
    changed_at: dt.datetime


# ---------------------------------------------------------------------------------- SLA


class DueRow(Schema):
    priority: PriorityName
    coverage: CoverageName | None = Field(description="null: no valid contract, so no target")
    logged_at: Instant


class DueIn(Schema):
    policy_id: int | None = Field(default=None, description="Default: the default policy.")
    rows: list[DueRow] = Field(json_schema_extra={"maxItems": 10000})


class DueOut(Schema):
    policy: str
    due: list[dt.datetime | None] = Field(description="UTC, row for row; null: no target")


class PolicyOut(Schema):
    id: int
    name: str
    is_default: bool


class ModuleOut(Schema):
    id: int
    product: str
    name: str
    versions: list[str]


# ---------------------------------------------------------------------------- directory


class CompanyOut(Schema):
    id: int
    name: str
    slug: str
    phone: str
    address: str


class ContactOut(Schema):
    id: int
    company: str
    name: str
    phone: str
    email: str
    user: str | None
    may_log_tickets: bool


class ContractOut(Schema):
    id: int
    reference: str
    company: str
    signed_on: dt.date | None
    valid_from: dt.date
    valid_to: dt.date
    coverage: str
    modules: list[int]
    policy: str | None
    price_list_reference: str
    sow_reference: str
    notes: str = ""


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    company: str | None
    is_active: bool


class UserIn(Schema):
    email: str
    role: Literal["operator", "engineer", "oncall", "manager", "admin", "customer"]
    password: str
    company: str | None = Field(default=None, description="Company slug; customers only.")
    full_name: str = ""
    phone: str = ""


# Writes to the directory. In a PATCH body only the fields sent are changed; a field left
# out keeps its value. Null is refused (422) except where it means something: a contract's
# `signed_on` and `policy`, a user's `company`.

# A database id: bounded so that a huge number is "no such object", not an overflow.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class CompanyIn(Schema):
    name: str
    slug: str = Field(default="", description="Empty: made from the name.")
    phone: str = ""
    address: str = ""


class CompanyPatch(Schema):
    name: str | None = None
    slug: str | None = None
    phone: str | None = None
    address: str | None = None


class ContactIn(Schema):
    company: str = Field(description="Company slug.")
    name: str
    phone: str = ""
    email: str = ""
    may_log_tickets: bool = True


class ContactPatch(Schema):
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    may_log_tickets: bool | None = None


class DeactivateIn(Schema):
    reason: str = Field(description="Why; kept in the audit trail.")


class ContractIn(Schema):
    company: str = Field(description="Company slug.")
    reference: str
    valid_from: dt.date
    valid_to: dt.date = Field(description="The last day of validity (inclusive).")
    modules: list[RowId] = Field(description="Module ids; see GET /api/v1/modules.")
    coverage: CoverageName = "standard"
    signed_on: dt.date | None = Field(default=None, description="Null: not signed yet.")
    policy: str | None = Field(default=None, description="SLA policy name; null: the default.")
    price_list_reference: str = ""
    sow_reference: str = ""
    notes: str = ""


class ContractPatch(Schema):
    reference: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    modules: list[RowId] | None = None
    coverage: CoverageName | None = None
    signed_on: dt.date | None = Field(default=None, description="Null: not signed.")
    policy: str | None = Field(default=None, description="Null: the default policy.")
    price_list_reference: str | None = None
    sow_reference: str | None = None
    notes: str | None = None


class UserPatch(Schema):
    role: Literal["operator", "engineer", "oncall", "manager", "admin", "customer"] | None = None
    company: str | None = Field(
        default=None, description="Company slug; null: none (helpdesk staff)."
    )
    full_name: str | None = None
    phone: str | None = None
    is_active: bool | None = None
    reason: str = Field(default="", description="Why; kept in the audit trail.")


# ----------------------------------------------------------------------------- webhooks


class EndpointIn(Schema):
    name: str
    url: str
    secret: str = Field(default="", description="At least 16 characters; empty: generated.")
    event_types: list[str] = Field(default_factory=list, description="Empty: every event type.")
    allow_private_network: bool = Field(
        default=False, description="Allow private/loopback targets (administrators only)."
    )


class EndpointOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    active: bool
    allow_private_network: bool
    created_at: dt.datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="Shown once: keep it to check the signatures.")


class AttemptOut(Schema):
    number: int
    at: dt.datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(Schema):
    id: int
    event_type: str
    event_id: int
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    delivered_at: dt.datetime | None
    last_error: str
    log: list[AttemptOut]


# ------------------------------------------------------------------------------- tokens


class TokenOut(Schema):
    id: int
    user: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


# --------------------------------------------------------------------------- complaints

AboutName = Literal["ticket", "charge", "service"]
CauseName = Literal["response_time", "resolution", "communication", "charge", "conduct", "other"]
ComplaintStageName = Literal["logged", "acknowledged", "investigating", "decided", "closed"]


class ComplaintIn(Schema):
    about: AboutName
    summary: str
    ticket: str | None = Field(
        default=None, description="The ticket's reference; required when about=ticket."
    )
    charge_id: int | None = Field(
        default=None,
        description="Required when about=charge (to hold the charge, use POST "
        "/charges/{charge_id}/disputes).",
    )
    contact_id: int | None = Field(
        default=None,
        description="Helpdesk: the customer contact who complains (default: the ticket's "
        "contact). Customers: omit (themselves).",
    )
    cause: CauseName | None = Field(default=None, description="Default follows `about`.")
    channel: Literal["api", "portal", "phone", "email", "letter"] | None = Field(
        default=None,
        description="Customers: api (default) or portal. Helpdesk: how the complaint was "
        "received, phone (default), email or letter.",
    )


class RemedyOut(Schema):
    credit_amount: str | None = Field(description='A decimal amount, e.g. "50.00".')
    credit_currency: str | None
    charge_waived: bool
    ticket_reopened: bool


class DecisionOut(Schema):
    outcome: str
    reason: str
    decided_at: dt.datetime
    decided_by: str | None
    remedy: RemedyOut


class ComplaintOut(Schema):
    reference: str
    company: str
    company_name: str
    contact_name: str
    about: str
    ticket: str | None
    charge_id: int | None
    summary: str
    cause: str
    channel: str
    logged_at: dt.datetime
    stage: str
    owner: str | None
    acknowledge_due: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledge_met: bool | None
    acknowledge_state: str = Field(description="met, breached, overdue or pending")
    decision_due: dt.datetime
    decision_met: bool | None
    decision_state: str = Field(description="met, breached, overdue or pending")
    decision: DecisionOut | None = Field(description="null until decided")
    closed_at: dt.datetime | None
    updated_at: dt.datetime


class ComplaintNoteOut(Schema):
    id: int
    author: str
    at: dt.datetime
    body: str
    visible_to_customer: bool


class ComplaintDetail(ComplaintOut):
    targets_explanation: str = Field(description="How the due times were counted, in words.")
    notes: list[ComplaintNoteOut] = Field(description="Customers: only the notes meant for them.")
    evidence: dict[str, Any] = Field(
        description="Assembled from the records (frozen at the decision). Customers: "
        "without internal notes, calls or audit events."
    )


class ComplaintPage(Schema):
    items: list[ComplaintOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


# ------------------------------------------------------------------------------ billing


class ChargeOut(Schema):
    id: int
    statement: str | None = Field(description="The statement's number")
    ticket: str
    kind: str
    description: str
    rule_applied: str
    currency: str
    billed_in_seconds: int
    billed_out_seconds: int
    diagnosis_free_seconds: int
    amount: str = Field(description='A decimal amount, e.g. "300.00".')
    held: bool = Field(description="Disputed: held until the complaints decision")
    decision: str | None = Field(description="released or waived once a dispute is decided")
    decided_at: dt.datetime | None
    created_at: dt.datetime


class ChargePage(Schema):
    items: list[ChargeOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class DisputeIn(Schema):
    reason: str


class DisputeOut(Schema):
    charge: ChargeOut
    complaint: ComplaintOut = Field(description="The complaint the dispute is decided in.")
