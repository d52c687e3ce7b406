"""Every read of the knowledge base that serves a user, scoped to what that user may see.

The helpdesk sees every article, internal ones and drafts included. A customer contact sees
only published, public articles that are general or about a product its company has a
signed contract for; never an internal article or a draft, whatever the route (the list,
an article's page or files, search results and their snippets, suggestions while typing).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from sladesk.accounts.roles import Capability
from sladesk.contracts.models import Contract
from sladesk.customers.models import Module
from sladesk.knowledge import versions as version_specs
from sladesk.knowledge.models import (
    Article,
    ArticleFile,
    ChecklistAnswers,
    ChecklistItem,
    DeflectionAttempt,
    InstalledVersion,
    Kind,
    Outcome,
    State,
    TicketArticle,
    Visibility,
)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_helpdesk(user: Any) -> bool:
    return _active(user) and user.can(Capability.VIEW_INTERNAL)


def company_module_ids(company_id: int) -> set[int]:
    """Modules on the company's signed contracts: the products it runs."""
    return set(
        Contract.objects.filter(company_id=company_id, signed_on__isnull=False).values_list(
            "modules", flat=True
        )
    ) - {None}


def about_company_products(article: Article, company_id: int) -> bool:
    """Whether the article is general or about a product and module the company has."""
    modules = company_module_ids(company_id)
    if article.module_id is not None:
        return article.module_id in modules
    if article.product_id is not None:
        return article.product.modules.filter(pk__in=modules).exists()  # type: ignore[union-attr]
    return True


def articles_visible_to(user: Any) -> QuerySet[Article]:
    articles = Article.objects.select_related("product", "module", "author")
    if not _active(user):
        return articles.none()
    if is_helpdesk(user):
        return articles.all()
    if not (user.is_customer and user.company_id is not None):
        return articles.none()
    modules = company_module_ids(user.company_id)
    return articles.filter(
        Q(product__isnull=True) | Q(product__modules__in=modules),
        Q(module__isnull=True) | Q(module__in=modules),
        state=State.PUBLISHED,
        visibility=Visibility.PUBLIC,
    ).distinct()


def searchable_by(user: Any) -> QuerySet[Article]:
    """What search and suggestions may return: visible and published (never a draft)."""
    return articles_visible_to(user).filter(state=State.PUBLISHED)


def article_for(user: Any, slug: str) -> Article:
    """The article if the user may read it, else Article.DoesNotExist."""
    return articles_visible_to(user).get(slug=slug)


def file_for(user: Any, slug: str, name: str) -> ArticleFile:
    article = article_for(user, slug)
    return ArticleFile.objects.select_related("article").get(article=article, name=name)


def installed_versions(company_id: int) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for module_id, version in InstalledVersion.objects.filter(company_id=company_id).values_list(
        "module_id", "version"
    ):
        found[module_id].append(version)
    return dict(found)


class VersionFilter:
    """Whether an article applies to the versions in question.

    An explicit version (the customer's choice on the search page) decides alone. Otherwise
    a customer's company's installed versions of the article's module (or of any module of
    its product) decide; when the company has none recorded there, the article is kept:
    an unknown installation is not a reason to hide product information.
    """

    def __init__(self, user: Any, version: str = "") -> None:
        self.version = (version or "").strip()
        self.installed: dict[int, list[str]] = {}
        self.product_modules: dict[int, set[int]] = {}
        if not self.version and _active(user) and getattr(user, "is_customer", False):
            self.installed = installed_versions(user.company_id)

    def keeps(self, article: Article) -> bool:
        if not article.versions:
            return True
        if self.version:
            return version_specs.applies(article.versions, self.version)
        if article.module_id is not None:
            running = self.installed.get(article.module_id, [])
        elif article.product_id is not None:
            if article.product_id not in self.product_modules:
                self.product_modules[article.product_id] = set(
                    Module.objects.filter(product_id=article.product_id).values_list(
                        "pk", flat=True
                    )
                )
            modules = self.product_modules[article.product_id]
            running = [v for m, vs in self.installed.items() if m in modules for v in vs]
        else:
            running = [v for vs in self.installed.values() for v in vs]
        if not running:
            return True
        return any(version_specs.applies(article.versions, v) for v in running)


def linked_articles(user: Any, ticket: Any) -> list[TicketArticle]:
    """Articles linked to the ticket, as far as the user may read them."""
    visible = articles_visible_to(user)
    return list(
        TicketArticle.objects.select_related("article", "linked_by").filter(
            ticket=ticket, article__in=visible
        )
    )


@dataclass(frozen=True)
class Workaround:
    article: Article
    text: str


def workarounds_for(user: Any, ticket: Any) -> list[Workaround]:
    """Known issues linked to the ticket that have a workaround (helpdesk only): what the
    agent setting the priority needs (Normal: "a temporary workaround exists")."""
    if not is_helpdesk(user):
        return []
    return workarounds_in(linked_articles(user, ticket))


def workarounds_in(links: list[TicketArticle]) -> list[Workaround]:
    """The workarounds among links already read (`linked_articles`)."""
    return [
        Workaround(link.article, link.article.workaround)
        for link in links
        if link.article.kind == Kind.KNOWN_ISSUE and link.article.workaround.strip()
    ]


def checklist_for_products(product_ids: set[int] | None = None) -> dict[Any, list[ChecklistItem]]:
    items = ChecklistItem.objects.select_related("product").filter(active=True)
    if product_ids is not None:
        items = items.filter(product_id__in=product_ids)
    grouped: dict[Any, list[ChecklistItem]] = defaultdict(list)
    for item in items:
        grouped[item.product].append(item)
    return dict(grouped)


def checklist_answers_for(user: Any, ticket: Any) -> ChecklistAnswers | None:
    """The answers given when the ticket was logged, for whoever may see the ticket."""
    from sladesk.tickets.selectors import tickets_visible_to

    if not tickets_visible_to(user).filter(pk=ticket.pk).exists():
        return None
    return ChecklistAnswers.objects.filter(ticket=ticket).first()


@dataclass(frozen=True)
class ArticleDeflection:
    article: Article
    shown: int
    solved: int

    @property
    def rate(self) -> float | None:
        return self.solved / self.shown if self.shown else None


@dataclass(frozen=True)
class DeflectionReport:
    attempts: int  # ended attempts in which at least one article was suggested
    solved: int
    tickets: int
    still_open: int
    articles: list[ArticleDeflection]
    abandoned: int = 0  # closed by the worker after the retention period, not counted

    @property
    def rate(self) -> float | None:
        return self.solved / self.attempts if self.attempts else None


def deflection_report(user: Any) -> DeflectionReport | None:
    """Deflection overall and per article, over attempts that ended (solved or a ticket).

    The rate is solved / ended attempts in which suggestions were shown; an article's rate
    is the attempts it solved / the ended attempts it was suggested in. Attempts still open
    (the customer left without either) are counted apart: their outcome is unknown. So are
    the abandoned ones (open longer than the retention period, closed by the worker): closing
    them changes no rate.
    """
    if not (_active(user) and user.can(Capability.VIEW_DEFLECTION)):
        return None
    attempts = DeflectionAttempt.objects.filter(shown__isnull=False).distinct()
    ended = attempts.exclude(outcome=Outcome.OPEN)
    solved = ended.filter(outcome=Outcome.SOLVED).count()
    tickets = ended.filter(outcome=Outcome.TICKET).count()
    shown: dict[int, int] = defaultdict(int)
    for article_id in DeflectionAttempt.shown.through.objects.filter(
        deflectionattempt__outcome__in=[Outcome.SOLVED, Outcome.TICKET]
    ).values_list("article_id", flat=True):
        shown[article_id] += 1
    solved_by: dict[int, int] = defaultdict(int)
    for article_id in ended.filter(outcome=Outcome.SOLVED).values_list("solved_by", flat=True):
        if article_id is not None:
            solved_by[article_id] += 1
    articles = Article.objects.filter(pk__in=shown.keys())
    rows = sorted(
        (ArticleDeflection(a, shown[a.pk], solved_by.get(a.pk, 0)) for a in articles),
        key=lambda row: (-row.solved, -row.shown, row.article.title),
    )
    return DeflectionReport(
        attempts=solved + tickets,
        solved=solved,
        tickets=tickets,
        still_open=attempts.filter(outcome=Outcome.OPEN).count(),
        articles=rows,
        abandoned=attempts.filter(outcome=Outcome.ABANDONED).count(),
    )
