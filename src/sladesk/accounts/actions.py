"""Write paths for people: creating a user with a role."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from sladesk.accounts.models import User
from sladesk.accounts.roles import Role
from sladesk.audit.recorder import record
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.models import Company, Contact


def create_user(
    *,
    actor: User | None,
    email: str,
    role: str,
    password: str,
    company: Company | None = None,
    full_name: str = "",
    phone: str = "",
    validate_password_strength: bool = True,
    at: dt.datetime | None = None,
) -> User:
    """Create a user. `actor` None means the system (the `sladesk user create` command,
    run by whoever operates the server); otherwise only an administrator may.

    A customer contact needs a company and also becomes a `Contact` of it (who may log
    tickets); helpdesk staff have no company.
    """
    at = instant(at)
    if actor is not None and (not actor.is_active or actor.role != Role.ADMIN):
        raise ActionPermissionDenied("only an administrator creates users")
    errors: dict[str, str] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = f"{email!r} is not an email address"
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors["email"] = f"a user with email {email} already exists"
    if role not in Role.__members__.values() and role not in [r.value for r in Role]:
        errors["role"] = f"unknown role {role!r} (one of: {', '.join(r.value for r in Role)})"
    elif role == Role.CUSTOMER and company is None:
        errors["company"] = "a customer contact belongs to a company"
    elif role != Role.CUSTOMER and company is not None:
        errors["company"] = "helpdesk staff do not belong to a customer company"
    if not password:
        errors["password"] = "give a password"
    elif validate_password_strength:
        try:
            validate_password(password, User(email=email, full_name=full_name))
        except ValidationError as exc:
            errors["password"] = " ".join(exc.messages)
    if errors:
        raise ActionValidationError(errors)
    with transaction.atomic():
        user = User.objects.create_user(
            email,
            password,
            role=role,
            company=company,
            full_name=full_name.strip(),
            phone=phone.strip(),
            date_joined=at,
        )
        if role == Role.CUSTOMER and company is not None:
            Contact.objects.create(
                company=company,
                name=full_name.strip() or email,
                phone=phone.strip(),
                email=email,
                user=user,
            )
        record(
            actor=actor,
            action="user.created",
            at=at,
            subject=user,
            after={"email": email, "role": role, "company_id": company.pk if company else None},
        )
    return user
