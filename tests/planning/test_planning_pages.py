"""The what-if page (administrators) and the staffing page (managers)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sladesk.audit.models import AuditEvent
from sladesk.contracts.sla_adapter import default_policy_row
from sladesk.planning.history import write_ticket_history
from sladesk.planning.models import PolicyDraft, WorkingHours


def _candidate(minutes: int) -> str:
    data = json.loads(json.dumps(default_policy_row().data))
    data["rules"]["major"]["out_of_hours"] = {"kind": "wall_clock_minutes", "minutes": minutes}
    return json.dumps(data)


def _no_inline_code(page: str) -> None:
    assert "<script>" not in page
    assert "style=" not in page
    assert not re.search(r"\son[a-z]+=", page)


@pytest.fixture
def recent(world):
    """Five weeks of answered tickets up to now (inside any six-week window from now on)."""
    return write_ticket_history(now=timezone.now(), weeks=5, seed=3)


def test_an_administrator_drafts_replays_and_sees_both_sides(client, world, recent):
    client.force_login(world.admin)
    form = client.get(reverse("planning:what_if"))
    assert form.status_code == 200
    _no_inline_code(form.content.decode())

    response = client.post(
        reverse("planning:what_if"),
        {
            "policy": default_policy_row().pk,
            "name": "Major 2h",
            "data": _candidate(120),
            "closures": "2030-01-02 Stocktake",
            "months": "2",
        },
    )

    draft = PolicyDraft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:draft", args=[draft.pk])
    assert draft.closed_dates == {"2030-01-02": "Stocktake"}
    assert draft.replay_months == 2
    page = client.get(response["Location"]).content.decode()
    _no_inline_code(page)
    assert f"({draft.replay['tickets']} tickets, as of" in page
    assert "Responses per priority, current rules against the candidate" in page
    assert "Activate this draft" in page


def test_activation_from_the_page_needs_a_reason_and_then_changes_the_policy(client, world, recent):
    client.force_login(world.admin)
    client.post(
        reverse("planning:what_if"),
        {
            "policy": default_policy_row().pk,
            "name": "Major 2h",
            "data": _candidate(120),
            "months": "1",
        },
    )
    draft = PolicyDraft.objects.get()
    url = reverse("planning:draft", args=[draft.pk])

    refused = client.post(url, {"do": "activate", "reason": " "})

    assert refused.status_code == 400
    assert "reason: say why the policy changes" in refused.content.decode()
    assert default_policy_row().data["rules"]["major"]["out_of_hours"]["minutes"] == 60

    done = client.post(url, {"do": "activate", "reason": "Agreed with the customers"})

    assert done.status_code == 302
    assert default_policy_row().data["rules"]["major"]["out_of_hours"]["minutes"] == 120
    assert AuditEvent.objects.get(action="planning.draft_activated").actor == world.admin


def test_the_what_if_form_lists_every_problem_and_keeps_what_was_typed(client, world):
    client.force_login(world.admin)

    response = client.post(
        reverse("planning:what_if"),
        {
            "policy": default_policy_row().pk,
            "name": "Typo",
            "data": "{not json",
            "closures": "29/12/2026 Christmas",
            "months": "99",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "data: the candidate policy is not JSON" in page
    assert "closed_dates: not a date (YYYY-MM-DD): 29/12/2026" in page
    assert "months: a whole number of months from 1 to 36" in page
    assert "{not json" in page
    assert PolicyDraft.objects.count() == 0


@pytest.mark.parametrize("who", ["manager", "engineer", "acme_user"])
def test_only_administrators_reach_the_what_if_pages(client, world, who):
    client.force_login(getattr(world, who))

    assert client.get(reverse("planning:what_if")).status_code == 403
    assert client.post(reverse("planning:what_if"), {"name": "x"}).status_code == 403
    assert PolicyDraft.objects.count() == 0


def test_a_manager_sees_the_hours_at_risk_and_the_week(client, world, recent):
    for day in range(5):
        WorkingHours.objects.create(
            agent=world.engineer, weekday=day, starts=dt.time(9), ends=dt.time(17)
        )
    client.force_login(world.manager)

    response = client.get(reverse("planning:staffing"), {"weeks": "6", "probability": "80"})

    page = response.content.decode()
    assert response.status_code == 200
    _no_inline_code(page)
    assert "Hours at risk (" in page
    assert "The week: agents needed / planned" in page
    assert f"From {recent} tickets logged in the 6 weeks before" in page
    assert len(re.findall(r'<th scope="row">\d\d:00</th>', page)) == 24


def test_the_staffing_page_names_bad_parameters(client, world):
    client.force_login(world.manager)

    response = client.get(reverse("planning:staffing"), {"weeks": "0", "probability": "120"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "weeks of history: a whole number from 1 to 52" in page
    assert "probability: a whole percentage from 50 to 99" in page


@pytest.mark.parametrize("who", ["operator", "engineer", "acme_user"])
def test_only_managers_and_administrators_see_the_staffing_forecast(client, world, who):
    client.force_login(getattr(world, who))

    assert client.get(reverse("planning:staffing")).status_code == 403
