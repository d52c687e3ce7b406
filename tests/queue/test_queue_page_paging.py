"""The /queue/ page a page at a time, in the queue's order, with the total and plain links."""

from __future__ import annotations

import re

import pytest

from helpdesk_world import london
from queue_mix import log_mixed_queue
from sladesk.queue.selectors import queue_for


def _refs(html: str) -> list[str]:
    return re.findall(r'<td><a href="/tickets/([^/"]+)/">', html)


def _links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]*)" rel="(prev|next)">', html)


@pytest.fixture
def mixed(world, monkeypatch):
    """The mixed queue (fourteen tickets) with pages of four rows."""
    monkeypatch.setattr("sladesk.queue.views.PAGE_SIZE", 4)
    log_mixed_queue(world)
    return [t.reference for t in queue_for(world.operator, now=london(2026, 3, 11))]


def test_the_pages_together_list_the_whole_queue_in_its_order(client, world, mixed):
    client.force_login(world.operator)

    pages = [client.get("/queue/", {"page": n}).content.decode() for n in (1, 2, 3, 4)]

    # Long past their opening, none is waiting: each page is one table in the queue's order.
    assert [_refs(html) for html in pages] == [mixed[i : i + 4] for i in (0, 4, 8, 12)]


def test_each_page_shows_the_total_and_links_to_its_neighbours(client, world, mixed):
    client.force_login(world.operator)

    first = client.get("/queue/").content.decode()
    second = client.get("/queue/", {"page": 2}).content.decode()
    last = client.get("/queue/", {"page": 4}).content.decode()

    assert "1–4 of 14 open tickets nobody holds." in first
    assert "5–8 of 14 open tickets nobody holds." in second
    assert "13–14 of 14 open tickets nobody holds." in last
    assert _links(first) == [("?page=2", "next")]
    assert _links(second) == [("?page=1", "prev"), ("?page=3", "next")]
    assert _links(last) == [("?page=3", "prev")]


def test_a_short_queue_is_one_page_without_links(client, world, log):
    ticket = log(at=london(2026, 3, 9, 10, 0), problem_since=london(2026, 3, 1))
    client.force_login(world.operator)

    html = client.get("/queue/").content.decode()

    assert _refs(html) == [ticket.reference]
    assert "1 open ticket nobody holds." in html
    assert _links(html) == []


def test_a_page_past_the_end_shows_the_last_page(client, world, mixed):
    client.force_login(world.operator)

    html = client.get("/queue/", {"page": 40}).content.decode()

    assert _refs(html) == mixed[12:14]
