"""Roles and what each may do. Every action checks a capability from here.

A user has exactly one role. Helpdesk roles work across all companies; a customer contact
acts only for its own company (enforced by the actions and by `selectors`).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"
    ENGINEER = "engineer"
    ONCALL = "oncall"
    MANAGER = "manager"
    ADMIN = "admin"
    CUSTOMER = "customer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.OPERATOR: "Helpdesk operator",
    Role.ENGINEER: "Support engineer",
    Role.ONCALL: "On-call engineer",
    Role.MANAGER: "Manager",
    Role.ADMIN: "Administrator",
    Role.CUSTOMER: "Customer contact",
}

HELPDESK_ROLES = frozenset({Role.OPERATOR, Role.ENGINEER, Role.ONCALL, Role.MANAGER, Role.ADMIN})
ENGINEERING_ROLES = frozenset({Role.ENGINEER, Role.ONCALL, Role.MANAGER, Role.ADMIN})


class Capability(StrEnum):
    LOG_TICKET = "log_ticket"
    PROPOSE_PRIORITY = "propose_priority"
    SET_PRIORITY = "set_priority"
    PUBLIC_REPLY = "public_reply"
    INTERNAL_NOTE = "internal_note"
    LOG_PHONE_CALL = "log_phone_call"
    INVESTIGATE = "investigate"
    CHANGE_STATUS = "change_status"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    SPLIT = "split"
    CLASSIFY = "classify"
    CHANGE_COVERAGE = "change_coverage"
    ATTACH = "attach"
    VIEW_INTERNAL = "view_internal"
    VIEW_ALL_COMPANIES = "view_all_companies"
    # Complaints and disputes (docs/complaints.md)
    LOG_COMPLAINT = "log_complaint"
    LOG_COMPLAINT_FOR_CUSTOMER = "log_complaint_for_customer"
    HANDLE_COMPLAINT = "handle_complaint"
    ASSIGN_COMPLAINT = "assign_complaint"
    OWN_COMPLAINT = "own_complaint"
    ANNOTATE_COMPLAINT = "annotate_complaint"
    VIEW_COMPLAINT_REPORT = "view_complaint_report"
    # Billing (docs/billing.md)
    RECORD_TIME = "record_time"
    RECORD_SOW = "record_sow"
    MANAGE_ENHANCEMENT = "manage_enhancement"
    ACCEPT_QUOTE = "accept_quote"
    MANAGE_BILLING = "manage_billing"
    DISPUTE_CHARGE = "dispute_charge"
    DECIDE_DISPUTE = "decide_dispute"
    # Queue and on-call (issue 4).
    SET_AVAILABILITY = "set_availability"
    TAKE_TICKET = "take_ticket"
    ASSIGN_TICKET = "assign_ticket"
    VIEW_TEAM = "view_team"
    MANAGE_ROTA = "manage_rota"
    ACKNOWLEDGE_PAGE = "acknowledge_page"
    MANAGE_WEBHOOKS = "manage_webhooks"
    # The REST API (issue 6).
    MANAGE_API_TOKENS = "manage_api_tokens"
    ADMINISTER_DIRECTORY = "administer_directory"
    # Knowledge base (issue 10, docs/knowledge.md).
    MANAGE_KNOWLEDGE = "manage_knowledge"
    LINK_ARTICLE = "link_article"
    VIEW_DEFLECTION = "view_deflection"
    # Planning (issue 11): what-if replays of a draft policy, and the staffing forecast.
    REPLAY_POLICY = "replay_policy"
    VIEW_STAFFING_FORECAST = "view_staffing_forecast"
    # The email channel (issue 7): correcting a ticket's details after intake.
    COMPLETE_TICKET_DETAILS = "complete_ticket_details"
    # Reports (issue 11): every company's figures; a customer's own compliance only.
    VIEW_REPORTS = "view_reports"
    VIEW_OWN_COMPLIANCE = "view_own_compliance"


_ALL = frozenset(Role)
CAPABILITIES: dict[Capability, frozenset[Role]] = {
    Capability.LOG_TICKET: _ALL,
    Capability.PROPOSE_PRIORITY: frozenset({Role.CUSTOMER}),
    Capability.SET_PRIORITY: HELPDESK_ROLES,
    Capability.PUBLIC_REPLY: _ALL,
    Capability.INTERNAL_NOTE: HELPDESK_ROLES,
    Capability.LOG_PHONE_CALL: HELPDESK_ROLES,
    Capability.INVESTIGATE: ENGINEERING_ROLES,
    Capability.CHANGE_STATUS: HELPDESK_ROLES,
    Capability.RESOLVE: ENGINEERING_ROLES,
    Capability.CLOSE: _ALL,
    Capability.REOPEN: _ALL,
    Capability.SPLIT: HELPDESK_ROLES,
    Capability.CLASSIFY: frozenset({Role.ENGINEER, Role.ONCALL, Role.MANAGER, Role.ADMIN}),
    Capability.CHANGE_COVERAGE: frozenset({Role.MANAGER, Role.ADMIN}),
    Capability.ATTACH: _ALL,
    Capability.VIEW_INTERNAL: HELPDESK_ROLES,
    Capability.VIEW_ALL_COMPANIES: HELPDESK_ROLES,
    Capability.LOG_COMPLAINT: _ALL,
    Capability.LOG_COMPLAINT_FOR_CUSTOMER: HELPDESK_ROLES,
    # Acknowledging is confirming receipt: anyone on the helpdesk may do it.
    Capability.HANDLE_COMPLAINT: HELPDESK_ROLES,
    Capability.ASSIGN_COMPLAINT: frozenset({Role.MANAGER, Role.ADMIN}),
    # Owning (investigating, deciding, closing) is for managers, and only ones not involved
    # in what is complained about: the complaint actions check that part.
    Capability.OWN_COMPLAINT: frozenset({Role.MANAGER}),
    Capability.ANNOTATE_COMPLAINT: _ALL,
    Capability.VIEW_COMPLAINT_REPORT: frozenset({Role.MANAGER, Role.ADMIN}),
    Capability.RECORD_TIME: HELPDESK_ROLES,
    Capability.RECORD_SOW: frozenset({Role.ENGINEER, Role.ONCALL, Role.MANAGER, Role.ADMIN}),
    Capability.MANAGE_ENHANCEMENT: HELPDESK_ROLES,
    # A customer accepts its own quote; a manager may record an acceptance given by phone.
    Capability.ACCEPT_QUOTE: frozenset({Role.CUSTOMER, Role.MANAGER, Role.ADMIN}),
    Capability.MANAGE_BILLING: frozenset({Role.MANAGER, Role.ADMIN}),
    Capability.DISPUTE_CHARGE: _ALL,
    Capability.DECIDE_DISPUTE: frozenset({Role.MANAGER, Role.ADMIN}),
    Capability.SET_AVAILABILITY: HELPDESK_ROLES,
    Capability.TAKE_TICKET: HELPDESK_ROLES,
    Capability.ASSIGN_TICKET: frozenset({Role.MANAGER, Role.ADMIN}),
    Capability.VIEW_TEAM: frozenset({Role.MANAGER, Role.ADMIN}),
    Capability.MANAGE_ROTA: frozenset({Role.MANAGER, Role.ADMIN}),
    Capability.ACKNOWLEDGE_PAGE: ENGINEERING_ROLES,
    Capability.MANAGE_WEBHOOKS: frozenset({Role.ADMIN}),
    # Anyone manages their own API tokens; this is for other people's.
    Capability.MANAGE_API_TOKENS: frozenset({Role.ADMIN}),
    # Companies, contacts, contracts and users through the API.
    Capability.ADMINISTER_DIRECTORY: frozenset({Role.ADMIN}),
    # Authors: write, publish and import articles, and draft one from a resolved ticket.
    Capability.MANAGE_KNOWLEDGE: ENGINEERING_ROLES,
    Capability.LINK_ARTICLE: HELPDESK_ROLES,
    Capability.VIEW_DEFLECTION: HELPDESK_ROLES,
    # Policies are the administrator's (Django admin): so are their drafts and activation.
    Capability.REPLAY_POLICY: frozenset({Role.ADMIN}),
    Capability.VIEW_STAFFING_FORECAST: frozenset({Role.MANAGER, Role.ADMIN}),
    # Staff, and the ticket's own company's contacts (the action checks the company).
    Capability.COMPLETE_TICKET_DETAILS: _ALL,
    Capability.VIEW_REPORTS: frozenset({Role.MANAGER, Role.ADMIN}),
    # Scoped to the contact's own company by sladesk.reports.selectors.
    Capability.VIEW_OWN_COMPLIANCE: frozenset({Role.CUSTOMER}),
}


def role_can(role: str, capability: Capability) -> bool:
    try:
        return Role(role) in CAPABILITIES[capability]
    except ValueError:
        return False
