"""The queue, team, on-call and out-of-hours line pages: scoped, CSRF-protected, working."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from helpdesk_world import london
from sladesk.oncall.actions import add_shift, page_if_needed
from sladesk.oncall.models import Page
from sladesk.queue.models import AgentStatus
from sladesk.tickets.models import Ticket

SAT_02 = london(2026, 3, 7, 2, 0)


def _client(user, enforce_csrf=False):
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def test_the_out_of_hours_line_logs_the_fault_shows_the_reference_and_pages(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from sladesk.core import clock

    monkeypatch.setattr(clock.timezone, "now", lambda: SAT_02)
    add_shift(
        actor=world.manager,
        engineer=world.oncall,
        starts=dt.datetime(2026, 3, 6, 17, 0),
        ends=dt.datetime(2026, 3, 9, 9, 0),
        at=SAT_02,
    )
    client = _client(world.operator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/oncall/line/",
            {
                "contact": world.acme_contact.pk,
                "module": world.desktop.pk,
                "version": "5.2",
                "overview": "Whole contact centre down",
                "affected": "entire_centre",
                "problem_since": "2026-03-07T01:40",
                "error_details": "Error 500",
                "business_impact": "No calls",
                "priority": "critical",
            },
        )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/oncall/line/?logged={ticket.reference}"
    assert ticket.channel == "out_of_hours"
    shown = client.get(response["Location"]).content.decode()
    assert f"<strong>{ticket.reference}</strong>" in shown
    assert "Nina Oncall (on-call engineer)" in shown
    assert Page.objects.get(ticket=ticket).recipient == world.oncall


def test_the_out_of_hours_line_lists_every_problem_and_saves_nothing(world):
    response = _client(world.operator).post("/oncall/line/", {"contact": world.acme_contact.pk})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in body
    assert "overview: give an overview of the problem" in body
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("path", ["/queue/", "/oncall/", "/oncall/line/", "/queue/team/"])
def test_customers_cannot_open_the_helpdesk_pages(world, path):
    assert _client(world.acme_user).get(path).status_code == 403


def test_only_managers_see_the_team_page(world):
    assert _client(world.engineer).get("/queue/team/").status_code == 403
    assert _client(world.manager).get("/queue/team/").status_code == 200


def test_the_queue_page_toggles_availability_and_refuses_a_post_without_csrf(world):
    assert (
        _client(world.engineer, enforce_csrf=True)
        .post("/queue/availability/", {"available": "1"})
        .status_code
        == 403
    )
    assert not AgentStatus.objects.exists()

    client = _client(world.engineer)
    client.post("/queue/availability/", {"available": "1"})
    page = client.get("/queue/").content.decode()

    assert AgentStatus.objects.get(agent=world.engineer).available is True
    assert "You are <strong>available</strong>" in page
    assert "Take next</button>" in page


def test_take_next_from_the_page_opens_the_ticket_taken(log, world):
    ticket = log(priority="critical")
    client = _client(world.engineer)
    client.post("/queue/availability/", {"available": "1"})

    response = client.post("/queue/take-next/")

    assert response["Location"] == f"/tickets/{ticket.reference}/"
    assert Ticket.objects.get(pk=ticket.pk).assignee == world.engineer


def test_the_acknowledge_button_acknowledges_and_the_ticket_shows_it(log, world):
    ticket = log(priority="critical", at=SAT_02, problem_since=london(2026, 3, 7, 1, 0))
    page = page_if_needed(ticket_id=ticket.pk, at=SAT_02)
    client = _client(world.manager)

    client.post(f"/oncall/pages/{page.pk}/acknowledge/", {"next": "ticket"})
    detail = client.get(f"/tickets/{ticket.reference}/").content.decode()

    assert Page.objects.get(pk=page.pk).acknowledged_by == world.manager
    assert "On-call pages" in detail
    assert "by Max Manager" in detail
