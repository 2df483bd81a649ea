"""`newsflow validate` at scale: time and peak memory to re-validate a synthetic warehouse, page by page.

    .venv/bin/python benchmarks/validate_pages.py [--articles 2000] [--mentions-per-article 100] [--page-size 50000]

Builds a temporary warehouse (articles with valid texts, mentions with exact offsets, entities) in
SQL, then runs tasks.quality.audit.validate_table on each table. Reads no external data.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsflow.config import Settings  # noqa: E402
from tasks.quality.audit import suite_tables, validate_table  # noqa: E402
from tasks.quality.validate import get_validator  # noqa: E402
from warehouse import db  # noqa: E402

SENTENCE = "Delegations from Russia and Ukraine met in Istanbul for talks. "


def build(con, articles: int, per_article: int) -> None:
    # Each article's text is SENTENCE repeated per_article times; mention k covers "Istanbul" in copy k.
    offset = SENTENCE.index("Istanbul")
    con.execute(f"""
        insert into articles
        select lpad(printf('%x', i), 16, '0'), 'bench/' || i || '.txt', null, 'Talks ' || i,
               repeat('{SENTENCE}', {per_article}) || i, timestamptz '2025-05-16 00:00:00+00', 'en', null, null,
               lpad(printf('%x', i), 32, '0'), 'text', 'utf-8', now(), 'bench'
        from range({articles}) t(i)""")
    con.execute("insert into entities values ('00000000000000e1', 'Istanbul', 'GPE', now(), 'bench')")
    con.execute(f"""
        insert into mentions
        select lpad(printf('%x', a * {per_article} + k), 16, '0'), lpad(printf('%x', a), 16, '0'),
               '00000000000000e1', 'Istanbul', 'GPE', k * {len(SENTENCE)} + {offset},
               k * {len(SENTENCE)} + {offset} + 8, k, 'bench'
        from range({articles}) t(a), range({per_article}) u(k)""")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--articles", type=int, default=2000)
    p.add_argument("--mentions-per-article", type=int, default=100)
    p.add_argument("--page-size", type=int, default=50_000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = db.connect(Path(tmp) / "bench.duckdb")
        build(con, args.articles, args.mentions_per_article)
        validator = get_validator()
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for table in suite_tables(validator):
            t0 = time.perf_counter()
            report = validate_table(con, table, Settings(), args.page_size, validator)
            secs = time.perf_counter() - t0
            verdict = "passed" if not report["failures"] else f"{len(report['failures'])} failure(s)"
            print(f"{table:<10} {report['rows']:>9} rows {report['pages']:>4} page(s) {secs:7.1f} s "
                  f"{report['rows'] / secs if secs else 0:>9.0f} rows/s  {verdict}")
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak RSS {rss1 / 1024:.0f} MiB (after loading GX and building the warehouse: {rss0 / 1024:.0f} MiB); "
              f"page size {args.page_size}")
        con.close()


if __name__ == "__main__":
    main()
