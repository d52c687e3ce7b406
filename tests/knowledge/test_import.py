"""`sladesk kb import`: Markdown manuals with front matter, images, a progress bar on stderr,
re-import updates instead of duplicating, and bad files named with nothing imported."""

from __future__ import annotations

import io
import textwrap

import pytest
from django.core.management import CommandError, call_command

from sladesk.knowledge.models import Article, ArticleFile
from sladesk.knowledge.search import search


def _manuals(tmp_path):
    folder = tmp_path / "manuals"
    (folder / "desktop" / "img").mkdir(parents=True)
    (folder / "desktop" / "img" / "login.png").write_bytes(b"\x89PNG login")
    (folder / "desktop" / "login.md").write_text(
        textwrap.dedent(
            """\
            ---
            title: Signing in to Agent Desktop
            kind: training
            module: Agent Desktop
            versions: 5.1, 5.2
            ---
            Type your user name and password, then press **Sign in**.

            ![The sign-in screen](img/login.png)
            """
        ),
        encoding="utf-8",
    )
    (folder / "general.md").write_text(
        "# Keyboard shortcuts\n\nPress F2 to answer a call and F4 to hang up.\n",
        encoding="utf-8",
    )
    (folder / "notes.txt").write_text("not a manual", encoding="utf-8")
    return folder


def _import(path, author="ed@helpdesk.example", **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("kb", "import", str(path), "--author", author, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_a_folder_of_manuals_is_imported_with_a_progress_bar(world, tmp_path):
    out, err = _import(_manuals(tmp_path))

    assert out == "Imported 2 article(s): 2 new, 0 updated.\n"
    assert "Importing: 100%" in err
    assert "2/2" in err
    login = Article.objects.get(source_path="desktop/login.md")
    assert (login.title, login.kind, login.module, login.product, login.versions) == (
        "Signing in to Agent Desktop",
        "training",
        world.desktop,
        world.desktop.product,
        "5.1, 5.2",
    )
    assert (login.state, login.visibility, login.slug, login.author) == (
        "published",
        "public",
        "desktop-login",
        world.engineer,
    )
    assert "![The sign-in screen](files/login.png)" in login.body
    stored = ArticleFile.objects.get(article=login)
    assert (stored.name, stored.content_type, stored.size) == ("login.png", "image/png", 10)
    general = Article.objects.get(source_path="general.md")
    assert (general.title, general.product, general.body) == (
        "Keyboard shortcuts",
        None,
        "Press F2 to answer a call and F4 to hang up.\n",
    )
    assert [h.article for h in search(world.acme_user, "shortcuts").hits] == [general]


def test_importing_again_updates_the_same_articles(world, tmp_path):
    folder = _manuals(tmp_path)
    _import(folder)
    first = set(Article.objects.values_list("pk", flat=True))
    (folder / "general.md").write_text(
        "# Keyboard shortcuts\n\nPress F5 to transfer a call.\n", encoding="utf-8"
    )

    out, _ = _import(folder)

    assert out == "Imported 2 article(s): 0 new, 2 updated.\n"
    assert set(Article.objects.values_list("pk", flat=True)) == first
    assert Article.objects.get(source_path="general.md").body == "Press F5 to transfer a call.\n"
    assert ArticleFile.objects.count() == 1
    assert [h.article.slug for h in search(world.acme_user, "transfer").hits] == ["general"]
    assert search(world.acme_user, "hang up").hits == []


def test_a_single_file_can_be_imported_as_a_draft(world, tmp_path):
    folder = _manuals(tmp_path)

    _import(folder / "general.md", state="draft", visibility="internal", no_progress=True)

    article = Article.objects.get()
    assert (article.slug, article.state, article.visibility) == ("general", "draft", "internal")


def test_bad_files_are_each_named_and_nothing_is_imported(world, tmp_path):
    folder = _manuals(tmp_path)
    (folder / "broken.md").write_text("---\ntitle: Half\ncolour: red\n---\nBody\n")
    (folder / "wrong-module.md").write_text("---\nmodule: Telepathy\nversions: 5.x\n---\nBody\n")
    (folder / "unclosed.md").write_text("---\ntitle: Never closed\n")
    (folder / "not-yaml.md").write_text("---\ntitle: Fine\nJust a sentence\n---\nBody\n")
    (folder / "empty.md").write_text("# Only a title\n")
    (folder / "missing-image.md").write_text("# Pic\n\n![x](img/nowhere.png)\n")

    with pytest.raises(CommandError) as caught:
        _import(folder)

    assert str(caught.value) == (
        "nothing was imported; fix these files and run it again:\n"
        '  broken.md: line 3: unknown key "colour" (known: kind, module, product, slug, state, '
        "title, versions, visibility, workaround)\n"
        "  empty.md: has no text after its title\n"
        '  missing-image.md: refers to the image "img/nowhere.png", which is not there\n'
        '  not-yaml.md: line 3: "Just a sentence" is not "key: value"\n'
        "  unclosed.md: the front matter starting on line 1 has no closing ---\n"
        '  wrong-module.md: module: no module is called "Telepathy"\n'
        '  wrong-module.md: versions: "5.x" is not a version number such as 5.2'
    )
    assert Article.objects.count() == 0
    assert ArticleFile.objects.count() == 0


def test_the_author_must_exist_and_be_allowed_to_write(world, tmp_path):
    folder = _manuals(tmp_path)

    with pytest.raises(CommandError) as unknown:
        _import(folder, author="nobody@example.com")
    with pytest.raises(CommandError) as operator:
        _import(folder, author="olive@helpdesk.example")

    assert str(unknown.value) == "--author nobody@example.com: no such user"
    assert str(operator.value) == (
        "--author olive@helpdesk.example: a helpdesk operator may not manage_knowledge"
    )
    assert Article.objects.count() == 0


def test_sladesk_kb_works_through_the_console_script(world, tmp_path, capsys, monkeypatch):
    from django.db import connections

    from sladesk.cli import main

    # A command run from the command line closes the database connections when it ends;
    # the test's transaction lives on the connection, so it stays open here.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    folder = _manuals(tmp_path)

    assert main(["kb", "import", str(folder), "--author", "ed@helpdesk.example"]) == 0

    captured = capsys.readouterr()
    assert captured.out == "Imported 2 article(s): 2 new, 0 updated.\n"
    assert "Importing: 100%" in captured.err
    assert Article.objects.count() == 2
