"""The portal's knowledge-base suggester (registered in `SLADESK_KB_SUGGESTERS`).

It returns `sladesk.portal.knowledge.Suggestion` items carrying the article's id, so the
portal can offer "this solved it" and count what was shown. The summary is the search
snippet as plain text: it quotes only the article suggested, which the customer may read.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.html import strip_tags

from sladesk.knowledge.search import search
from sladesk.portal.knowledge import Suggestion

# A suggestion must hold at least this share of the words typed (stop words aside).
MIN_SHARE = 0.3


@dataclass(frozen=True)
class ArticleSuggestion(Suggestion):
    article_id: int = 0
    slug: str = ""
    kind: str = ""


def suggest(*, user: Any, text: str, limit: int) -> list[Suggestion]:
    results = search(user, text, limit=limit, min_share=MIN_SHARE)
    return [
        ArticleSuggestion(
            title=hit.article.title,
            url=reverse("knowledge:article", args=[hit.article.slug]),
            summary=html.unescape(strip_tags(str(hit.snippet))),
            article_id=hit.article.pk,
            slug=hit.article.slug,
            kind=hit.article.get_kind_display(),
        )
        for hit in results.hits
    ]
