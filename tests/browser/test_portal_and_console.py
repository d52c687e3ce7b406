"""The main journeys in a real browser: a customer logs a fault with a pasted screenshot,
an agent takes it, replies and notes; the customer sees the reply and never the note;
another company's customer gets 404s. Screenshots of the pages go to docs/screenshots."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASTE_SCREENSHOT = """
async (selector) => {
  const canvas = document.createElement("canvas");
  canvas.width = 240; canvas.height = 120;
  const g = canvas.getContext("2d");
  g.fillStyle = "#b3261e"; g.fillRect(0, 0, 240, 120);
  g.fillStyle = "#ffffff"; g.font = "20px sans-serif"; g.fillText("Error 500", 60, 65);
  const blob = await new Promise((done) => canvas.toBlob(done, "image/png"));
  const data = new DataTransfer();
  data.items.add(new File([blob], "image.png", { type: "image/png" }));
  const event = new ClipboardEvent(
    "paste", { clipboardData: data, bubbles: true, cancelable: true });
  document.querySelector(selector).dispatchEvent(event);
}
"""
INTERNAL_NOTE = "INTERNAL-ONLY: customer changed their firewall last night"
REPLY = "We are looking at the script engine now; please keep the error screen open."


def log_fault_in_portal(ann: Any) -> str:
    page = ann.page
    page.goto("/portal/new/")
    page.select_option("#id_module", label="CallScripter / Agent Desktop")
    page.fill("#id_version", "5.2")
    page.fill("#id_overview", "Agents see a blank script page")
    page.fill("#id_error_details", "Script engine returned HTTP 500")
    page.check("input[name=affected][value=entire_centre]")
    page.fill("#id_business_impact", "No calls can be handled")
    page.evaluate(PASTE_SCREENSHOT, "#id_error_details")
    files = page.locator("#id_attachments")
    assert files.evaluate("input => input.files.length") == 1
    assert re.match(r"pasted-.*\.png", files.evaluate("input => input.files[0].name"))
    ann.shot("portal-log-a-fault", full_page=True)
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal/tickets/CS-\d+/\?logged=1$"))
    reference = page.locator("[data-testid=reference]").inner_text()
    assert re.fullmatch(r"CS-\d+", reference)
    return reference


def test_a_fault_logged_with_a_pasted_screenshot_is_taken_answered_and_followed(
    open_session, live_world
):
    ann = open_session()
    ann.sign_in("ann@acme.example")
    reference = log_fault_in_portal(ann)
    assert ann.page.locator(".reference-banner").is_visible()
    attachment_links = ann.page.locator("a[href*='/attachments/']")
    assert attachment_links.count() == 1
    attachment_url = attachment_links.first.get_attribute("href")
    countdown = ann.page.locator(".countdown").first
    assert re.search(r"left|overdue|to due", countdown.inner_text())
    assert ann.page.locator("#sla-explanation li").count() >= 3
    assert "logged on" in ann.page.locator("#sla-explanation").inner_text()
    ann.shot("portal-ticket-logged")

    ed = open_session()
    ed.sign_in("ed@helpdesk.example")
    ed.page.goto("/console/")
    ed.page.click("text=Set me available")
    row = ed.page.locator("#queue-body tr", has_text=reference)
    assert re.search(r"left|overdue|to due", row.locator(".countdown").inner_text())
    ed.shot("console-queue")
    ed.page.click("button:has-text('Take next')")
    ed.page.wait_for_url(f"**/console/tickets/{reference}/")
    ed.page.fill("#reply-body", REPLY)
    ed.page.click("#act-reply button[type=submit]")
    ed.page.wait_for_url(f"**/console/tickets/{reference}/#timeline")
    ed.page.keyboard.press("n")  # the shortcut opens the internal note and focuses it
    assert ed.page.evaluate("document.activeElement.id") == "note-body"
    ed.page.keyboard.type(INTERNAL_NOTE)
    ed.page.click("#act-note button[type=submit]")
    ed.page.wait_for_url(f"**/console/tickets/{reference}/#timeline")
    assert ed.page.locator(".timeline li.internal", has_text=INTERNAL_NOTE).is_visible()
    assert ed.page.locator(".timeline li.audit", has_text="ticket.first_response").count() == 1
    ed.page.goto(f"/console/tickets/{reference}/")
    ed.shot("console-ticket")

    ann.page.goto(f"/portal/tickets/{reference}/")
    assert ann.page.locator(".timeline li", has_text=REPLY).is_visible()
    assert INTERNAL_NOTE not in ann.page.content()
    assert "INTERNAL-ONLY" not in ann.page.evaluate("document.documentElement.outerHTML")
    ann.page.goto("/portal/")
    assert ann.page.locator("tr", has_text=reference).locator(".band-met").count() == 1
    ann.shot("portal-tickets")

    bob = open_session()
    bob.sign_in("bob@bluebell.example")
    for url in (f"/portal/tickets/{reference}/", f"/tickets/{reference}/", attachment_url):
        response = bob.page.request.get(url)
        assert (url, response.status) == (url, 404)
    response = ann.page.request.get(attachment_url)
    assert response.status == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_manager_dashboard_draws_its_charts_and_lists_breaches(open_session, live_world, log):
    import datetime as dt

    from django.utils import timezone

    from sladesk.tickets.actions import add_public_reply

    now = timezone.now()
    late = log(at=now - dt.timedelta(hours=3), priority="critical")
    log(at=now - dt.timedelta(minutes=1), overview="Reports slow")
    add_public_reply(actor=live_world.engineer, ticket=late, body="Calling you now.", at=now)

    max_ = open_session()
    max_.sign_in("max@helpdesk.example")
    max_.page.goto("/dashboard/?period=month")
    assert max_.page.locator("svg.chart").count() == 3
    breaches = max_.page.locator("#breach-title + .table-wrap")
    assert breaches.locator(f"a[href='/console/tickets/{late.reference}/']").count() == 1
    max_.shot("dashboard", full_page=True)

    login = open_session()
    login.page.goto("/login/")
    login.shot("sign-in")
