"""Every business event of the knowledge base, one plain function each.

Like the ticket actions: keyword-only arguments, one `transaction.atomic`, a capability
check, the whole input validated at once (`ActionValidationError` listing every field,
nothing saved), then the rows, the search index and an audit event.

Suggestions shown while a customer types are recorded without an audit event (there is one
per pause in typing); the end of an attempt (solved by an article, or a ticket logged) is
audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify

from sladesk.accounts.models import User
from sladesk.accounts.roles import Capability
from sladesk.audit.recorder import record
from sladesk.core.clock import instant
from sladesk.core.errors import ActionValidationError
from sladesk.core.permissions import require as _require
from sladesk.customers.models import Module, Product
from sladesk.knowledge import render, search, selectors
from sladesk.knowledge import versions as version_specs
from sladesk.knowledge.models import (
    Answer,
    Article,
    ArticleFile,
    ChecklistAnswers,
    ChecklistItem,
    DeflectionAttempt,
    Kind,
    Outcome,
    State,
    TicketArticle,
    Visibility,
)
from sladesk.tickets.models import Status, Ticket

ARTICLE_FIELDS = (
    "title",
    "body",
    "kind",
    "visibility",
    "state",
    "product",
    "module",
    "versions",
    "review_on",
    "workaround",
    "slug",
)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _raise_if(errors: Mapping[str, str]) -> None:
    if errors:
        raise ActionValidationError(errors)


def _snapshot(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "slug": article.slug,
        "kind": article.kind,
        "visibility": article.visibility,
        "state": article.state,
        "product": article.product_id,
        "module": article.module_id,
        "versions": article.versions,
        "review_on": article.review_on.isoformat() if article.review_on else None,
    }


# ----------------------------------------------------------------------------- articles


def _slug_taken(slug: str, article: Article | None) -> bool:
    others = Article.objects.filter(slug=slug)
    if article is not None:
        others = others.exclude(pk=article.pk)
    return others.exists()


def save_article(
    *,
    actor: User,
    title: str,
    body: str,
    kind: str = Kind.HOW_TO,
    visibility: str = Visibility.PUBLIC,
    state: str = State.DRAFT,
    product: Product | None = None,
    module: Module | None = None,
    versions: str = "",
    review_on: dt.date | None = None,
    workaround: str = "",
    slug: str = "",
    article: Article | None = None,
    source_path: str = "",
    source_ticket: Ticket | None = None,
    at: dt.datetime | None = None,
) -> Article:
    """Write a new article, or change `article`; its search entry follows in the same
    transaction. A module implies its product."""
    at = instant(at)
    _require(actor, Capability.MANAGE_KNOWLEDGE)
    errors: dict[str, str] = {}
    title = " ".join(_text(title).split())
    if not title:
        errors["title"] = "give the article a title"
    elif len(title) > 200:
        errors["title"] = "the title is longer than 200 characters"
    if not _text(body):
        errors["body"] = "write the article's body"
    if kind not in Kind.values:
        errors["kind"] = f'"{kind}" is not a kind ({", ".join(Kind.values)})'
    if visibility not in Visibility.values:
        errors["visibility"] = f'"{visibility}" is not public or internal'
    if state not in State.values:
        errors["state"] = f'"{state}" is not draft or published'
    if module is not None:
        if product is None:
            product = module.product
        elif module.product_id != product.pk:
            errors["module"] = f"{module.name} is not a module of {product.name}"
    problem = version_specs.check(versions)
    if problem:
        errors["versions"] = problem
    elif _text(versions) and module is None and product is None:
        errors["versions"] = "versions need a product or module to be versions of"
    slug = slugify(_text(slug) or title)[:120] if (slug or title) else ""
    if not slug and "title" not in errors:
        errors["slug"] = "the title gives no usable web address; give a slug"
    elif slug and _slug_taken(slug, article):
        errors["slug"] = f'another article already has the address "{slug}"'
    _raise_if(errors)

    with transaction.atomic():
        before = _snapshot(article) if article else {}
        if article is None:
            article = Article(author=actor, created_at=at, source_ticket=source_ticket)
        else:
            article = Article.objects.select_for_update().get(pk=article.pk)
        was_published = article.state == State.PUBLISHED
        article.slug = slug
        article.title = title
        article.body = body.strip() + "\n"
        article.body_text = render.plain_text(body)
        article.kind = kind
        article.workaround = _text(workaround)
        article.visibility = visibility
        article.state = state
        article.product = product
        article.module = module
        article.versions = ", ".join(v.strip() for v in versions.split(",") if v.strip())
        article.review_on = review_on
        article.source_path = source_path or article.source_path
        article.updated_at = at
        if state == State.PUBLISHED and not was_published:
            article.published_at = at
        article.save()
        search.index_article(article)
        record(
            actor=actor,
            action="knowledge.article_saved" if before else "knowledge.article_created",
            at=at,
            subject=article,
            before=before,
            after=_snapshot(article),
        )
    return article


def add_article_file(
    *,
    actor: User,
    article: Article,
    upload: UploadedFile[Any],
    name: str = "",
    at: dt.datetime | None = None,
) -> ArticleFile:
    """Attach an image or file, referred to in the body as files/<name>. A file of the same
    name is replaced."""
    from django.conf import settings

    at = instant(at)
    _require(actor, Capability.MANAGE_KNOWLEDGE)
    errors: dict[str, str] = {}
    name = _text(name) or (upload.name or "")
    limit = settings.SLADESK_MAX_ATTACHMENT_BYTES
    if not name or "/" in name or "\\" in name or name.startswith("."):
        errors["name"] = "give the file a plain name such as diagram.png"
    if not upload.size:
        errors["file"] = f"{name or 'the file'} is empty"
    elif upload.size > limit:
        errors["file"] = f"{name} is larger than {limit // (1024 * 1024)} MB"
    _raise_if(errors)
    with transaction.atomic():
        ArticleFile.objects.filter(article=article, name=name).delete()
        stored = ArticleFile(
            article=article,
            name=name,
            content_type=getattr(upload, "content_type", None) or "application/octet-stream",
            size=upload.size or 0,
            uploaded_by=actor,
            uploaded_at=at,
        )
        stored.file.save(name, upload, save=False)
        stored.save()
        record(
            actor=actor,
            action="knowledge.file_added",
            at=at,
            subject=article,
            after={"file": name, "size": stored.size, "content_type": stored.content_type},
        )
    return stored


def draft_known_issue(*, actor: User, ticket: Ticket, at: dt.datetime | None = None) -> Article:
    """Turn a resolved ticket into a draft known-issue article (internal until an author
    edits and publishes it), linked to the ticket. Nothing of the customer's identity is
    copied: the company and contact stay on the ticket."""
    at = instant(at)
    _require(actor, Capability.MANAGE_KNOWLEDGE)
    errors: dict[str, str] = {}
    if ticket.status not in (Status.RESOLVED, Status.CLOSED) or not ticket.resolution.strip():
        errors["ticket"] = f"{ticket.reference} is not resolved: only a resolution can be drafted"
    _raise_if(errors)
    body = (
        f"## Symptom\n\n{ticket.overview}\n\n"
        f"## Error message\n\n```\n{ticket.error_details.strip()}\n```\n\n"
        f"## Workaround\n\n{ticket.resolution.strip()}\n"
    )
    base = slugify(f"known issue {ticket.overview}")[:100] or "known-issue"
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    with transaction.atomic():
        article = save_article(
            actor=actor,
            title=ticket.overview,
            body=body,
            kind=Kind.KNOWN_ISSUE,
            visibility=Visibility.INTERNAL,
            state=State.DRAFT,
            module=ticket.module,
            versions=ticket.version if not version_specs.check(ticket.version) else "",
            workaround=ticket.resolution,
            slug=slug,
            source_ticket=ticket,
            at=at,
        )
        TicketArticle.objects.get_or_create(
            ticket=ticket, article=article, defaults={"linked_by": actor, "linked_at": at}
        )
        record(
            actor=actor,
            action="knowledge.drafted_from_ticket",
            at=at,
            subject=article,
            ticket=ticket,
            after={"article": article.slug},
        )
    return article


# ---------------------------------------------------------------------------- tickets


def reply_text(article: Article, *, base_url: str = "") -> str:
    """The line an agent's reply gives the customer: the title and the article's address
    (absolute when `base_url`, such as https://help.example.com, is given)."""
    path = reverse("knowledge:article", args=[article.slug])
    return f"{article.title}: {base_url.rstrip('/')}{path}"


def link_article(
    *,
    actor: User,
    ticket: Ticket,
    article: Article,
    reply: bool = False,
    note: str = "",
    base_url: str = "",
    at: dt.datetime | None = None,
) -> TicketArticle:
    """Link an article to a ticket; with `reply`, also send the customer a public reply
    that links it (which is the response if it is the helpdesk's first)."""
    from sladesk.tickets.actions import add_public_reply

    at = instant(at)
    _require(actor, Capability.LINK_ARTICLE)
    errors: dict[str, str] = {}
    if article.state != State.PUBLISHED:
        errors["article"] = f'"{article.title}" is a draft: publish it before linking it'
    elif reply and article.visibility != Visibility.PUBLIC:
        errors["reply"] = f'"{article.title}" is internal: the customer could not open it'
    elif reply and not selectors.about_company_products(article, ticket.company_id):
        errors["reply"] = f'"{article.title}" is about a product {ticket.company} does not have'
    if TicketArticle.objects.filter(ticket=ticket, article=article).exists() and not reply:
        errors.setdefault("article", f'"{article.title}" is already linked to {ticket.reference}')
    _raise_if(errors)
    with transaction.atomic():
        link, created = TicketArticle.objects.get_or_create(
            ticket=ticket, article=article, defaults={"linked_by": actor, "linked_at": at}
        )
        if reply:
            link_line = reply_text(article, base_url=base_url)
            body = "\n\n".join(p for p in (_text(note), link_line) if p)
            add_public_reply(actor=actor, ticket=ticket, body=body, at=at)
        if created:
            record(
                actor=actor,
                action="knowledge.article_linked",
                at=at,
                subject=article,
                ticket=ticket,
                after={"article": article.slug, "reply": reply},
            )
    return link


# ------------------------------------------------------------------ checklist and logging


def checklist_errors(
    product_id: int | None, answers: Mapping[str, str]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Check the answers to the product's checklist: (errors by field, answers to store)."""
    errors: dict[str, str] = {}
    stored: list[dict[str, Any]] = []
    if product_id is None:
        return errors, stored
    for item in ChecklistItem.objects.filter(product_id=product_id, active=True):
        field = f"check_{item.pk}"
        answer = _text(answers.get(field, ""))
        if answer not in Answer.values:
            errors[field] = f'answer "{item.question}" (yes, no or I don\'t know)'
            continue
        stored.append(
            {
                "item": item.pk,
                "question": item.question,
                "environmental": item.environmental,
                "answer": answer,
            }
        )
    return errors, stored


def log_ticket_with_checklist(
    *,
    actor: User,
    checklist: Mapping[str, str],
    attempt: str = "",
    **fields: Any,
) -> Ticket:
    """Log a ticket (`sladesk.tickets.actions.log_ticket`) and store the pre-contact
    checklist answers with it, in one transaction: the ticket exists with its answers or
    not at all. Errors of both are listed together. `attempt` is the deflection attempt
    the customer typed the fault in: it ends with this ticket."""
    from sladesk.tickets.actions import log_ticket

    module = fields.get("module")
    product_id = module.product_id if module is not None else None
    errors, answers = checklist_errors(product_id, checklist)
    at = instant(fields.pop("at", None))
    try:
        with transaction.atomic():
            if errors:
                # The ticket's own problems are wanted in the same list; its files are kept
                # out so that nothing reaches the disk for a ticket that will not exist.
                log_ticket(actor=actor, at=at, **{**fields, "attachments": ()})
                raise ActionValidationError(errors)
            ticket = log_ticket(actor=actor, at=at, **fields)
            if answers and product_id is not None:
                ChecklistAnswers.objects.create(
                    ticket=ticket, product_id=product_id, answers=answers, answered_at=at
                )
                record(
                    actor=actor,
                    action="knowledge.checklist_answered",
                    at=at,
                    subject=ticket,
                    after={str(a["item"]): a["answer"] for a in answers},
                )
            _end_attempt(actor=actor, token=attempt, ticket=ticket, at=at)
    except ActionValidationError as exc:
        raise ActionValidationError({**exc.errors, **errors}) from None
    return ticket


# ---------------------------------------------------------------------------- deflection


def _token(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def note_suggestions(
    *,
    actor: User,
    attempt: str,
    text: str,
    articles: Sequence[Article],
    at: dt.datetime | None = None,
) -> DeflectionAttempt | None:
    """Record that these articles were suggested in the customer's attempt (started on the
    first suggestion). An ended attempt, another user's token or a malformed one is left
    alone: None."""
    at = instant(at)
    token = _token(attempt)
    if token is None or not articles or not actor.is_customer or actor.company_id is None:
        return None
    with transaction.atomic():
        found, _ = DeflectionAttempt.objects.get_or_create(
            token=token,
            defaults={"user": actor, "company_id": actor.company_id, "started_at": at},
        )
        if found.user_id != actor.pk or found.outcome != Outcome.OPEN:
            return None
        found.text = text[:2000]
        found.save(update_fields=["text"])
        found.shown.add(*articles)
    return found


def mark_solved(
    *, actor: User, attempt: str, article: Article, at: dt.datetime | None = None
) -> DeflectionAttempt:
    """ "This solved it": the attempt ends without a ticket, counted for the article."""
    at = instant(at)
    _require(actor, Capability.LOG_TICKET)
    token = _token(attempt)
    errors: dict[str, str] = {}
    with transaction.atomic():
        found = (
            DeflectionAttempt.objects.select_for_update().filter(token=token, user=actor).first()
            if token
            else None
        )
        if found is None:
            errors["attempt"] = "no suggestions were shown in this attempt"
        elif found.outcome != Outcome.OPEN:
            errors["attempt"] = f"this attempt has already ended ({found.get_outcome_display()})"
        elif not found.shown.filter(pk=article.pk).exists():
            errors["article"] = f'"{article.title}" was not suggested in this attempt'
        _raise_if(errors)
        assert found is not None
        found.outcome = Outcome.SOLVED
        found.solved_by = article
        found.ended_at = at
        found.save(update_fields=["outcome", "solved_by", "ended_at"])
        record(
            actor=actor,
            action="knowledge.deflected",
            at=at,
            subject=found,
            after={"article": article.slug, "outcome": Outcome.SOLVED.value},
        )
    return found


def close_abandoned_attempts(
    *,
    actor: User | None = None,
    at: dt.datetime | None = None,
    retention_days: int | None = None,
    limit: int = 1000,
) -> int:
    """Close the attempts still open that started more than `retention_days` (default
    SLADESK_KB_ATTEMPT_RETENTION_DAYS) before `at` as abandoned, and clear the text the
    customer typed; return how many. At most `limit` a call, oldest first, so the worker's
    loop is never held long; one audit event for the call, none when nothing was closed.

    `actor` None is the system (the worker); a person needs the knowledge-manager
    capability. The articles shown stay recorded; the deflection report leaves abandoned
    attempts out of its rate, as it did when they were open (their outcome is unknown)."""
    from django.conf import settings

    at = instant(at)
    if actor is not None:
        _require(actor, Capability.MANAGE_KNOWLEDGE)
    days = settings.SLADESK_KB_ATTEMPT_RETENTION_DAYS if retention_days is None else retention_days
    errors: dict[str, str] = {}
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        errors["retention_days"] = f"{days!r} is not a whole number of days of at least 1"
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        errors["limit"] = f"{limit!r} is not a whole number of attempts of at least 1"
    _raise_if(errors)
    cutoff = at - dt.timedelta(days=days)
    with transaction.atomic():
        # SKIP LOCKED: an attempt a customer is ending right now (mark_solved, a ticket
        # logged) is left to them, and two workers never close the same attempts.
        ids = list(
            DeflectionAttempt.objects.select_for_update(skip_locked=True)
            .filter(outcome=Outcome.OPEN, started_at__lt=cutoff)
            .order_by("started_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return 0
        closed = DeflectionAttempt.objects.filter(pk__in=ids, outcome=Outcome.OPEN).update(
            outcome=Outcome.ABANDONED, ended_at=at, text=""
        )
        if not closed:
            return 0
        last = DeflectionAttempt.objects.get(pk=ids[-1])
        record(
            actor=actor,
            action="knowledge.attempts_abandoned",
            at=at,
            subject=last,
            before={"outcome": Outcome.OPEN.value},
            after={
                "outcome": Outcome.ABANDONED.value,
                "closed": closed,
                "started_before": cutoff,
                "retention_days": days,
                "text": "cleared",
            },
        )
    return closed


def _end_attempt(*, actor: User, token: str, ticket: Ticket, at: dt.datetime) -> None:
    parsed = _token(token)
    if parsed is None:
        return
    found = DeflectionAttempt.objects.select_for_update().filter(token=parsed, user=actor).first()
    if found is None:
        return
    # A customer who said an article solved it but logs the fault anyway was not deflected:
    # the ticket is the outcome.
    before: dict[str, Any] = {"outcome": found.outcome}
    if found.solved_by is not None:
        before["solved_by"] = found.solved_by.slug
    found.outcome = Outcome.TICKET
    found.solved_by = None
    found.ticket = ticket
    found.ended_at = at
    found.save(update_fields=["outcome", "solved_by", "ticket", "ended_at"])
    record(
        actor=actor,
        action="knowledge.not_deflected",
        at=at,
        subject=found,
        ticket=ticket,
        before=before,
        after={"outcome": Outcome.TICKET.value},
    )
