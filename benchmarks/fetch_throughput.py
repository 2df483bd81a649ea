"""Fetch throughput, and whether NLP waits on the network, against local hosts with latency.

    .venv/bin/python benchmarks/fetch_throughput.py [--pages 500] [--hosts 20] [--latency-ms 50]
                                                    [--max-hosts 20] [--fetch-batch-size 100]

A child process serves `--hosts` web sites on 127.0.0.2, 127.0.0.3, ... (each its own host to the
fetcher: own robots.txt, own politeness slot), every page answered after `--latency-ms`. Pages are
distinct articles mixed from the seed paragraphs. The rate limit is lifted (fetch_delay_ms = 0).

  (a) fetch only: `Fetcher.fetch_many` over all pages -> pages/s, against the latency bound
      ceil(hosts / max_hosts) * (pages per host) * latency (one connection per host);
  (b) the nightly flow on a URL list of the same pages (fresh DuckDB, Prefect's start excluded):
      `fetch_wait` is the time the processing side (clean -> NLP -> load) sat blocked waiting for the
      next fetched batch. Only the first batch must be waited for (nothing to process before it);
      the rest is fetched while the previous batch is processed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")  # a busy machine


@lru_cache(maxsize=1)
def _paragraphs() -> list[str]:
    return [ln for f in sorted((ROOT / "seeds").glob("*.txt"))
            for ln in f.read_text(encoding="utf-8").splitlines() if len(ln) > 60]


def page(n: int) -> bytes:
    """Article n: a title and 6-12 seed paragraphs in a random order (distinct texts, real entities)."""
    rng = random.Random(n)
    paragraphs = _paragraphs()
    body = "".join(f"<p>{p}</p>" for p in rng.sample(paragraphs, rng.randint(6, 12)))
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Report {n}</title></head>"
            f"<body><nav>Home | World | Sport</nav><article><h1>Report {n}</h1>{body}</article>"
            f"<footer>Contact us</footer></body></html>").encode("utf-8")


def serve(hosts: int, latency: float) -> None:
    """Child process: one threaded HTTP/1.1 server per host; prints 'host:port' per line, then serves."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real sites
        disable_nagle_algorithm = True  # else headers and body wait on delayed ACKs (+40 ms a page)

        def do_GET(self):  # noqa: N802
            if not self.path.startswith("/page/"):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            time.sleep(latency)
            body = page(int(self.path.rsplit("/", 1)[1]))
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    for i in range(hosts):
        server = ThreadingHTTPServer((f"127.0.0.{i + 2}", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"127.0.0.{i + 2}:{server.server_address[1]}", flush=True)
    sys.stdin.read()  # until the parent closes our stdin


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--max-hosts", type=int, default=20, help="fetch_max_hosts")
    ap.add_argument("--fetch-batch-size", type=int, default=100)
    ap.add_argument("--fetch-only", action="store_true", help="measure (a) only")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve(args.hosts, args.latency_ms / 1000)

    child = subprocess.Popen([sys.executable, __file__, "--serve", "--hosts", str(args.hosts),
                              "--latency-ms", str(args.latency_ms)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        addresses = [child.stdout.readline().strip() for _ in range(args.hosts)]
        urls = [f"http://{addresses[i % args.hosts]}/page/{i}" for i in range(args.pages)]
        run(args, urls)
    finally:
        child.stdin.close()
        child.wait(timeout=10)


def run(args, urls: list[str]) -> None:
    from prefect import flow

    from flows.nightly import nightly
    from newsflow.config import load_settings
    from tasks.fetch.client import Fetcher

    work = Path(tempfile.mkdtemp(prefix="newsflow-fetch-bench-"))
    config = work / "newsflow.toml"
    config.write_text(f"[newsflow]\nfetch_delay_ms = 0\nfetch_max_hosts = {args.max_hosts}\n"
                      f"fetch_allow_private = true\nfetch_batch_size = {args.fetch_batch_size}\n"
                      "write_parquet = false\n")
    settings = load_settings(config, env={})

    with Fetcher(settings) as fetcher:  # (a)
        t0 = time.perf_counter()
        results = fetcher.fetch_many([(u, "page", None, {}) for u in urls])
        a_secs = time.perf_counter() - t0
    ok = sum(r.ok for r in results)
    # one worker takes a whole host's queue: ceil(hosts / workers) rounds of (pages per host) latencies
    rounds = -(-args.hosts // min(args.hosts, args.max_hosts))
    bound = rounds * -(-len(urls) // args.hosts) * args.latency_ms / 1000
    fetch_only = {"seconds": round(a_secs, 2), "ok": ok, "pages_per_s": round(len(urls) / a_secs, 1),
                  "latency_bound_seconds": round(bound, 2)}
    head = {"pages": len(urls), "hosts": args.hosts, "latency_ms": args.latency_ms,
            "fetch_max_hosts": args.max_hosts, "a_fetch_only": fetch_only}
    if args.fetch_only:
        print(json.dumps(head, indent=2))
        return

    @flow(name="bench-warmup")
    def warmup() -> None:
        return None

    warmup()  # Prefect's ephemeral server start, excluded from (b)
    (work / "urls.txt").write_text("\n".join(urls) + "\n")
    t0 = time.perf_counter()
    summary = nightly(inputs=[str(work / "urls.txt")], db_path=str(work / "bench.duckdb"), config_file=str(config))
    b_secs = time.perf_counter() - t0
    stages = summary["stage_seconds"]
    processing = sum(v for k, v in stages.items() if k in ("clean", "dedupe", "entities", "validate", "load"))
    first_batch = min(args.fetch_batch_size, len(urls)) / (len(urls) / a_secs)
    print(json.dumps({
        **head,
        "b_nightly_flow": {
            "seconds": round(b_secs, 2), "pages_per_s": round(len(urls) / b_secs, 1),
            "articles_loaded": summary["articles_new"], "status": summary["status"],
            "fetch_outcomes": summary["fetch_outcomes"], "stage_seconds": stages,
            "processing_seconds": round(processing, 2),
            "fetch_wait_seconds": round(stages.get("fetch_wait", 0.0), 2),
            "unavoidable_wait_first_batch_seconds": round(first_batch, 2),
            "fetch_wait_share_of_run": round(stages.get("fetch_wait", 0.0) / b_secs, 3),
        },
    }, indent=2))


if __name__ == "__main__":
    main()
