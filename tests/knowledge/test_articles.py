"""Articles: writing them (validation, audit, index), Markdown rendered and sanitised,
files served only through the permission check, version specs, and who may read what."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sladesk.audit.models import AuditEvent
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.knowledge import versions
from sladesk.knowledge.actions import add_article_file, save_article
from sladesk.knowledge.models import Article
from sladesk.knowledge.render import plain_text, render_body
from sladesk.knowledge.search import search


def write(world, **fields):
    fields.setdefault("actor", world.engineer)
    fields.setdefault("state", "published")
    return save_article(**fields)


def test_saving_an_article_audits_it_and_makes_it_searchable_at_once(world):
    article = write(world, title="Queue music", body="Callers hear hold music.")

    event = AuditEvent.objects.get(action="knowledge.article_created")
    assert (event.actor, event.subject_id) == (world.engineer, str(article.pk))
    assert [h.article for h in search(world.acme_user, "hold music").hits] == [article]

    save_article(
        actor=world.engineer,
        article=article,
        title="Queue announcements",
        body="Callers hear a recorded announcement.",
        state="published",
    )

    assert [h.article.title for h in search(world.acme_user, "announcement").hits] == [
        "Queue announcements"
    ]
    assert search(world.acme_user, "hold music").hits == []
    assert AuditEvent.objects.filter(action="knowledge.article_saved").count() == 1


def test_every_problem_with_an_article_is_listed_and_nothing_is_saved(world):
    with pytest.raises(ActionValidationError) as caught:
        save_article(
            actor=world.engineer,
            title="",
            body="  ",
            kind="faq",
            visibility="secret",
            state="live",
            product=world.reports.product,
            module=world.desktop,
            versions="5.x",
        )

    assert caught.value.errors == {
        "title": "give the article a title",
        "body": "write the article's body",
        "kind": '"faq" is not a kind (how_to, known_issue, release_note, training)',
        "visibility": '"secret" is not public or internal',
        "state": '"live" is not draft or published',
        "versions": '"5.x" is not a version number such as 5.2',
    }
    assert Article.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="knowledge.").exists()


def test_a_second_article_cannot_take_an_address_and_operators_cannot_write(world):
    write(world, title="Queue music", body="x")

    with pytest.raises(ActionValidationError) as caught:
        write(world, title="Queue   music", body="y")
    with pytest.raises(ActionPermissionDenied):
        write(world, actor=world.operator, title="Other", body="z")
    with pytest.raises(ActionPermissionDenied):
        write(world, actor=world.acme_user, title="Other", body="z")

    assert caught.value.errors == {"slug": 'another article already has the address "queue-music"'}
    assert Article.objects.count() == 1


def test_markdown_is_rendered_and_anything_active_is_removed():
    body = (
        "# Setup\n\nSee **this** and [the site](https://example.com).\n\n"
        "<script>alert(1)</script>\n\n[bad](javascript:alert(1))\n\n"
        "![diagram](files/diagram.png) ![tracker](https://evil.example/pixel.png)\n"
    )

    html = str(render_body("setup", body))

    assert "<h2>Setup</h2>" in html
    assert "<strong>this</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">the site</a>' in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    # markdown-it refuses the link; its text stays as text.
    assert 'href="javascript' not in html
    assert "<p>[bad](javascript:alert(1))</p>" in html
    assert '<img src="/kb/articles/setup/files/diagram.png" alt="diagram">' in html
    assert "evil.example" not in html


def test_search_indexes_the_words_without_the_markdown():
    assert plain_text("# Title\n\nSome **bold** text & [a link](https://x.example).") == (
        "Title\nSome bold text & a link."
    )


def test_files_are_served_only_to_those_who_may_read_the_article(client, world, corpus):
    png = SimpleUploadedFile("shot.png", b"\x89PNG data", content_type="image/png")
    svg = SimpleUploadedFile("logo.svg", b"<svg onload=alert(1)>", content_type="image/svg+xml")
    add_article_file(actor=world.engineer, article=corpus.passwords, upload=png)
    add_article_file(actor=world.engineer, article=corpus.passwords, upload=svg)
    secret = SimpleUploadedFile("topology.png", b"\x89PNG net", content_type="image/png")
    add_article_file(actor=world.engineer, article=corpus.vpn_internal, upload=secret)
    client.force_login(world.acme_user)

    image = client.get(reverse("knowledge:file", args=[corpus.passwords.slug, "shot.png"]))
    vector = client.get(reverse("knowledge:file", args=[corpus.passwords.slug, "logo.svg"]))
    hidden = client.get(reverse("knowledge:file", args=[corpus.vpn_internal.slug, "topology.png"]))

    assert image.status_code == 200
    assert (image["Content-Type"], image["X-Content-Type-Options"]) == ("image/png", "nosniff")
    assert image["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(image.streaming_content) == b"\x89PNG data"
    assert vector["Content-Type"] == "application/octet-stream"
    assert vector["Content-Disposition"].startswith("attachment;")
    assert hidden.status_code == 404
    client.force_login(world.operator)
    assert (
        client.get(
            reverse("knowledge:file", args=[corpus.vpn_internal.slug, "topology.png"])
        ).status_code
        == 200
    )


def test_customers_get_404_for_internal_draft_and_other_products_articles(client, world, corpus):
    client.force_login(world.bluebell_user)

    for article in (corpus.vpn_internal, corpus.draft, corpus.reports_export):
        assert client.get(f"/kb/articles/{article.slug}/").status_code == 404
    listing = client.get(reverse("knowledge:index")).content.decode()
    page = client.get(f"/kb/articles/{corpus.blank_page.slug}/").content.decode()

    assert "Zanzibar" not in listing
    assert "Draft:" not in listing
    assert "Exporting a report" not in listing
    assert "Resetting an agent&#x27;s password" in listing
    assert "Clear the browser cache and reload the script." in page


def test_the_helpdesk_sees_internal_articles_and_drafts_marked(client, world, corpus):
    client.force_login(world.operator)

    listing = client.get(reverse("knowledge:index")).content.decode()

    assert "Zanzibar gateway drops agent sessions</a>" in listing
    assert 'Draft: blank page on script load</a> <span class="badge">How-to</span> ' in listing


@pytest.mark.parametrize(
    ("spec", "version", "expected"),
    [
        ("", "anything", True),
        ("5.1, 5.2", "5.2", True),
        ("5.1, 5.2", "5.2.4", True),
        ("5.1, 5.2", "5.3", False),
        ("5.0-5.4", "5.4.9", True),
        ("5.0-5.4", "5.10", False),
        ("5.9-5.10", "5.10", True),
        ("6.0+", "5.99", False),
        ("6.0+", "12.1", True),
        ("5.2", "5.2.0", True),
        ("5.2", "not a version", False),
    ],
)
def test_version_specs_compare_numbers_not_text(spec, version, expected):
    assert versions.applies(spec, version) is expected


def test_a_bad_version_spec_says_what_is_wrong():
    assert versions.check("5.4-5.0") == '"5.4-5.0" ends before it starts'
    assert versions.check("5.1, five") == '"five" is not a version number such as 5.2'
    assert versions.check("5.1, 5.3-5.4, 6+") is None


def test_knowledge_pages_carry_the_policy_and_no_inline_script_or_style(client, world, corpus, log):
    import re

    from sladesk.knowledge.actions import link_article

    ticket = log()
    link_article(actor=world.operator, ticket=ticket, article=corpus.blank_page)
    client.force_login(world.operator)
    pages = [
        reverse("console:ticket", args=[ticket.reference]),
        reverse("knowledge:index"),
        reverse("knowledge:index") + "?q=blank+page",
        reverse("knowledge:article", args=[corpus.blank_page.slug]),
        reverse("knowledge:deflection"),
    ]
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "script-src 'self'" in response["Content-Security-Policy"], url
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], url
        assert re.findall(r"\s(?:style|on[a-z]+)=", html) == [], url
    client.force_login(world.acme_user)
    portal = client.get(reverse("portal:new")).content.decode()
    assert re.findall(r"\s(?:style|on[a-z]+)=", portal) == []
    client.force_login(world.engineer)
    authoring = client.get(reverse("knowledge:edit", args=[corpus.blank_page.slug]))
    assert authoring.status_code == 200
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", authoring.content.decode()) == []
    assert re.findall(r"\s(?:style|on[a-z]+)=", authoring.content.decode()) == []


def test_the_helpdesk_list_marks_articles_due_for_review(client, world):
    import datetime as dt

    write(world, title="Old manual", body="Dusty.", review_on=dt.date(2000, 1, 1))
    write(world, title="Fresh manual", body="New.", review_on=dt.date(2999, 1, 1))
    client.force_login(world.operator)

    listing = client.get(reverse("knowledge:index")).content.decode()

    assert 'Old manual</a> <span class="badge">How-to</span> <span class="badge band-warning">' in (
        listing
    )
    assert listing.count("Review due") == 1


def test_administrators_get_an_edit_link_and_nobody_else_does(client, world, corpus):
    url = f"/kb/articles/{corpus.passwords.slug}/"
    edit = f'href="/admin/knowledge/article/{corpus.passwords.pk}/change/"'

    client.force_login(world.admin)
    assert edit in client.get(url).content.decode()
    for user in (world.engineer, world.acme_user):
        client.force_login(user)
        assert edit not in client.get(url).content.decode()


def test_the_article_list_is_paged_and_filtered_by_kind(client, world):
    for n in range(55):
        write(world, title=f"Manual {n:02d}", body="Text.", kind="training", slug=f"m-{n}")
    write(world, title="A how-to", body="Text.")
    client.force_login(world.acme_user)

    first = client.get(reverse("knowledge:index"), {"kind": "training"}).content.decode()
    second = client.get(reverse("knowledge:index"), {"kind": "training", "page": 2}).content
    second = second.decode()

    assert first.count("Manual ") == 50
    assert "A how-to" not in first
    assert "Page 1 of 2" in first
    assert '<a href="?page=2&amp;kind=training">Next →</a>' in first
    assert second.count("Manual ") == 5
