"""Authoring in the admin: saving an article indexes it at once, files get their type and
size, a bad version spec is refused on the form, and the change is audited."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sladesk.audit.models import AuditEvent
from sladesk.knowledge.models import Article, ArticleFile
from sladesk.knowledge.search import search


def _form(world, **overrides):
    data = {
        "slug": "headset-setup",
        "title": "Setting up a USB headset",
        "body": "Plug the headset in, then choose it under **Audio**.\n\n![Audio](files/audio.png)",
        "kind": "how_to",
        "workaround": "",
        "product": str(world.desktop.product.pk),
        "module": str(world.desktop.pk),
        "versions": "5.1-5.2",
        "visibility": "public",
        "state": "published",
        "review_on": "2026-09-01",
        "files-TOTAL_FORMS": "1",
        "files-INITIAL_FORMS": "0",
        "files-MIN_NUM_FORMS": "0",
        "files-MAX_NUM_FORMS": "1000",
        "files-0-name": "audio.png",
        "files-0-file": SimpleUploadedFile("audio.png", b"\x89PNG audio", "image/png"),
    }
    data.update(overrides)
    return data


def test_an_administrator_writes_an_article_with_an_image_in_the_admin(client, world):
    client.force_login(world.admin)

    response = client.post(reverse("admin:knowledge_article_add"), _form(world))

    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.author, article.state, article.versions) == (
        world.admin,
        "published",
        "5.1-5.2",
    )
    assert article.published_at is not None
    assert article.body_text.startswith("Plug the headset in, then choose it under Audio.")
    stored = ArticleFile.objects.get()
    assert (stored.name, stored.content_type, stored.size, stored.uploaded_by) == (
        "audio.png",
        "image/png",
        10,
        world.admin,
    )
    assert [h.article for h in search(world.acme_user, "headset").hits] == [article]
    assert AuditEvent.objects.filter(action="admin.added", subject_id=str(article.pk)).exists()


def test_the_admin_refuses_a_bad_version_spec_and_saves_nothing(client, world):
    client.force_login(world.admin)

    response = client.post(reverse("admin:knowledge_article_add"), _form(world, versions="5.2-5.1"))

    assert response.status_code == 200
    assert "&quot;5.2-5.1&quot; ends before it starts" in response.content.decode()
    assert Article.objects.count() == 0
    assert ArticleFile.objects.count() == 0


def test_editing_in_the_admin_reindexes_the_article(client, world):
    client.force_login(world.admin)
    client.post(reverse("admin:knowledge_article_add"), _form(world))
    article = Article.objects.get()

    response = client.post(
        reverse("admin:knowledge_article_change", args=[article.pk]),
        _form(
            world,
            title="Setting up a Bluetooth earpiece",
            body="Pair the earpiece first.",
            **{
                "files-TOTAL_FORMS": "1",
                "files-INITIAL_FORMS": "1",
                "files-0-id": str(ArticleFile.objects.get().pk),
                "files-0-article": str(article.pk),
                "files-0-file": "",
            },
        ),
    )

    assert response.status_code == 302
    assert search(world.acme_user, "headset").hits == []
    assert [h.article.title for h in search(world.acme_user, "earpiece").hits] == [
        "Setting up a Bluetooth earpiece"
    ]
