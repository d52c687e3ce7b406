"""Ranked, typo-tolerant article search on PostgreSQL and SQLite (ADR 0013).

The steps are the same on both databases; only the ranking query differs:

1. The query is cut into words (letters and digits), English stop words dropped.
2. Words the corpus does not contain are corrected against the vocabulary of the articles
   the viewer may see (edit distance 1, or 2 for words of 6 letters or more); the
   correction is searched for alongside the word as typed.
3. The viewer's articles are ranked, any word matching (OR), title above body:
   PostgreSQL: the stored tsvector (title weight A, body weight B) with `SearchRank`,
   through the GIN index; SQLite: the FTS5 table with bm25, title weighted 4 to 1.
4. The version filter (`selectors.VersionFilter`) drops articles for other versions.
5. Snippets are cut from the matching article's own plain text, so they can only quote an
   article that passed the visibility filter.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sladesk.knowledge import selectors
from sladesk.knowledge.models import Article, State, Visibility

FTS_TABLE = "knowledge_article_fts"
SQLITE_WEIGHTS = (4.0, 1.0)  # title, body
PG_CONFIG = "english"
# Enough candidates for the version filter to still fill a page of results.
CANDIDATES = 200

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP_TEXT = """a an and are as at be been but by can cannot could did do does doing for from
had has have having he her here him his how i if in into is it its me my no nor not of off on
once only or our out own same she should so some such than that the their them then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def words(text: str) -> list[str]:
    """The query's words, lower case, without stop words or repeats, in order."""
    seen: list[str] = []
    for word in _WORD.findall((text or "").lower()):
        if len(word) >= 2 and word not in STOP_WORDS and word not in seen:
            seen.append(word)
    return seen[:30]


# ------------------------------------------------------------------------- vocabulary

_vocabularies: dict[tuple[Any, ...], Counter[str]] = {}


def vocabulary(public_only: bool) -> Counter[str]:
    """Each word of the published articles and how many articles hold it.

    Customers get the vocabulary of public articles only, so a correction can never reveal
    a word that appears only in an internal article. Cached for as long as the articles are
    unchanged (the key is their count, latest change and highest id, read on each call;
    saving an article also clears this process's cache).
    """
    articles = Article.objects.filter(state=State.PUBLISHED)
    if public_only:
        articles = articles.filter(visibility=Visibility.PUBLIC)
    stamp = articles.aggregate(latest=Max("updated_at"), last=Max("id"), n=Count("id"))
    key = (public_only, stamp["n"], stamp["latest"], stamp["last"])
    if key not in _vocabularies:
        counts: Counter[str] = Counter()
        for title, body in articles.values_list("title", "body_text"):
            counts.update(set(words(f"{title} {body}")))
        if len(_vocabularies) > 8:
            _vocabularies.clear()
        _vocabularies[key] = counts
    return _vocabularies[key]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts once), or limit + 1
    as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def correct(word: str, vocab: Counter[str]) -> str | None:
    """The closest vocabulary word to a word the corpus lacks, or None.

    Ties go to the word more articles hold, then alphabetical order, so the answer is the
    same on every run and database. Numbers and very short words are never corrected.
    """
    if word in vocab or len(word) < 4 or word.isdigit():
        return None
    # Another form of a word the corpus holds ("reset" for "resets", "printers" for
    # "printer") is found by the stemmer: not a typo.
    if any(v.startswith(word) or (len(v) >= 4 and word.startswith(v)) for v in vocab):
        return None
    limit = 1 if len(word) < 6 else 2
    best: tuple[int, int, str] | None = None
    for candidate, count in vocab.items():
        if abs(len(candidate) - len(word)) > limit or (candidate[0] != word[0] and limit == 1):
            continue
        distance = edit_distance(word, candidate, limit)
        if distance <= limit:
            rank = (distance, -count, candidate)
            if best is None or rank < best:
                best = rank
    return best[2] if best else None


# ------------------------------------------------------------------------- ranking


def _rank_postgresql(
    candidates: QuerySet[Article], terms: Sequence[str]
) -> list[tuple[int, float]]:
    # Terms are letters and digits only (see `words`), so joining them with | is a valid
    # tsquery; to_tsquery stems each one with the English configuration.
    query = SearchQuery(" | ".join(terms), search_type="raw", config=PG_CONFIG)
    rows = (
        candidates.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "title", "id")
        .values_list("id", "rank")[:CANDIDATES]
    )
    return [(pk, float(rank)) for pk, rank in rows]


def _rank_sqlite(candidates: QuerySet[Article], terms: Sequence[str]) -> list[tuple[int, float]]:
    match = " OR ".join(f'"{term}"' for term in terms)
    allowed_sql, allowed_params = candidates.order_by().values("id").query.sql_with_params()
    # Joined rather than `rowid IN (...)`: SQLite re-runs an IN subquery beside a MATCH
    # (about 5x slower measured on 2,000 articles, see docs/knowledge.md).
    sql = (
        f"SELECT f.rowid, bm25({FTS_TABLE}, %s, %s) AS score FROM {FTS_TABLE} f "
        f"JOIN ({allowed_sql}) allowed ON allowed.id = f.rowid "
        f"WHERE {FTS_TABLE} MATCH %s ORDER BY score, f.rowid LIMIT {CANDIDATES}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*SQLITE_WEIGHTS, *allowed_params, match])
        return [(pk, -float(score)) for pk, score in cursor.fetchall()]


def rank(candidates: QuerySet[Article], terms: Sequence[str]) -> list[tuple[int, float]]:
    if not terms:
        return []
    if connection.vendor == "postgresql":
        return _rank_postgresql(candidates, terms)
    return _rank_sqlite(candidates, terms)


def index_article(article: Article) -> None:
    """Bring the article's search entry up to date. Called by the actions that save it."""
    # This process forgets its vocabularies at once; others notice the changed key.
    _vocabularies.clear()
    if connection.vendor == "postgresql":
        vector = SearchVector(Value(article.title), weight="A", config=PG_CONFIG) + SearchVector(
            Value(article.body_text), weight="B", config=PG_CONFIG
        )
        Article.objects.filter(pk=article.pk).update(search_vector=vector)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article.pk])
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
            [article.pk, article.title, article.body_text],
        )


def unindex_article(article_id: int) -> None:
    _vocabularies.clear()
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article_id])


# ------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    snippet: SafeString


@dataclass(frozen=True)
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    # The words corrected, as {typed: corrected}; shown as "also searched for".
    corrections: dict[str, str] = field(default_factory=dict)


def _stem(term: str) -> str:
    # A crude common prefix for highlighting ("printing" marks "printer"); matching itself
    # is the database's stemmer.
    return term if len(term) <= 4 else term[: max(4, len(term) - 3)]


def snippet(text: str, terms: Iterable[str], width: int = 180) -> SafeString:
    """An escaped extract of `text` around the first matching word, matches in <mark>."""
    stems = sorted({_stem(t) for t in terms}, key=len, reverse=True)
    if not text:
        return mark_safe("")
    pattern = re.compile(r"\b(" + "|".join(re.escape(s) for s in stems) + r")\w*", re.I)
    found = pattern.search(text) if stems else None
    start = max(0, found.start() - width // 3) if found else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    extract = text[start : start + width]
    parts: list[str] = ["…" if start else ""]
    last = 0
    for match in pattern.finditer(extract) if stems else ():
        parts.append(escape(extract[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(extract[last:]))
    if start + width < len(text):
        parts.append("…")
    return mark_safe(" ".join("".join(parts).split()))


def _words_found(article: Article, typed: Sequence[str], corrections: dict[str, str]) -> int:
    """How many of the typed words (or their corrections) the article holds, judged like
    the snippet's highlighting (a common prefix), in its title or body."""
    text = f"{article.title}\n{article.body_text}"
    found = 0
    for word in typed:
        forms = [word] + ([corrections[word]] if word in corrections else [])
        if any(re.search(r"\b" + re.escape(_stem(f)), text, re.I) for f in forms):
            found += 1
    return found


def search(
    user: Any,
    text: str,
    *,
    version: str = "",
    module: Any = None,
    limit: int = 10,
    min_share: float = 0.0,
) -> Results:
    """The articles the user may read that best match `text`, best first.

    `min_share` drops articles holding less than that share of the typed words: the portal's
    suggestions use it, because a fault's description is long and any one common word would
    otherwise bring in unrelated articles.
    """
    typed = words(text)
    if not typed:
        return Results(query=text)
    vocab = vocabulary(public_only=not selectors.is_helpdesk(user))
    corrections = {w: c for w in typed if (c := correct(w, vocab))}
    terms = [*typed, *(c for c in corrections.values() if c not in typed)]
    candidates = selectors.searchable_by(user)
    if module is not None:
        candidates = candidates.filter(
            Q(module=module)
            | Q(module__isnull=True, product=module.product_id)
            | Q(module__isnull=True, product__isnull=True)
        )
    ranked = rank(candidates, terms)
    needed = math.ceil(len(typed) * min_share) if min_share else 0
    keep = selectors.VersionFilter(user, version)
    hits: list[Hit] = []
    # Articles are loaded a few at a time, best first, until the page is full: a page
    # needs `limit` of them, not every candidate (nor their stored vectors).
    step = max(2 * limit, 20)
    for first in range(0, len(ranked), step):
        chunk = ranked[first : first + step]
        found = (
            Article.objects.select_related("product")
            .defer("search_vector", "body")
            .in_bulk([pk for pk, _ in chunk])
        )
        for pk, score in chunk:
            article = found.get(pk)
            if article is None or not keep.keeps(article):
                continue
            if needed and _words_found(article, typed, corrections) < needed:
                continue
            hits.append(Hit(article, score, snippet(article.body_text, terms)))
            if len(hits) >= limit:
                return Results(query=text, hits=hits, corrections=corrections)
    return Results(query=text, hits=hits, corrections=corrections)
