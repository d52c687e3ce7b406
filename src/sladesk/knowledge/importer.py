"""Reading Markdown manuals for `sladesk kb import`: front matter, title, images.

Front matter is an optional block at the top of the file between two `---` lines, one
`key: value` per line (a small, strict subset of YAML; no new dependency):

    ---
    title: Resetting an agent's password
    kind: how_to            # how_to, known_issue, release_note, training
    product: CallScripter
    module: Agent Desktop
    versions: 5.1, 5.2
    visibility: public      # public or internal
    state: published        # published or draft
    slug: reset-password
    workaround: ...         # known issues
    ---
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

KEYS = frozenset(
    {"title", "kind", "product", "module", "versions", "visibility", "state", "slug", "workaround"}
)
_IMAGE = re.compile(r"(!\[[^\]]*\]\()([^)\s]+)(\))")


class ImportFileError(ValueError):
    pass


@dataclass
class Manual:
    path: Path
    relative: str
    meta: dict[str, str]
    title: str
    body: str
    images: list[tuple[str, Path]] = field(default_factory=list)  # (name, file)


def front_matter(text: str) -> tuple[dict[str, str], str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, text
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return meta, "\n".join(lines[number:])
        content = line.split(" #", 1)[0].strip()
        if not content or content.startswith("#"):
            continue
        key, sep, value = content.partition(":")
        key = key.strip().lower()
        if not sep:
            raise ImportFileError(f'line {number}: "{line.strip()}" is not "key: value"')
        if key not in KEYS:
            raise ImportFileError(
                f'line {number}: unknown key "{key}" (known: {", ".join(sorted(KEYS))})'
            )
        meta[key] = value.strip().strip("\"'")
    raise ImportFileError("the front matter starting on line 1 has no closing ---")


def read_manual(path: Path, root: Path) -> Manual:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFileError("is not UTF-8 text") from exc
    meta, body = front_matter(text)
    title = meta.get("title", "")
    if not title:
        # The first "# Heading" is the title, and leaves the body.
        lines = body.splitlines()
        for index, line in enumerate(lines):
            if line.strip():
                if line.startswith("# "):
                    title = line[2:].strip()
                    body = "\n".join(lines[index + 1 :])
                break
    title = title or path.stem.replace("-", " ").replace("_", " ").capitalize()
    if not body.strip():
        raise ImportFileError("has no text after its title")
    images: list[tuple[str, Path]] = []

    def attach(match: re.Match[str]) -> str:
        target = match.group(2)
        if "://" in target or target.startswith(("/", "files/", "#", "mailto:")):
            return match.group(0)
        local = (path.parent / target).resolve()
        if not local.is_file():
            raise ImportFileError(f'refers to the image "{target}", which is not there')
        name = local.name
        if (name, local) not in images:
            images.append((name, local))
        return f"{match.group(1)}files/{name}{match.group(3)}"

    body = _IMAGE.sub(attach, body)
    relative = path.relative_to(root).as_posix() if path != root else path.name
    return Manual(path=path, relative=relative, meta=meta, title=title, body=body, images=images)


def manual_paths(target: Path) -> list[Path]:
    if target.is_file():
        return [target]
    return sorted(p for p in target.rglob("*") if p.suffix.lower() in {".md", ".markdown"})
