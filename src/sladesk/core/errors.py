"""The errors every action raises, so callers (views, CLI, API) handle them one way."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError


class ActionValidationError(ValidationError):
    """The input of an action is invalid. `errors` maps each field to one clear message.

    Every problem found is listed at once; the action saved nothing.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__({field: [message] for field, message in self.errors.items()})

    def __str__(self) -> str:
        return "; ".join(f"{field}: {message}" for field, message in self.errors.items())


class ActionPermissionDenied(PermissionDenied):
    """The actor's role (or company) does not allow this action on this object."""
