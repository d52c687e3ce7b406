"""The search index for articles, one per database (docs/adr/0013-knowledge-search.md).

PostgreSQL: a GIN index over the stored, weighted tsvector column.
SQLite: an FTS5 table (title, body) whose rowid is the article id, ranked with bm25.
The saving action keeps either one current.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FTS_TABLE = "knowledge_article_fts"
GIN_INDEX = "knowledge_article_search_gin"


def create(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {GIN_INDEX} ON knowledge_article USING gin (search_vector)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )


def drop(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
