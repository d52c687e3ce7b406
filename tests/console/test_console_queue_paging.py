"""The console queue a page at a time, and its company field: a name, a slug or part of
one, the old `?company=<id>` links, and a clear message when it names no single company."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from helpdesk_world import london
from queue_mix import log_mixed_queue
from sladesk.customers.models import Company
from sladesk.queue.selectors import queue_for


def _refs(html: str) -> list[str]:
    return re.findall(r'href="/console/tickets/([^/"]+)/"', html)


@pytest.fixture
def mixed(world, monkeypatch):
    """The mixed queue (fourteen tickets) with console pages of four rows."""
    monkeypatch.setattr("sladesk.console.selectors.PAGE_SIZE", 4)
    log_mixed_queue(world)
    return [t.reference for t in queue_for(world.operator, now=london(2026, 3, 11))]


def test_each_page_holds_the_next_slice_of_the_queue_order_grouped_within_the_page(
    client, world, mixed
):
    client.force_login(world.operator)

    pages = [
        client.get(reverse("console:queue"), {"page": n}).content.decode() for n in (1, 2, 3, 4)
    ]

    assert [sorted(_refs(html)) for html in pages] == [
        sorted(mixed[i : i + 4]) for i in (0, 4, 8, 12)
    ]
    # Every ticket with a target is breached by now; the two without one run no clock; the
    # two answered ones come last, each kind in its own group of its page.
    third, fourth = pages[2], pages[3]
    assert _refs(pages[0]) == mixed[0:4]
    assert (
        third.index('id="g-breached"')
        < third.index(mixed[8])
        < third.index(mixed[9])
        < third.index('id="g-running"')
        < third.index(mixed[10])
        < third.index(mixed[11])
    )
    assert 'id="g-breached"' not in fourth
    assert fourth.index('id="g-responded"') < fourth.index(mixed[12]) < fourth.index(mixed[13])


def test_the_pages_show_the_total_and_plain_links_to_the_previous_and_next_page(
    client, world, mixed
):
    client.force_login(world.operator)

    first = client.get(reverse("console:queue")).content.decode()
    middle = client.get(reverse("console:queue"), {"page": 2}).content.decode()
    last = client.get(reverse("console:queue"), {"page": 4}).content.decode()

    assert "1–4 of 14 tickets." in first
    assert "5–8 of 14 tickets." in middle
    assert "13–14 of 14 tickets." in last
    assert re.findall(r'<a href="([^"]*)" rel="(prev|next)">', first) == [
        ("?assignee=queue&amp;page=2", "next")
    ]
    assert re.findall(r'<a href="([^"]*)" rel="(prev|next)">', middle) == [
        ("?assignee=queue&amp;page=1", "prev"),
        ("?assignee=queue&amp;page=3", "next"),
    ]
    assert re.findall(r'<a href="([^"]*)" rel="(prev|next)">', last) == [
        ("?assignee=queue&amp;page=3", "prev")
    ]


def test_a_page_past_the_end_or_not_a_number_shows_the_last_or_first_page(client, world, mixed):
    client.force_login(world.operator)

    past = client.get(reverse("console:queue"), {"page": 99}).content.decode()
    junk = client.get(reverse("console:queue"), {"page": "last"}).content.decode()

    assert sorted(_refs(past)) == sorted(mixed[12:14])
    assert sorted(_refs(junk)) == sorted(mixed[0:4])


def test_the_poll_and_the_page_links_keep_the_page_and_the_filters(client, world, mixed):
    client.force_login(world.operator)

    poll = client.get(
        reverse("console:queue"), {"priority": "minor", "page": 1}, HTTP_HX_REQUEST="true"
    ).content.decode()
    second = client.get(
        reverse("console:queue"), {"company": "acme", "page": 2}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert "<html" not in poll
    assert '"/console/?priority=minor&amp;assignee=queue"' in poll
    assert "3 tickets." in poll
    assert 'rel="next"' not in poll
    acme = world.acme.pk
    assert f'hx-get="/console/?company={acme}&amp;assignee=queue&amp;page=2"' in second
    assert f'<a href="?company={acme}&amp;assignee=queue&amp;page=1" rel="prev">' in second


@pytest.mark.parametrize("typed", ["bluebell", "BLUEBELL INSURANCE", "Bluebell Insurance", "insur"])
def test_the_company_field_takes_a_name_a_slug_or_part_of_one(client, world, mixed, typed):
    client.force_login(world.operator)
    bluebell = [
        t.reference
        for t in queue_for(world.operator, now=london(2026, 3, 11))
        if t.company_id == world.bluebell.pk
    ]

    html = client.get(reverse("console:queue"), {"company": typed}).content.decode()

    assert len(bluebell) == 5
    assert sorted(_refs(html)) == sorted(bluebell[:4])
    assert "1–4 of 5 tickets of Bluebell Insurance." in html
    assert 'value="Bluebell Insurance"' in html
    assert 'role="alert"' not in html


def test_an_old_company_id_link_still_filters_and_shows_the_company_by_name(client, world, mixed):
    client.force_login(world.operator)
    acme = [
        t.reference
        for t in queue_for(world.operator, now=london(2026, 3, 11))
        if t.company_id == world.acme.pk
    ]

    html = client.get(reverse("console:queue"), {"company": world.acme.pk}).content.decode()

    assert len(acme) == 9
    assert _refs(html) == acme[:4]
    assert "1–4 of 9 tickets of Acme Contact Centres." in html
    assert 'value="Acme Contact Centres"' in html


@pytest.mark.parametrize(
    ("company", "message"),
    [
        ("Nowhere Ltd", 'No company matches "Nowhere Ltd".'),
        ("999999", "No company has the id 999999."),
        ("99999999999999999999999", "No company has the id 99999999999999999999999."),
    ],
)
def test_a_company_that_does_not_exist_lists_nothing_and_says_so(
    client, world, mixed, company, message
):
    client.force_login(world.operator)

    response = client.get(reverse("console:queue"), {"company": company})
    html = response.content.decode()

    assert response.status_code == 200
    assert _refs(html) == []
    assert (
        f'<div class="errors-summary" role="alert"><p>{message.replace(chr(34), "&quot;")}</p>'
        in html
    )
    assert "0 tickets." in html


def test_a_company_text_matching_several_offers_each_as_a_link(client, world, mixed):
    client.force_login(world.operator)

    html = client.get(
        reverse("console:queue"), {"company": "co", "priority": "major"}
    ).content.decode()

    assert _refs(html) == []
    assert "More than one company matches &quot;co&quot;: choose one." in html
    assert re.findall(r'<li><a href="\?([^"]*)">([^<]*)</a></li>', html) == [
        (f"priority=major&amp;company={world.acme.pk}&amp;assignee=queue", "Acme Contact Centres"),
        (f"priority=major&amp;company={world.corvid.pk}&amp;assignee=queue", "Corvid Telecom"),
    ]


def test_company_suggestions_list_at_most_twenty_matches_by_name(client, world):
    Company.objects.bulk_create(
        Company(name=f"Zephyr Call {n:02}", slug=f"zephyr-{n:02}") for n in range(25)
    )
    client.force_login(world.operator)

    many = client.get(reverse("console:companies"), {"company": "zephyr"}).content.decode()
    one = client.get(reverse("console:companies"), {"company": "blue"}).content.decode()
    empty = client.get(reverse("console:companies"), {"company": " "}).content.decode()

    assert re.findall(r'<option value="([^"]*)">', many) == [
        f"Zephyr Call {n:02}" for n in range(20)
    ]
    assert one.strip() == (
        '<datalist id="company-options"><option value="Bluebell Insurance">bluebell</option>'
        "</datalist>"
    )
    assert empty.strip() == '<datalist id="company-options"></datalist>'


def test_customers_get_no_company_suggestions(client, world):
    client.force_login(world.acme_user)

    assert client.get(reverse("console:companies"), {"company": "a"}).status_code == 403
