"""`sladesk kb import PATH`: import Markdown manuals (a file or a folder of them).

Every file is read and checked first; if any is bad, the command names each bad file and
what is wrong with it, and saves nothing. Re-importing updates the articles imported from
the same files (same path under the folder, or same slug) instead of adding copies.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify
from tqdm import tqdm

from sladesk.accounts.models import User
from sladesk.core.errors import ActionPermissionDenied, ActionValidationError
from sladesk.customers.models import Module, Product
from sladesk.knowledge import actions
from sladesk.knowledge import versions as version_specs
from sladesk.knowledge.importer import ImportFileError, Manual, manual_paths, read_manual
from sladesk.knowledge.models import Article


class Command(BaseCommand):
    help = "Knowledge base: `import PATH` imports Markdown manuals."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="Import a Markdown file or a folder of them.")
        imp.add_argument("path", help="A .md file, or a folder searched for .md files.")
        imp.add_argument(
            "--author", required=True, help="Email of the author (a support engineer or above)."
        )
        imp.add_argument("--state", choices=["published", "draft"], default="published")
        imp.add_argument("--visibility", choices=["public", "internal"], default="public")
        imp.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        target = Path(options["path"])
        if not target.exists():
            raise CommandError(f"{target}: no such file or folder")
        author = User.objects.filter(email__iexact=options["author"]).first()
        if author is None:
            raise CommandError(f"--author {options['author']}: no such user")
        root = target if target.is_dir() else target.parent
        paths = manual_paths(target)
        if not paths:
            raise CommandError(f"{target}: no Markdown (.md) files")
        problems: list[str] = []
        saved: list[tuple[Article, bool]] = []
        progress = tqdm(
            paths,
            desc="Importing",
            unit="file",
            file=options.get("stderr") or sys.stderr,
            disable=options["no_progress"],
        )
        with transaction.atomic():
            for path in progress:
                shown = path.relative_to(root).as_posix()
                try:
                    manual = read_manual(path, root)
                    saved.append(self._save(manual, author, options))
                except ImportFileError as exc:
                    problems.append(f"{shown}: {exc}")
                except ActionValidationError as exc:
                    problems.extend(f"{shown}: {f}: {m}" for f, m in exc.errors.items())
                except ActionPermissionDenied as exc:
                    raise CommandError(f"--author {author.email}: {exc}") from exc
            progress.close()
            if problems:
                transaction.set_rollback(True)
        if problems:
            raise CommandError(
                "nothing was imported; fix these files and run it again:\n  "
                + "\n  ".join(problems)
            )
        created = sum(1 for _, new in saved if new)
        self.stdout.write(
            f"Imported {len(saved)} article(s): {created} new, {len(saved) - created} updated."
        )

    def _save(self, manual: Manual, author: User, options: dict[str, Any]) -> tuple[Article, bool]:
        meta = manual.meta
        errors: dict[str, str] = {}
        product = module = None
        if meta.get("product"):
            product = Product.objects.filter(name__iexact=meta["product"]).first()
            if product is None:
                errors["product"] = f'no product is called "{meta["product"]}"'
        if meta.get("module"):
            modules = Module.objects.filter(name__iexact=meta["module"])
            if product is not None:
                modules = modules.filter(product=product)
            if modules.count() != 1:
                errors["module"] = (
                    f'no module is called "{meta["module"]}"'
                    if not modules.exists()
                    else f'"{meta["module"]}" is in several products: give the product too'
                )
            else:
                module = modules.get()
        problem = version_specs.check(meta.get("versions", ""))
        if problem:
            errors["versions"] = problem
        if errors:
            raise ActionValidationError(errors)
        slug = meta.get("slug") or slugify(manual.relative.rsplit(".", 1)[0].replace("/", "-"))
        existing = (
            Article.objects.filter(source_path=manual.relative).first()
            or Article.objects.filter(slug=slug).first()
        )
        article = actions.save_article(
            actor=author,
            article=existing,
            title=manual.title,
            body=manual.body,
            kind=meta.get("kind", "how_to"),
            visibility=meta.get("visibility", options["visibility"]),
            state=meta.get("state", options["state"]),
            product=product,
            module=module,
            versions=meta.get("versions", ""),
            workaround=meta.get("workaround", ""),
            slug=slug,
            source_path=manual.relative,
        )
        for name, file in manual.images:
            data = file.read_bytes()
            actions.add_article_file(
                actor=author,
                article=article,
                name=name,
                upload=SimpleUploadedFile(name, data, content_type=_image_type(name)),
            )
        return article, existing is None


def _image_type(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower()
    return {
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
    }.get(suffix, "application/octet-stream")
