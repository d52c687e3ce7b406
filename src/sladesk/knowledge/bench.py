"""Measure knowledge search on a generated corpus, on whatever database DATABASE_URL names.

    DATABASE_URL=sqlite:////tmp/kb-bench.sqlite3 uv run python -m sladesk.knowledge.bench
    DATABASE_URL=postgres://.../kb_bench uv run python -m sladesk.knowledge.bench --articles 5000

It migrates the database, adds `--articles` generated articles (random words from a fixed
vocabulary, a fixed seed) if fewer are there, and prints the median and 95th-percentile
time of a search as a customer and as the helpdesk, for queries with and without typos.
Use a scratch database: it writes articles, a product and two users.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

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
    if added > 0:
        took = time.perf_counter() - started
        print(f"saved {added} articles in {took:.1f} s ({took / added * 1000:.1f} ms each)")
    queries = {
        "two words": " ".join(vocabulary[10:12]),
        "five words": " ".join(vocabulary[20:25]),
        "one typo": vocabulary[30][:-1] + "q" + " " + vocabulary[31],
    }
    print(f"{connection.vendor}, {Article.objects.count()} articles")
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
                f"  {label:<10} {who:<8} median {statistics.median(times):7.1f} ms"
                f"  p95 {p95:7.1f} ms  hits {len(results.hits)}"
            )


if __name__ == "__main__":
    main()
