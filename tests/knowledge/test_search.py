"""Search over the fixed corpus (tests/knowledge/conftest.py): ranking, typos, version and
product filtering, and visibility. The same tests run on SQLite (FTS5) and PostgreSQL
(weighted tsvector)."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse

from sladesk.knowledge.models import Article, InstalledVersion
from sladesk.knowledge.search import correct, edit_distance, search, snippet, words


def titles(results):
    return [hit.article.title for hit in results.hits]


def test_the_search_index_is_the_one_for_this_database(corpus):
    if connection.vendor == "postgresql":
        stored = Article.objects.exclude(search_vector=None).count()
        assert stored == Article.objects.count()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'knowledge_article_search_gin'"
            )
            assert "USING gin (search_vector)" in cursor.fetchone()[0]
        # The title is weighted A and the body B in the stored vector.
        vector = Article.objects.values_list("search_vector", flat=True).get(pk=corpus.printer.pk)
        # "Setting up call recording" / "... choose the printer ...".
        assert "'record':4A,5B" in str(vector)
        assert "'printer':17B" in str(vector)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM knowledge_article_fts")
            assert cursor.fetchone()[0] == Article.objects.count()
            cursor.execute(
                "SELECT title, body FROM knowledge_article_fts WHERE rowid = %s",
                [corpus.printer.pk],
            )
            assert cursor.fetchone() == (corpus.printer.title, corpus.printer.body_text)


def test_a_title_match_ranks_above_a_body_only_match(world, corpus):
    results = search(world.acme_user, "blank page")

    assert titles(results) == ["Blank script page after upgrading", "Release notes 5.2"]
    assert results.hits[0].score > results.hits[1].score


def test_an_article_matching_more_of_the_words_ranks_first(world, corpus):
    results = search(world.operator, "print transcript recordings password")

    assert titles(results) == ["Setting up call recording", "Resetting an agent's password"]


def test_word_forms_match_through_the_stemmer(world, corpus):
    assert titles(search(world.acme_user, "exporting reports")) == ["Exporting a report to Excel"]


def test_a_misspelt_word_is_corrected_against_the_articles_vocabulary(world, corpus):
    results = search(world.acme_user, "pasword reset")

    assert results.corrections == {"pasword": "password"}
    assert titles(results) == ["Resetting an agent's password"]


def test_two_typos_in_a_long_word_are_still_found(world, corpus):
    results = search(world.acme_user, "recrdings transcrpt")

    assert results.corrections == {"recrdings": "recordings", "transcrpt": "transcript"}
    assert titles(results) == ["Setting up call recording"]


def test_an_explicit_version_keeps_only_articles_for_that_version(world, corpus):
    assert titles(search(world.acme_user, "blank page", version="5.1")) == [
        "Blank script page after upgrading"
    ]
    assert titles(search(world.acme_user, "blank page", version="5.2.3")) == ["Release notes 5.2"]
    assert titles(search(world.acme_user, "blank page", version="6.0")) == ["Release notes 5.2"]


def test_the_companys_installed_versions_filter_articles_for_other_versions(world, corpus):
    InstalledVersion.objects.create(company=world.acme, module=world.desktop, version="5.2")

    assert titles(search(world.acme_user, "blank page")) == ["Release notes 5.2"]
    # Bluebell has no installed versions recorded: nothing is hidden from it.
    assert titles(search(world.bluebell_user, "blank page")) == [
        "Blank script page after upgrading",
        "Release notes 5.2",
    ]


def test_customers_see_only_their_companys_products_and_general_articles(world, corpus):
    assert titles(search(world.acme_user, "excel")) == ["Exporting a report to Excel"]
    # Bluebell's contract covers Agent Desktop only; Corvid's was never signed.
    assert titles(search(world.bluebell_user, "excel")) == []
    assert titles(search(world.corvid_user, "password printer")) == ["Setting up call recording"]


def test_internal_articles_and_drafts_never_reach_customers(world, corpus):
    for customer in (world.acme_user, world.bluebell_user):
        results = search(customer, "zanzibar gateway sessions")
        assert titles(results) == []
        assert results.corrections == {}
        # A near miss is not corrected to a word only an internal article holds.
        assert search(customer, "zanzibr").corrections == {}
        assert "Draft: blank page on script load" not in titles(search(customer, "blank page"))

    staff = search(world.operator, "zanzibar")
    assert titles(staff) == ["Zanzibar gateway drops agent sessions"]
    assert "Draft: blank page on script load" not in titles(search(world.operator, "blank"))


def test_snippets_quote_only_the_article_found(world, corpus, client):
    client.force_login(world.acme_user)

    page = client.get(reverse("knowledge:index"), {"q": "restart agent sessions"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Resetting an agent&#x27;s password" in html
    assert "zanzibar" not in html.lower()
    assert "gateway" not in html.lower()


def test_snippets_mark_the_matching_words_and_escape_the_text():
    text = "Before: <script>x</script> the printer jams when printing & stops."

    result = str(snippet(text, ["printer", "print"]))

    assert "<script>" not in result
    assert "&lt;script&gt;" in result
    assert "<mark>printer</mark>" in result
    assert "<mark>printing</mark>" in result


def test_query_words_drop_stop_words_repeats_and_punctuation():
    assert words("The printer, the PRINTER; and a page-break!") == ["printer", "page", "break"]


def test_edit_distance_counts_a_swap_of_neighbours_once():
    assert edit_distance("pasword", "password", 2) == 1
    assert edit_distance("pritner", "printer", 2) == 1
    assert edit_distance("abc", "xyz", 1) == 2


def test_corrections_prefer_the_closest_then_the_commonest_word():
    from collections import Counter

    vocab = Counter({"printer": 3, "printed": 1, "pointer": 5})

    assert correct("printr", vocab) == "printer"
    assert correct("printer", vocab) is None
    assert correct("2024", vocab) is None
    assert correct("xyzzy", vocab) is None


def test_a_snippet_reads_as_the_text_does():
    text = "The browser keeps the old script bundle,\nso agents see a blank page."

    assert str(snippet(text, ["blank"])) == (
        "The browser keeps the old script bundle, so agents see a <mark>blank</mark> page."
    )


def test_a_product_wide_article_follows_the_versions_of_any_of_the_products_modules(world):
    from sladesk.knowledge.actions import save_article

    save_article(
        actor=world.engineer,
        title="Licence server upgrade",
        body="Upgrade the licence server before the clients.",
        product=world.desktop.product,
        versions="5.1",
        state="published",
    )
    InstalledVersion.objects.create(company=world.acme, module=world.reports, version="5.2")

    assert titles(search(world.acme_user, "licence")) == []
    assert titles(search(world.bluebell_user, "licence")) == ["Licence server upgrade"]
    InstalledVersion.objects.create(company=world.acme, module=world.desktop, version="5.1.3")
    assert titles(search(world.acme_user, "licence")) == ["Licence server upgrade"]


def test_a_word_typed_without_its_accent_finds_the_accented_one_on_both_databases(world):
    from sladesk.knowledge.actions import save_article

    save_article(
        actor=world.engineer,
        title="Café menus in scripts",
        body="Scripts for the café chain show the menu.",
        state="published",
    )

    assert titles(search(world.acme_user, "cafe")) == ["Café menus in scripts"]
    assert titles(search(world.acme_user, "café")) == ["Café menus in scripts"]
