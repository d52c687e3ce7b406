"""Customer companies, their contacts, and the products and modules they run."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class Company(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a customer company who may log tickets (with or without a login)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )
    may_log_tickets = models.BooleanField(default=True)

    class Meta:
        ordering = ("company__name", "name")

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"


class Product(models.Model):
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Module(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="modules")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ("product__name", "name")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["product", "name"], name="unique_module_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product.name} / {self.name}"


class ModuleVersion(models.Model):
    """A released version of a module. When a module lists versions, tickets must name one."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=50)
    released_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("module", "version")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["module", "version"], name="unique_version_per_module")
        ]

    def __str__(self) -> str:
        return f"{self.module} {self.version}"
