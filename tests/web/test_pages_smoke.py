"""Every new page renders for the role it is for, under the CSP and the new base template."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("acme_user", "portal:home"),
        ("acme_user", "portal:new"),
        ("engineer", "console:queue"),
        ("manager", "dashboard:home"),
        ("engineer", "oncall:oncall"),
        ("operator", "oncall:line"),
        ("acme_user", "complaints:list"),
        ("acme_user", "tickets:list"),
    ],
)
def test_each_page_renders_for_its_role_with_the_content_security_policy(
    client, world, log, who, url
):
    log()
    client.force_login(getattr(world, who))

    response = client.get(reverse(url))

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert b"<script>" not in response.content
    assert b" onclick=" not in response.content
