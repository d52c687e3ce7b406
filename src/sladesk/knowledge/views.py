"""Knowledge-base pages under /kb/. Reads go through selectors and search; writes call the
knowledge actions. An article or file the viewer may not read is a 404, never a 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sladesk.accounts.roles import Capability
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.models import Module, Product
from sladesk.knowledge import actions, search, selectors
from sladesk.knowledge import render as article_render
from sladesk.knowledge.actions import IMAGE_TYPES
from sladesk.knowledge.models import (
    Article,
    ArticleFile,
    Kind,
    State,
    TicketArticle,
    Visibility,
)
from sladesk.tickets.models import Ticket
from sladesk.tickets.selectors import ticket_for


def _article_or_404(user: Any, slug: str) -> Article:
    try:
        return selectors.article_for(user, slug)
    except Article.DoesNotExist as exc:
        raise Http404("No such article") from exc


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    query = request.GET.get("q", "").strip()
    version = request.GET.get("version", "").strip()
    results = search.search(user, query, version=version, limit=25) if query else None
    articles = None
    if results is None:
        listed = selectors.articles_visible_to(user)
        kind = request.GET.get("kind", "")
        if kind in Kind.values:
            listed = listed.filter(kind=kind)
        articles = Paginator(listed, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/index.html",
        {
            "query": query,
            "version": version,
            "results": results,
            "articles": articles,
            "kinds": Kind.choices,
            "kind": request.GET.get("kind", ""),
            "staff": selectors.is_helpdesk(user),
            "can_edit": user.can(Capability.MANAGE_KNOWLEDGE),  # type: ignore[union-attr]
            "today": timezone.localdate(),
        },
    )


@require_GET
@login_required
def article(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    found = _article_or_404(user, slug)
    staff = selectors.is_helpdesk(user)
    links = TicketArticle.objects.select_related("ticket").filter(article=found) if staff else None
    return render(
        request,
        "knowledge/article.html",
        {
            "article": found,
            "body": article_render.render_body(found.slug, found.body),
            "files": found.files.all(),
            "staff": staff,
            "links": links,
            "can_edit": user.can(Capability.MANAGE_KNOWLEDGE),  # type: ignore[union-attr]
        },
    )


@require_GET
@login_required
def article_file(request: HttpRequest, slug: str, name: str) -> FileResponse:
    try:
        found = selectors.file_for(request.user, slug, name)
    except (Article.DoesNotExist, ArticleFile.DoesNotExist) as exc:
        raise Http404("No such file") from exc
    content_type = (found.content_type or "").split(";")[0].strip().lower()
    inline = content_type in IMAGE_TYPES
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=not inline,
        filename=found.name,
        content_type=content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
@login_required
def solved(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not getattr(user, "is_customer", False):
        raise PermissionDenied("Only a customer's attempt can be solved by an article.")
    found = _article_or_404(user, request.POST.get("article", ""))
    try:
        actions.mark_solved(
            actor=user,  # type: ignore[arg-type]
            attempt=request.POST.get("attempt", ""),
            article=found,
        )
    except ActionValidationError as exc:
        for message in exc.errors.values():
            messages.error(request, message[:1].upper() + message[1:] + ".")
        return redirect("portal:new")
    messages.success(
        request, f'Glad "{found.title}" solved it. No fault was logged; you can log one any time.'
    )
    return redirect("knowledge:article", slug=found.slug)


@require_GET
@login_required
def deflection(request: HttpRequest) -> HttpResponse:
    report = selectors.deflection_report(request.user)
    if report is None:
        raise PermissionDenied("The deflection report is for the helpdesk.")
    return render(request, "knowledge/deflection.html", {"report": report})


def _staff_ticket(request: HttpRequest, reference: str) -> Ticket:
    if not selectors.is_helpdesk(request.user):
        raise PermissionDenied("Linking articles is for the helpdesk.")
    try:
        return ticket_for(request.user, reference)
    except Ticket.DoesNotExist as exc:
        raise Http404("No such ticket") from exc


@require_POST
@login_required
def link(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _staff_ticket(request, reference)
    back = reverse("console:ticket", args=[ticket.reference]) + "#kb-linked"
    try:
        found = selectors.article_for(request.user, request.POST.get("article", "").strip())
    except Article.DoesNotExist:
        messages.error(request, "Article: give the address (slug) of an existing article.")
        return redirect(back)
    try:
        actions.link_article(
            actor=request.user,  # type: ignore[arg-type]
            ticket=ticket,
            article=found,
            reply=request.POST.get("reply") == "yes",
            note=request.POST.get("note", ""),
            base_url=request.build_absolute_uri("/"),
        )
    except ActionValidationError as exc:
        for field, message in exc.errors.items():
            messages.error(request, f"{field.capitalize()}: {message}.")
    except ActionPermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f'Linked "{found.title}".')
    return redirect(back)


@require_POST
@login_required
def draft(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _staff_ticket(request, reference)
    try:
        created = actions.draft_known_issue(actor=request.user, ticket=ticket)  # type: ignore[arg-type]
    except ActionValidationError as exc:
        for message in exc.errors.values():
            messages.error(request, message[:1].upper() + message[1:] + ".")
        return redirect("console:ticket", reference=ticket.reference)
    except ActionPermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("console:ticket", reference=ticket.reference)
    messages.success(request, "Draft known issue created (internal). Review it, then publish it.")
    return redirect("knowledge:edit", slug=created.slug)


EDIT_FIELDS = (
    "title",
    "slug",
    "body",
    "kind",
    "workaround",
    "applies_to",
    "versions",
    "visibility",
    "state",
    "review_on",
)


def _applies_to_choices() -> list[tuple[str, str]]:
    choices = [("", "General: every product")]
    for product in Product.objects.prefetch_related("modules"):
        choices.append((f"p:{product.pk}", f"{product.name}: every module"))
        choices.extend((f"m:{m.pk}", f"{product.name} / {m.name}") for m in product.modules.all())
    return choices


def _applies_to(value: str) -> tuple[Product | None, Module | None, str | None]:
    kind, _, pk = (value or "").partition(":")
    if not value:
        return None, None, None
    if kind == "p" and pk.isdigit() and (product := Product.objects.filter(pk=pk).first()):
        return product, None, None
    if kind == "m" and pk.isdigit() and (module := Module.objects.filter(pk=pk).first()):
        return module.product, module, None
    return None, None, "choose a product or module from the list"


def _initial(article: Article | None) -> dict[str, str]:
    if article is None:
        return {"kind": Kind.HOW_TO, "visibility": Visibility.PUBLIC, "state": State.DRAFT}
    applies = f"m:{article.module_id}" if article.module_id else ""
    if not applies and article.product_id:
        applies = f"p:{article.product_id}"
    return {
        "title": article.title,
        "slug": article.slug,
        "body": article.body,
        "kind": article.kind,
        "workaround": article.workaround,
        "applies_to": applies,
        "versions": article.versions,
        "visibility": article.visibility,
        "state": article.state,
        "review_on": article.review_on.isoformat() if article.review_on else "",
    }


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HttpRequest, slug: str = "") -> HttpResponse:
    """Write or change an article (authors), with its images and files."""
    user = request.user
    if not user.can(Capability.MANAGE_KNOWLEDGE):  # type: ignore[union-attr]
        raise PermissionDenied("Writing articles is for support engineers and above.")
    article = _article_or_404(user, slug) if slug else None
    data = _initial(article)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {name: request.POST.get(name, "") for name in EDIT_FIELDS}
        product, module, problem = _applies_to(data["applies_to"])
        review_on = None
        if data["review_on"]:
            try:
                review_on = dt.date.fromisoformat(data["review_on"])
            except ValueError:
                errors["review_on"] = "give the review date as a date"
        if problem:
            errors["applies_to"] = problem
        try:
            with transaction.atomic():
                saved = actions.save_article(
                    actor=user,  # type: ignore[arg-type]
                    article=article,
                    title=data["title"],
                    slug=data["slug"],
                    body=data["body"],
                    kind=data["kind"],
                    workaround=data["workaround"],
                    product=product,
                    module=module,
                    versions=data["versions"],
                    visibility=data["visibility"],
                    state=data["state"],
                    review_on=review_on,
                )
                for upload in request.FILES.getlist("files"):
                    actions.add_article_file(actor=user, article=saved, upload=upload)  # type: ignore[arg-type]
                if errors:
                    raise ActionValidationError(errors)
        except ActionValidationError as exc:
            errors = {**exc.errors, **errors}
        else:
            messages.success(request, f'Saved "{saved.title}" ({saved.get_state_display()}).')
            return redirect("knowledge:article", slug=saved.slug)
    response = render(
        request,
        "knowledge/edit.html",
        {
            "article": article,
            "data": data,
            "errors": errors,
            "kinds": Kind.choices,
            "visibilities": Visibility.choices,
            "states": State.choices,
            "applies": _applies_to_choices(),
            "files": article.files.all() if article else [],
        },
    )
    if errors:
        response.status_code = 422
    return response
