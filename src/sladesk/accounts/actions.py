"""Write paths for people: creating a user with a role, and changing it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability, Role
from sladesk.audit.recorder import record
from sladesk.core.clock import instant
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.actions import (
    EMAIL_MAX,
    NAME_MAX,
    PHONE_MAX,
    UNCHANGED,
    refused_if_taken,
)
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
        if len(email) > EMAIL_MAX:
            errors["email"] = f"an email address has at most {EMAIL_MAX} characters"
        elif User.objects.filter(email__iexact=email).exists():
            errors["email"] = f"a user with email {email} already exists"
    if role not in Role.__members__.values() and role not in [r.value for r in Role]:
        errors["role"] = f"unknown role {role!r} (one of: {', '.join(r.value for r in Role)})"
    elif role == Role.CUSTOMER and company is None:
        errors["company"] = "a customer contact belongs to a company"
    elif role != Role.CUSTOMER and company is not None:
        errors["company"] = "helpdesk staff do not belong to a customer company"
    if len((full_name or "").strip()) > NAME_MAX:
        errors["full_name"] = f"at most {NAME_MAX} characters"
    if len((phone or "").strip()) > PHONE_MAX:
        errors["phone"] = f"at most {PHONE_MAX} characters"
    if not password:
        errors["password"] = "give a password"
    elif validate_password_strength:
        try:
            validate_password(password, User(email=email, full_name=full_name))
        except ValidationError as exc:
            errors["password"] = " ".join(exc.messages)
    if errors:
        raise ActionValidationError(errors)

    def recheck() -> dict[str, str]:
        # Another request created the same email since the check above.
        if User.objects.filter(email__iexact=email).exists():
            return {"email": f"a user with email {email} already exists"}
        return {}

    with refused_if_taken(recheck):
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


def update_user(
    *,
    actor: User | None,
    user: User,
    role: Any = UNCHANGED,
    company: Any = UNCHANGED,
    full_name: Any = UNCHANGED,
    phone: Any = UNCHANGED,
    is_active: Any = UNCHANGED,
    reason: str = "",
    at: dt.datetime | None = None,
) -> User:
    """Change a user's role, company, name, phone, or whether it may sign in.

    Only an administrator may. Arguments left at `UNCHANGED` keep their value; `company`
    None means no company. The same rule as `create_user` holds afterwards: a customer
    contact belongs to a company, helpdesk staff to none. A customer's login is its
    company's `Contact`: a customer moved to another company gets a contact there and the
    old one keeps its tickets (it is no longer linked to the login); a customer who becomes
    staff is unlinked from its contact.

    No administrator may deactivate or demote itself: the acting administrator remains, so
    somebody can always administer the helpdesk.
    """
    at = instant(at)
    if actor is None or not actor.is_active or not actor.can(Capability.ADMINISTER_DIRECTORY):
        raise ActionPermissionDenied("only an administrator changes users")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = _user_state(user)
        errors: dict[str, str] = {}
        new_role = user.role
        if role is not UNCHANGED:
            if role in {r.value for r in Role}:
                new_role = role
            else:
                errors["role"] = (
                    f"unknown role {role!r} (one of: {', '.join(r.value for r in Role)})"
                )
        new_company = user.company if company is UNCHANGED else company
        if "role" not in errors:
            if new_role == Role.CUSTOMER and new_company is None:
                errors["company"] = "a customer contact belongs to a company"
            elif new_role != Role.CUSTOMER and new_company is not None:
                errors["company"] = "helpdesk staff do not belong to a customer company"
        new_active = user.is_active
        if is_active is not UNCHANGED:
            if isinstance(is_active, bool):
                new_active = is_active
            else:
                errors["is_active"] = "true or false"
        if full_name is not UNCHANGED and (
            not isinstance(full_name, str) or len(full_name.strip()) > NAME_MAX
        ):
            errors["full_name"] = f"a name of at most {NAME_MAX} characters"
        if phone is not UNCHANGED and (
            not isinstance(phone, str) or len(phone.strip()) > PHONE_MAX
        ):
            errors["phone"] = f"a phone number of at most {PHONE_MAX} characters"
        stays_admin = new_role == Role.ADMIN and new_active
        if user.pk == actor.pk and not stays_admin:
            errors["is_active" if new_role == Role.ADMIN else "role"] = (
                "an administrator may not deactivate or demote itself"
            )
        if errors:
            raise ActionValidationError(errors)
        user.role = new_role
        user.company = new_company
        user.is_active = new_active
        if full_name is not UNCHANGED:
            user.full_name = full_name.strip()
        if phone is not UNCHANGED:
            user.phone = phone.strip()
        after = _user_state(user)
        if after == before:
            return user
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            # Anything the checks above missed is still a field error, not a server error.
            raise ActionValidationError(
                {field: " ".join(messages) for field, messages in exc.message_dict.items()}
            ) from None
        user.save()
        _follow_contact(user)
        deactivated = before["is_active"] and not after["is_active"]
        record(
            actor=actor,
            action="user.deactivated" if deactivated else "user.updated",
            at=at,
            subject=user,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
            reason=(reason or "").strip(),
        )
    return user


def _user_state(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "company_id": user.company_id,
        "full_name": user.full_name,
        "phone": user.phone,
        "is_active": user.is_active,
    }


def _follow_contact(user: User) -> None:
    """Keep the login's Contact at the login's company (see `update_user`)."""
    contact = Contact.objects.filter(user=user).first()
    if contact is not None and (
        user.role != Role.CUSTOMER or contact.company_id != user.company_id
    ):
        contact.user = None
        contact.save(update_fields=["user"])
        contact = None
    if user.role == Role.CUSTOMER and contact is None and user.company is not None:
        Contact.objects.create(
            company=user.company,
            name=user.full_name or user.email,
            phone=user.phone,
            email=user.email,
            user=user,
        )


def deactivate_user(
    *, actor: User | None, user: User, reason: str, at: dt.datetime | None = None
) -> User:
    """Stop a user signing in: its sessions and API tokens stop working at once. Its
    tickets, messages and audit trail stay. `update_user(is_active=True)` reactivates."""
    if actor is None or not actor.is_active or not actor.can(Capability.ADMINISTER_DIRECTORY):
        raise ActionPermissionDenied("only an administrator changes users")
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = "say why the user is deactivated"
    if not User.objects.filter(pk=user.pk, is_active=True).exists():
        errors["user"] = "the user is already deactivated"
    if errors:
        raise ActionValidationError(errors)
    return update_user(actor=actor, user=user, is_active=False, reason=reason, at=at)
