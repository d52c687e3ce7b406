"""The custom user: email login, one role, customers linked to their company."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from sladesk.accounts.roles import HELPDESK_ROLES, ROLE_LABELS, Capability, Role, role_can

# Managers administer customers, contracts and pricing (billing: price lists and contract
# billing terms, as managers own billing, Capability.MANAGE_BILLING) and may look at users
# in the Django admin; administrators (superusers) administer everything. Billing rows
# written by actions stay read-only in the admin for everyone.
MANAGER_ADMIN_APPS = frozenset({"customers", "contracts", "billing"})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    role = models.CharField(
        max_length=20, choices=[(r.value, ROLE_LABELS[r]) for r in Role], default=Role.CUSTOMER
    )
    company = models.ForeignKey(
        "customers.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="Required for customer contacts; empty for helpdesk staff.",
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("email",)
        constraints: ClassVar = [
            models.CheckConstraint(
                name="customer_has_company_staff_has_none",
                condition=(
                    models.Q(role="customer", company__isnull=False)
                    | (~models.Q(role="customer") & models.Q(company__isnull=True))
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Admin access follows the role: managers and administrators use the Django admin,
        # administrators with every permission.
        self.is_staff_flag_from_role()
        super().save(*args, **kwargs)

    def is_staff_flag_from_role(self) -> None:
        self.is_superuser = self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role in {Role.MANAGER, Role.ADMIN}

    @property
    def is_helpdesk(self) -> bool:
        return self.role in HELPDESK_ROLES

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(Role(self.role), self.role)

    def can(self, capability: Capability) -> bool:
        return bool(self.is_active) and role_can(self.role, capability)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        if self.is_active and self.role == Role.MANAGER:
            app_label = perm.split(".", 1)[0]
            if app_label in MANAGER_ADMIN_APPS:
                return True
            if app_label == "accounts" and perm.split(".", 1)[-1].startswith("view_"):
                return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if (
            self.is_active
            and self.role == Role.MANAGER
            and (app_label in MANAGER_ADMIN_APPS or app_label == "accounts")
        ):
            return True
        return super().has_module_perms(app_label)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email
