"""Read one RFC 5322 message as robustly as the stdlib allows (policy=email.policy.default).

Nothing here touches the database. Every header read and every part decode has a fallback,
so a malformed message (bad boundaries, unknown charsets, broken encoded words, missing
headers, deep nesting) still yields the best text that can be decoded, with the problems
listed in `defects`; only a message with no header at all is refused (`Unparseable`).
"""

from __future__ import annotations

import datetime as dt
import email
import email.header
import email.policy
import email.utils
import hashlib
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

import nh3

MAX_DEPTH = 20
MAX_PARTS = 200
TRACE_HEADERS = frozenset(
    {"received", "return-path", "delivered-to", "x-original-to", "authentication-results"}
)


class Unparseable(ValueError):
    """Not an email at all (no header section)."""


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    date: dt.datetime | None
    in_reply_to: list[str]
    references: list[str]
    text: str
    html: str
    attachments: list[Attachment]
    content_hash: str
    headers: dict[str, str]
    return_path: str
    content_types: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _header(msg: Message, name: str, defects: list[str]) -> str:
    try:
        value = msg.get(name)
        return "" if value is None else str(value)
    except Exception as exc:  # the stdlib's header parser has failure modes of its own
        defects.append(f"header {name}: {type(exc).__name__}")
    raw = msg.get_all(name, failobj=[]) if hasattr(msg, "get_all") else []
    try:
        parts = email.header.decode_header(str(raw[0])) if raw else []
        return "".join(
            p.decode(c or "utf-8", errors="replace") if isinstance(p, bytes) else p
            for p, c in parts
        )
    except Exception:
        return ""


_ID_RE = re.compile(r"<[^<>\s]+>")


def _ids(value: str) -> list[str]:
    return _ID_RE.findall(value or "")


def _decode(part: Message, defects: list[str]) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
        if isinstance(content, str):
            return content
    except Exception as exc:  # unknown charset, bad transfer encoding...
        defects.append(f"{part.get_content_type()}: {type(exc).__name__}: {exc}"[:200])
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload() or "")
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def html_to_text(source: str) -> str:
    """The text of an HTML body. Block ends become line breaks; scripts, styles and every
    tag go (nh3); nothing remote is ever fetched."""
    marked = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6])\s*>", "\n", source)
    stripped = nh3.clean(marked, tags=set())
    text = html.unescape(stripped)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines()))


def sanitise_html(source: str) -> str:
    """HTML safe to show: nh3's allow-list, without images (no remote fetches)."""
    tags = set(nh3.ALLOWED_TAGS) - {"img"}
    return nh3.clean(source, tags=tags)


def _walk(msg: Message, depth: int, defects: list[str], out: list[tuple[Message, bool]]) -> None:
    if len(out) >= MAX_PARTS:
        defects.append(f"more than {MAX_PARTS} parts: the rest is only in the raw message")
        return
    if depth > MAX_DEPTH:
        defects.append(f"nested deeper than {MAX_DEPTH}: inner parts only in the raw message")
        return
    if msg.is_multipart():
        payload = msg.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            if isinstance(sub, Message):
                _walk(sub, depth + 1, defects, out)
        return
    out.append((msg, depth == 0))


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    return re.sub(r"[\x00-\x1f]", "", name)[:200]


def content_hash(raw: bytes) -> str:
    """The same message fetched twice hashes the same even if the path it came by added
    trace headers (Received, Return-Path...)."""
    head, sep, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    kept = []
    current_trace = False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not current_trace:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower().decode("ascii", "replace")
        current_trace = name in TRACE_HEADERS
        if not current_trace:
            kept.append(line)
    return hashlib.sha256(b"\n".join(kept) + sep + body).hexdigest()


def parse(raw: bytes) -> ParsedMail:
    if not raw.strip():
        raise Unparseable("empty input")
    defects: list[str] = []
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:
        raise Unparseable(f"{type(exc).__name__}: {exc}") from exc
    if not msg.keys():
        raise Unparseable("no header section")
    defects.extend(type(d).__name__ for d in msg.defects)

    headers = {name.lower(): _header(msg, name, defects) for name in dict.fromkeys(msg.keys())}
    try:
        pairs = email.utils.getaddresses([headers.get("from", "")])
    except Exception:
        pairs = []
    sender_name, sender = next(((n, a) for n, a in pairs if "@" in a), ("", ""))
    if not sender:
        defects.append("no usable From address")
    date = None
    try:
        date = (
            email.utils.parsedate_to_datetime(headers.get("date", ""))
            if headers.get("date")
            else None
        )
        if date is not None and date.tzinfo is None:
            date = date.replace(tzinfo=dt.UTC)
    except Exception:
        defects.append("unreadable Date")

    parts: list[tuple[Message, bool]] = []
    try:
        _walk(msg, 0, defects, parts)
    except RecursionError:
        defects.append("nesting too deep to read")
    text = ""
    html_body = ""
    attachments: list[Attachment] = []
    content_types = [msg.get_content_type()]
    for part, _top in parts:
        ctype = part.get_content_type()
        content_types.append(ctype)
        try:
            disposition = part.get_content_disposition()
        except Exception:
            disposition = None
        name = _filename(part)
        if ctype == "text/plain" and disposition != "attachment" and not name and not text:
            text = _decode(part, defects)
        elif ctype == "text/html" and disposition != "attachment" and not name and not html_body:
            html_body = _decode(part, defects)
        elif name or disposition == "attachment" or not ctype.startswith("text/"):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes) and data:
                attachments.append(Attachment(name or "attachment", ctype, data))
    if not text and html_body:
        text = html_to_text(html_body)
    return ParsedMail(
        message_id=(_ids(headers.get("message-id", "")) or [""])[0][:300],
        sender=sender.strip().lower()[:254],
        sender_name=sender_name,
        subject=" ".join(headers.get("subject", "").split())[:300],
        date=date,
        in_reply_to=_ids(headers.get("in-reply-to", "")),
        references=_ids(headers.get("references", "")),
        text=text.replace("\r\n", "\n").strip(),
        html=sanitise_html(html_body) if html_body else "",
        attachments=attachments,
        content_hash=content_hash(raw),
        headers=headers,
        return_path=headers.get("return-path", ""),
        content_types=content_types,
        defects=defects,
    )
