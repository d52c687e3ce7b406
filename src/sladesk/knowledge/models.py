"""The knowledge base: articles, their files, links to tickets, the pre-contact checklist
and the deflection record.

Rows are written only by `sladesk.knowledge.actions` (and the Django admin for checklists,
installed versions and article editing, which goes through the same indexing); reads that
serve a user go through `sladesk.knowledge.selectors`.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from sladesk.tickets.storage import get_private_storage


class Kind(models.TextChoices):
    HOW_TO = "how_to", "How-to"
    KNOWN_ISSUE = "known_issue", "Known issue"
    RELEASE_NOTE = "release_note", "Release note"
    TRAINING = "training", "Training material"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public (customers and helpdesk)"
    INTERNAL = "internal", "Internal (helpdesk only)"


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Article(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown. Images and files: files/<name>.")
    # The body as plain words (Markdown removed): what search indexes and snippets quote.
    body_text = models.TextField(blank=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.HOW_TO)
    workaround = models.TextField(
        blank=True, help_text="Known issues: the workaround, shown to the agent setting priority."
    )
    # Empty product: a general article, for every customer.
    product = models.ForeignKey(
        "customers.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    module = models.ForeignKey(
        "customers.Module", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    versions = models.CharField(
        max_length=200,
        blank=True,
        help_text='Empty: every version. A list and/or ranges: "5.1, 5.2", "5.0-5.4", "6.0+".',
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_on = models.DateField(null=True, blank=True, help_text="When to review it next.")
    source_ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Imported articles remember their file (relative to the imported folder) so a re-import
    # updates them.
    source_path = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    # PostgreSQL: title (weight A) and body (weight B), kept current by the saving action and
    # GIN-indexed (migration 0002). SQLite keeps its own FTS5 table instead; see
    # docs/adr/0013-knowledge-search.md.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ("title", "id")

    def __str__(self) -> str:
        return self.title

    @property
    def is_public_and_published(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.state == State.PUBLISHED


def article_file_path(instance: ArticleFile, filename: str) -> str:
    return f"knowledge/{instance.article_id}/{uuid.uuid4().hex}"


class ArticleFile(models.Model):
    """An image or attachment of an article, served only through the permission check."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200, help_text="Referred to in the body as files/<name>.")
    file = models.FileField(
        upload_to=article_file_path, storage=get_private_storage, max_length=300
    )
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ("name",)
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["article", "name"], name="unique_file_per_article")
        ]

    def __str__(self) -> str:
        return self.name


class TicketArticle(models.Model):
    """An article an agent linked to a ticket (in a reply, or as its known issue)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="article_links"
    )
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="ticket_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ("linked_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ticket", "article"], name="unique_article_per_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.article} on {self.ticket_id}"


class InstalledVersion(models.Model):
    """A module version a customer company runs: which articles apply to it."""

    company = models.ForeignKey(
        "customers.Company", on_delete=models.CASCADE, related_name="installed_versions"
    )
    module = models.ForeignKey("customers.Module", on_delete=models.CASCADE, related_name="+")
    version = models.CharField(max_length=50)

    class Meta:
        ordering = ("company", "module", "version")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["company", "module", "version"], name="unique_installed_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.module} {self.version}"


class ChecklistItem(models.Model):
    """One question of a product's pre-contact checklist."""

    product = models.ForeignKey(
        "customers.Product", on_delete=models.CASCADE, related_name="checklist_items"
    )
    question = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    # The seed's "your own server or network (environment)": an answer other than yes is
    # evidence for the chargeable decision when an environmental cause is found.
    environmental = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("product", "position", "id")

    def __str__(self) -> str:
        return f"{self.product}: {self.question}"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNSURE = "unsure", "I don't know"


class ChecklistAnswers(models.Model):
    """The customer's answers to the pre-contact checklist, stored with the ticket.

    `answers` keeps the question text as it was asked: [{"item": id, "question": ...,
    "environmental": bool, "answer": "yes" | "no" | "unsure"}, ...].
    """

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="checklist_answers"
    )
    product = models.ForeignKey("customers.Product", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=list)
    answered_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Checklist for {self.ticket_id}"

    @property
    def environment_not_confirmed(self) -> list[dict[str, object]]:
        return [a for a in self.answers if a.get("environmental") and a.get("answer") != "yes"]


class Outcome(models.TextChoices):
    OPEN = "open", "Still typing"
    SOLVED = "solved", "Solved by an article"
    TICKET = "ticket", "Ticket logged"
    # Left without either for longer than SLADESK_KB_ATTEMPT_RETENTION_DAYS (closed by the
    # worker, the typed text cleared).
    ABANDONED = "abandoned", "Abandoned"


class DeflectionAttempt(models.Model):
    """One customer's attempt at logging a fault, from the first suggestion shown."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("customers.Company", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True, help_text="What the customer had typed last.")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    solved_by = models.ForeignKey(
        Article, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shown = models.ManyToManyField(Article, related_name="deflection_attempts", blank=True)

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"{self.token} ({self.outcome})"
