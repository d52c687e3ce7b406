"""Authors write and publish articles on /kb/: a draft from a ticket is reviewed and
published there; bad input lists every field and saves nothing, files included."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sladesk.knowledge.models import Article, ArticleFile
from sladesk.knowledge.search import search


def _form(world, **overrides):
    data = {
        "title": "Headset crackles on calls",
        "slug": "",
        "body": "Update the headset driver.\n\n![Driver](files/driver.png)",
        "kind": "known_issue",
        "workaround": "Use the other USB port.",
        "applies_to": f"m:{world.desktop.pk}",
        "versions": "5.1, 5.2",
        "visibility": "public",
        "state": "published",
        "review_on": "2026-12-01",
    }
    data.update(overrides)
    return data


def test_an_engineer_writes_and_publishes_an_article_with_an_image(client, world):
    client.force_login(world.engineer)
    image = SimpleUploadedFile("driver.png", b"\x89PNG drv", content_type="image/png")

    response = client.post(reverse("knowledge:new"), {**_form(world), "files": [image]})

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/kb/articles/headset-crackles-on-calls/"
    assert (article.module, article.product, article.versions, article.kind) == (
        world.desktop,
        world.desktop.product,
        "5.1, 5.2",
        "known_issue",
    )
    assert (article.author, article.state, str(article.review_on)) == (
        world.engineer,
        "published",
        "2026-12-01",
    )
    assert ArticleFile.objects.get().name == "driver.png"
    page = client.get(response["Location"]).content.decode()
    image_tag = '<img src="/kb/articles/headset-crackles-on-calls/files/driver.png" alt="Driver">'
    assert image_tag in page
    assert [h.article for h in search(world.acme_user, "headset crackles").hits] == [article]


def test_a_draft_is_published_from_its_edit_page(client, world):
    client.force_login(world.engineer)
    client.post(reverse("knowledge:new"), _form(world, state="draft", visibility="internal"))
    article = Article.objects.get()
    assert search(world.acme_user, "headset").hits == []

    form = client.get(reverse("knowledge:edit", args=[article.slug])).content.decode()
    response = client.post(
        reverse("knowledge:edit", args=[article.slug]),
        _form(world, slug=article.slug, title="Headset crackles", state="published"),
    )

    assert 'name="state" value="draft" checked' in form
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.state, article.visibility) == (
        "Headset crackles",
        "published",
        "public",
    )
    assert article.published_at is not None
    assert [h.article for h in search(world.acme_user, "headset").hits] == [article]


def test_bad_input_lists_every_field_keeps_what_was_typed_and_saves_nothing(client, world):
    client.force_login(world.engineer)
    empty = SimpleUploadedFile("empty.png", b"", content_type="image/png")

    response = client.post(
        reverse("knowledge:new"),
        {
            **_form(
                world,
                title="Kept title",
                body="",
                versions="5.x",
                applies_to="m:999999",
                review_on="soon",
            ),
            "files": [empty],
        },
    )

    html = response.content.decode()
    assert response.status_code == 422
    for message in (
        "Write the article&#x27;s body",
        "&quot;5.x&quot; is not a version number such as 5.2",
        "Choose a product or module from the list",
        "Give the review date as a date",
    ):
        assert message in html
    assert 'value="Kept title"' in html
    assert Article.objects.count() == 0
    assert ArticleFile.objects.count() == 0


def test_an_empty_file_rolls_back_the_article_it_came_with(client, world):
    client.force_login(world.engineer)
    empty = SimpleUploadedFile("empty.png", b"", content_type="image/png")

    response = client.post(reverse("knowledge:new"), {**_form(world), "files": [empty]})

    assert response.status_code == 422
    assert "Empty.png is empty" in response.content.decode()
    assert Article.objects.count() == 0


def test_operators_and_customers_cannot_write_articles(client, world):
    for user in (world.operator, world.acme_user):
        client.force_login(user)
        assert client.get(reverse("knowledge:new")).status_code == 403
        assert client.post(reverse("knowledge:new"), _form(world)).status_code == 403
    assert Article.objects.count() == 0
