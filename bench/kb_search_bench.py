"""Knowledge-base search on a generated corpus, on SQLite and on PostgreSQL (issue 10).

    uv run python bench/kb_search_bench.py [--articles 2000] [--repeat 30]

For each backend it runs itself once more as a child process with DATABASE_URL set (a
temporary SQLite file; the PostgreSQL database `sladesk_kb_bench` on the server of
BENCH_DATABASE_URL, created and dropped here), which migrates, adds `--articles` generated
articles (random words from a fixed 4,000-word vocabulary, fixed seed; a fifth internal,
half on a module) and times `search` as a customer and as the helpdesk, with and without a
typo. The figures go between the `kb-search-bench` markers of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START_MARK = "<!-- kb-search-bench:start -->"
END_MARK = "<!-- kb-search-bench:end -->"
COMMAND = "uv run python bench/kb_search_bench.py"
PG_URL = (
    os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sladesk_kb_bench"
    ).rsplit("/", 1)[0]
    + "/sladesk_kb_bench"
)


def measure(args: argparse.Namespace) -> None:
    """The child process: one backend, JSON lines on stdout."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sladesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from sladesk.accounts.models import User
    from sladesk.contracts.models import Contract
    from sladesk.customers.models import Company, Module, Product
    from sladesk.knowledge.actions import save_article
    from sladesk.knowledge.models import Article
    from sladesk.knowledge.search import search

    rng = random.Random(10)
    product, _ = Product.objects.get_or_create(name="Bench product")
    module, _ = Module.objects.get_or_create(product=product, name="Bench module")
    company, _ = Company.objects.get_or_create(name="Bench company", slug="bench-company")
    contract, _ = Contract.objects.get_or_create(
        company=company,
        reference="BENCH-1",
        defaults={"signed_on": "2026-01-01", "valid_from": "2026-01-01", "valid_to": "2026-12-31"},
    )
    contract.modules.add(module)
    author = User.objects.filter(email="kb-bench-author@bench.invalid").first() or (
        User.objects.create_user(
            "kb-bench-author@bench.invalid", None, role="engineer", full_name="Bench"
        )
    )
    customer = User.objects.filter(email="kb-bench-customer@bench.invalid").first() or (
        User.objects.create_user(
            "kb-bench-customer@bench.invalid",
            None,
            role="customer",
            company=company,
            full_name="Bench",
        )
    )
    vocabulary = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 10)))
        for _ in range(4000)
    ]
    existing = Article.objects.filter(title__startswith="Bench ").count()
    started = time.perf_counter()
    for n in range(existing, args.articles):
        save_article(
            actor=author,
            title="Bench " + " ".join(rng.choices(vocabulary, k=5)),
            body=" ".join(rng.choices(vocabulary, k=150)),
            state="published",
            visibility="internal" if n % 5 == 0 else "public",
            module=module if n % 2 else None,
            versions="5.0-5.4" if n % 3 == 0 and n % 2 else "",
            slug=f"bench-{n}",
        )
    added = args.articles - existing
    took = time.perf_counter() - started
    print(json.dumps({"saved": added, "save_ms": took / max(added, 1) * 1000}))
    queries = {
        "two words": " ".join(vocabulary[10:12]),
        "five words": " ".join(vocabulary[20:25]),
        "one typo": vocabulary[30][:-1] + "q" + " " + vocabulary[31],
    }
    print(json.dumps({"vendor": connection.vendor, "articles": Article.objects.count()}))
    for label, query in queries.items():
        for who, user in (("customer", customer), ("helpdesk", author)):
            search(user, query)  # warm the vocabulary cache
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                results = search(user, query)
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(
                json.dumps(
                    {
                        "query": label,
                        "who": who,
                        "median": statistics.median(times),
                        "p95": p95,
                        "hits": len(results.hits),
                    }
                )
            )


def _admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(PG_URL), autocommit=True) as conn:
        conn.execute(sql)


def _child(url: str, args: argparse.Namespace) -> list[dict]:  # type: ignore[type-arg]
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "sladesk.settings"}
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--articles",
            str(args.articles),
            "--repeat",
            str(args.repeat),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "Python": platform.python_version(),
        "OS": platform.platform(),
    }


def _write(section: str) -> None:
    text = DOC.read_text()
    if START_MARK in text and END_MARK in text:
        head, rest = text.split(START_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args)
        return
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = _child(f"sqlite:///{tmp}/kb-bench.sqlite3", args)
    _pg("DROP DATABASE IF EXISTS sladesk_kb_bench")
    _pg("CREATE DATABASE sladesk_kb_bench")
    try:
        results["PostgreSQL"] = _child(PG_URL, args)
    finally:
        _pg("DROP DATABASE IF EXISTS sladesk_kb_bench")
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())

    lines = [
        START_MARK,
        "## Knowledge-base search (SQLite FTS5 and PostgreSQL weighted full text)",
        "",
        f"Command: `{COMMAND} --articles {args.articles} --repeat {args.repeat}`. "
        f"{args.articles:,} generated articles (150 words each from a 4,000-word vocabulary, "
        "a fifth internal, half on a module); each query timed "
        f"{args.repeat} times after one warm-up, ten results a page.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in _machine().items()),
        f"| load average (1, 5, 15 min) before / after | {load_before} / {load_after} |",
        "",
        "| backend | query | as | median | p95 | hits |",
        "|---|---|---|---|---|---|",
    ]
    for backend, rows in results.items():
        for row in rows:
            if "query" in row:
                lines.append(
                    f"| {backend} | {row['query']} | {row['who']} | {row['median']:.1f} ms "
                    f"| {row['p95']:.1f} ms | {row['hits']} |"
                )
    lines.append("")
    for backend, rows in results.items():
        saved = next(r for r in rows if "saved" in r)
        lines.append(
            f"Saving an article (the action, with its search index) on {backend}: "
            f"{saved['save_ms']:.1f} ms each."
        )
        lines.append("")
    lines.append(END_MARK)
    _write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
