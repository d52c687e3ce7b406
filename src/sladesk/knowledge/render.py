"""Article bodies: Markdown rendered by markdown-it-py, then sanitised by nh3.

Raw HTML in the Markdown is not rendered (it shows as text), and nh3 keeps only an
allow-list of tags afterwards, so neither a careless author nor an imported manual can put
script on a customer's page. Images and file links are written `files/<name>` and point at
the article's permission-checked file view; any other image source is dropped, so a page
never fetches anything from elsewhere (the CSP's `img-src 'self'` agrees).
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import nh3
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
FILE_PREFIX = "files/"


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


_MD = _markdown()
# The page already has its <h1> (the title): article headings start one level lower.
_HEADING = re.compile(r"<(/?)h([1-6])>")


def _demote(match: re.Match[str]) -> str:
    level = min(int(match.group(2)) + 1, 6)
    return f"<{match.group(1)}h{level}>"


def file_url(slug: str, name: str) -> str:
    return reverse("knowledge:file", args=[slug, name])


def render_body(slug: str, body: str) -> SafeString:
    """The body as safe HTML for the article page."""
    raw = _HEADING.sub(_demote, _MD.render(body or ""))

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute in {"src", "href"} and value.startswith(FILE_PREFIX):
            return file_url(slug, quote(value[len(FILE_PREFIX) :], safe=""))
        if tag == "img" and attribute == "src":
            return None
        return value

    cleaned = nh3.clean(
        raw,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=keep,
    )
    return mark_safe(cleaned)


def plain_text(body: str) -> str:
    """The words of the body without Markdown or markup: what search indexes and quotes."""
    stripped = nh3.clean(_MD.render(body or ""), tags=set())
    lines = (" ".join(line.split()) for line in html.unescape(stripped).splitlines())
    return "\n".join(line for line in lines if line)
