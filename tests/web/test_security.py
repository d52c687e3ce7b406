"""Security in the browser: login throttling, session fixation, secure cookies, attachments
as downloads only, sanitised user HTML, safe redirects."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from sladesk.web import throttle
from sladesk.web.models import LoginThrottle
from sladesk.web.redirects import safe_next
from sladesk.web.templatetags.sladesk_ui import user_html

GOOD = "correct horse battery staple"


def _login(client, password, email="ann@acme.example", ip="203.0.113.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_from_that_address_even_with_the_right_password(
    client, world, settings
):
    settings.SLADESK_LOGIN_MAX_FAILURES = 5
    for _ in range(5):
        assert _login(client, "wrong").status_code == 200

    refused = _login(client, GOOD)

    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_address_and_lifts_after_the_lock_time(client, world, settings):
    settings.SLADESK_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        _login(client, "wrong")

    assert _login(client, GOOD, ip="198.51.100.1").status_code == 302
    row = LoginThrottle.objects.get(account="ann@acme.example", ip="203.0.113.7")
    assert row.failures == 3
    later = row.locked_until + dt.timedelta(seconds=1)
    assert throttle.locked_for(account="ANN@acme.example", ip="203.0.113.7", at=later) is None


def test_a_successful_sign_in_clears_the_failures_before_the_limit(client, world):
    _login(client, "wrong")
    _login(client, "wrong")

    assert _login(client, GOOD).status_code == 302
    assert not LoginThrottle.objects.filter(account="ann@acme.example").exists()


def test_signing_in_gives_a_new_session_key(client, world):
    client.get(reverse("login"))
    client.session["planted"] = "by an attacker"
    session = client.session
    session["planted"] = "x"
    session.save()
    before = session.session_key

    _login(client, GOOD)

    assert client.session.session_key != before
    assert client.session["_auth_user_id"] == str(world.acme_user.pk)


def test_cookies_are_secure_and_http_only_outside_debug():
    from django.conf import settings

    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_the_login_form_refuses_a_post_without_the_csrf_token(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    response = strict.post(reverse("login"), {"username": "ann@acme.example", "password": GOOD})

    assert response.status_code == 403


def test_the_login_page_ignores_an_off_site_next(client, world):
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": "ann@acme.example", "password": GOOD, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/portal/"


@pytest.mark.parametrize(
    ("email", "landing"),
    [
        ("ann@acme.example", "/portal/"),
        ("olive@helpdesk.example", "/console/"),
        ("ed@helpdesk.example", "/console/"),
        ("max@helpdesk.example", "/console/"),
    ],
)
def test_signing_in_without_next_lands_customers_in_the_portal_and_staff_in_the_console(
    client, world, email, landing
):
    response = _login(client, GOOD, email=email)

    assert response.status_code == 302
    assert response["Location"] == landing


def test_signing_in_with_a_safe_next_goes_there(client, world):
    response = client.post(
        reverse("login") + "?next=/billing/",
        {"username": "ed@helpdesk.example", "password": GOOD, "next": "/billing/"},
    )

    assert response["Location"] == "/billing/"


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("/console/", "/console/"),
        ("https://evil.example/x", "/portal/"),
        ("//evil.example/x", "/portal/"),
        ("javascript:alert(1)", "/portal/"),
    ],
)
def test_safe_next_only_returns_urls_on_this_site(wanted, expected):
    request = RequestFactory().post("/", {"next": wanted})

    assert safe_next(request, "/portal/") == expected


@pytest.mark.parametrize(
    ("name", "claimed"),
    [
        ("page.html", "text/html"),
        ("logo.svg", "image/svg+xml"),
        ("x.xhtml", "application/xhtml+xml"),
    ],
)
def test_an_active_attachment_is_only_ever_a_download_of_bytes(client, world, log, name, claimed):
    upload = SimpleUploadedFile(name, b"<script>alert(1)</script>", content_type=claimed)
    ticket = log(attachments=[upload])
    attachment = ticket.attachments.get()
    client.force_login(world.acme_user)

    response = client.get(reverse("tickets:attachment", args=[ticket.reference, attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_an_image_attachment_keeps_its_type_but_is_still_a_download(client, world, log):
    upload = SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\nfake", content_type="image/png")
    ticket = log(attachments=[upload])
    client.force_login(world.acme_user)

    response = client.get(
        reverse("tickets:attachment", args=[ticket.reference, ticket.attachments.get().pk])
    )

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")


def test_user_html_keeps_formatting_and_removes_scripts_handlers_and_javascript_links():
    html = user_html(
        "<p>Hi <b>there</b><script>alert(1)</script></p>"
        '<a href="javascript:x()" onclick="y()">z</a>'
        '<img src=x onerror="alert(2)">'
    )

    assert "<b>there</b>" in html
    assert "script" not in html
    assert "onclick" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_plain_text_is_escaped_and_keeps_its_angle_brackets_and_lines():
    html = user_html("if a<b and c>d\nthen <script>")

    assert html == "<p>if a&lt;b and c&gt;d<br>then &lt;script&gt;</p>"


def test_every_page_gets_the_security_headers(client, world):
    response = client.get(reverse("login"))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
