"""The SLA engine: calendars, the service-level policy and response due times.

Pure Python (plus NumPy for the batch path): no Django, no database, no clock. Every
instant is an argument and must be timezone-aware. See docs/sla.md for the rules and
docs/sla-engine-api.md for the API.
"""

from sladesk.sla.batch import (
    COVERAGE_ORDER,
    PRIORITY_ORDER,
    encode_coverages,
    encode_priorities,
    response_due_many,
)
from sladesk.sla.calendar import (
    ALWAYS_OPEN,
    BUILTIN_CALENDARS,
    STANDARD,
    Calendar,
    Closure,
    Interval,
)
from sladesk.sla.due import Explanation, Skip, Stretch, explain_response_due, response_due
from sladesk.sla.errors import SLAInputError
from sladesk.sla.policy import (
    DEFAULT_POLICY,
    Coverage,
    Policy,
    Priority,
    PriorityRule,
    Target,
    TargetKind,
)

__all__ = [
    "ALWAYS_OPEN",
    "BUILTIN_CALENDARS",
    "COVERAGE_ORDER",
    "DEFAULT_POLICY",
    "PRIORITY_ORDER",
    "STANDARD",
    "Calendar",
    "Closure",
    "Coverage",
    "Explanation",
    "Interval",
    "Policy",
    "Priority",
    "PriorityRule",
    "SLAInputError",
    "Skip",
    "Stretch",
    "Target",
    "TargetKind",
    "encode_coverages",
    "encode_priorities",
    "explain_response_due",
    "response_due",
    "response_due_many",
]
