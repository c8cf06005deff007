"""Load on the web UI: N questions at once through gradio_client, on loopback only.

    python benchmarks/ui_load.py                 # starts the app in-process on a free 127.0.0.1 port
    python benchmarks/ui_load.py --url http://127.0.0.1:7860/ --concurrent 20
    python benchmarks/ui_load.py --concurrent 50 --total 200   # 200 questions from 50 clients

Prints latency p50/p95/max, errors and wall time, and writes benchmarks/results/ui_load.json.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from gradio_client import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.evaluate import read_questions  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.webui import WebChat, launch  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_CONCURRENT = 50


def start_app() -> tuple[str, Pipeline]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pipeline = Pipeline.from_settings(Settings(server_host="127.0.0.1", server_port=port))
    pipeline.ensure_index()
    pipeline.evidence("시작 준비")  # warm up as `serve` does
    launch(WebChat(pipeline).build(), pipeline.settings, prevent_thread_lock=True, quiet=True)
    return f"http://127.0.0.1:{port}/", pipeline


def ask_once(client: Client, question: str) -> tuple[float, str | None]:
    started = time.perf_counter()
    try:
        result = client.predict(question, "", "", api_name="/ask")
        error = result.get("error")
    except Exception as failure:  # a load test counts failures instead of stopping at the first
        error = f"{type(failure).__name__}: {failure}"
    return time.perf_counter() - started, error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="A running app on loopback; default: start one in-process.")
    parser.add_argument("--concurrent", type=int, default=20, help=f"Questions sent at once (at most {MAX_CONCURRENT}).")
    parser.add_argument("--total", type=int, help="Questions in all (default: --concurrent), spread over the clients.")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "dev_questions_v2.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ui_load.json")
    args = parser.parse_args()
    if not 1 <= args.concurrent <= MAX_CONCURRENT:
        parser.error(f"--concurrent must be between 1 and {MAX_CONCURRENT}")
    if args.url and urlsplit(args.url).hostname not in LOOPBACK:
        parser.error("--url must be a loopback address: this script only loads your own machine")

    url, pipeline = (args.url, None) if args.url else start_app()
    questions = [item.question for item in read_questions(args.questions)]
    batch = [questions[n % len(questions)] for n in range(args.total or args.concurrent)]
    with ThreadPoolExecutor(max_workers=args.concurrent) as pool:
        # Each client connects first (gradio_client fetches the app's config): the clock measures questions only.
        clients = list(pool.map(lambda _: Client(url, verbose=False), range(args.concurrent)))
        started = time.perf_counter()
        results = list(pool.map(lambda n: ask_once(clients[n % len(clients)], batch[n]), range(len(batch))))
    wall = time.perf_counter() - started

    latencies = [seconds for seconds, _ in results]
    errors = [error for _, error in results if error]
    report = {
        "concurrent": args.concurrent,
        "questions": len(batch),
        "ui_concurrency": pipeline.settings.ui_concurrency if pipeline else None,
        "answerer": pipeline.answerer_name if pipeline else None,
        "latency_s_p50": round(float(np.percentile(latencies, 50)), 2),
        "latency_s_p95": round(float(np.percentile(latencies, 95)), 2),
        "latency_s_max": round(max(latencies), 2),
        "errors": len(errors),
        "error_messages": errors[:5],
        "wall_s": round(wall, 2),
        "questions_per_s": round(len(batch) / wall, 2),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    for key, value in report.items():
        print(f"{key:<16} {value}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
