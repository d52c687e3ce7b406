"""Personal API tokens, scopes, browser sessions with CSRF, and the per-token rate limit."""

from __future__ import annotations

import io

import pytest
from api_client import Api, problem, ticket_body
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_token_create_prints_the_token_once_and_stores_only_its_digest(world):
    from sladesk.api.actions import digest
    from sladesk.api.models import ApiToken
    from sladesk.audit.models import AuditEvent

    out, err = io.StringIO(), io.StringIO()
    call_command(
        "token", "create", "--user", world.engineer.email, "--scope", "read", stdout=out, stderr=err
    )

    raw = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert raw.startswith("sld_")
    assert token.digest == digest(raw)
    assert raw not in {token.digest, token.prefix, token.name}
    assert (token.user, token.scopes) == (world.engineer, ["read"])
    assert "shown once" in err.getvalue()
    assert AuditEvent.objects.filter(action="api.token_created").count() == 1
    assert Api(raw).get("/tickets").status_code == 200


def test_token_list_and_revoke_commands(world):
    from sladesk.api.models import ApiToken

    call_command("token", "create", "--user", world.admin.email, stdout=io.StringIO())
    token = ApiToken.objects.get()
    listed = io.StringIO()
    call_command("token", "list", stdout=listed)
    call_command("token", "revoke", str(token.pk), stdout=io.StringIO())

    assert (
        f"{token.pk}\t{world.admin.email}\tcommand line\t{token.prefix}…\tread,write\tactive"
        in (listed.getvalue())
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_without_a_valid_token_the_answer_is_401_with_a_problem_detail(world, api_as):
    from sladesk.api.actions import revoke_token

    good = api_as(world.engineer)
    token = world.engineer.api_tokens.get()
    revoke_token(actor=world.engineer, token=token)

    for headers in ({}, {"Authorization": "Bearer sld_not-a-token"}, good.headers):
        response = Client().get("/api/v1/tickets", headers=headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="sladesk"'
        assert problem(response)["title"] == "Unauthorized"


def test_a_deactivated_users_token_stops_working(world, api_as):
    api = api_as(world.engineer)
    world.engineer.is_active = False
    world.engineer.save()

    assert api.get("/tickets").status_code == 401


def test_a_read_only_token_cannot_write_and_nothing_changes(world, api_as):
    from sladesk.tickets.models import Ticket

    api = api_as(world.acme_user, scopes=("read",))

    assert api.get("/tickets").status_code == 200
    response = api.post("/tickets", ticket_body(world))
    assert response.status_code == 403
    assert problem(response)["type"] == "https://sladesk.dev/problems/insufficient-scope"
    assert Ticket.objects.count() == 0


def test_a_browser_session_works_and_writes_need_the_csrf_token(world, log):
    ticket = log()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.engineer)

    assert browser.get("/api/v1/tickets").status_code == 200
    refused = browser.post(
        f"/api/v1/tickets/{ticket.reference}/notes",
        {"body": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert ticket.messages.count() == 0

    browser.get("/account/tokens/")  # sets the CSRF cookie, as any page does
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(
        f"/api/v1/tickets/{ticket.reference}/notes",
        {"body": "x"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 201


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(world, api_as, settings):
    settings.SLADESK_API_RATE_LIMIT = 3
    settings.SLADESK_API_RATE_WINDOW_SECONDS = 3600
    cache.clear()
    busy = api_as(world.engineer)
    other = api_as(world.engineer)

    statuses = [busy.get("/modules").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    limited = busy.get("/modules")
    assert 1 <= int(limited["Retry-After"]) <= 3600
    assert problem(limited)["type"] == "https://sladesk.dev/problems/rate-limited"
    # The limit is per token.
    assert other.get("/modules").status_code == 200


def test_the_fixed_window_starts_again_in_the_next_window(settings):
    from sladesk.api.ratelimit import RateLimited, hit

    settings.SLADESK_API_RATE_LIMIT = 2
    settings.SLADESK_API_RATE_WINDOW_SECONDS = 60
    cache.clear()

    hit("k", now=120.0)
    hit("k", now=150.0)
    with pytest.raises(RateLimited) as refused:
        hit("k", now=170.5)
    assert refused.value.retry_after == 10
    hit("k", now=180.0)


def test_people_list_their_own_tokens_and_administrators_everyones(world, api_as):
    mine = api_as(world.engineer)
    api_as(world.acme_user)

    assert [t["user"] for t in mine.get("/tokens").json()] == [world.engineer.email]
    everyone = {t["user"] for t in api_as(world.admin).get("/tokens").json()}
    assert everyone == {world.engineer.email, world.acme_user.email, world.admin.email}


def test_a_token_is_revoked_by_its_owner_or_an_administrator_only(world, api_as):
    victim = api_as(world.acme_user)
    token_id = world.acme_user.api_tokens.get().pk

    other = api_as(world.bluebell_user).delete(f"/tokens/{token_id}")
    assert other.status_code == 404
    assert victim.get("/tickets").status_code == 200

    revoked = api_as(world.admin).delete(f"/tokens/{token_id}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert victim.get("/tickets").status_code == 401


def test_the_tokens_page_creates_shows_once_and_revokes(world):
    from sladesk.api.models import ApiToken

    browser = Client()
    browser.force_login(world.acme_user)

    page = browser.post("/account/tokens/", {"name": "crm", "scopes": ["read"]})
    token = ApiToken.objects.get()
    raw = page.context["created"]
    assert Api(raw).get("/tickets").status_code == 200
    assert browser.get("/account/tokens/").context["created"] is None

    browser.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_admin_revokes_tokens(world, api_as):
    api = api_as(world.acme_user)
    token = world.acme_user.api_tokens.get()
    browser = Client()
    browser.force_login(world.admin)

    browser.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert api.get("/tickets").status_code == 401


def test_creating_a_token_for_someone_else_needs_an_administrator(world):
    from sladesk.api.actions import create_token
    from sladesk.api.models import ApiToken
    from sladesk.core.errors import ActionPermissionDenied, ActionValidationError

    with pytest.raises(ActionPermissionDenied):
        create_token(actor=world.engineer, user=world.manager, name="x")
    with pytest.raises(ActionValidationError) as invalid:
        create_token(actor=world.admin, user=world.manager, name="", scopes=["root"])
    assert invalid.value.errors == {
        "name": "name the token (what will use it)",
        "scopes": "unknown scope 'root' (known: read, write)",
    }
    assert ApiToken.objects.count() == 0
    _token, raw = create_token(actor=world.admin, user=world.manager, name="ops")
    assert raw.startswith("sld_")
