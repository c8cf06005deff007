"""Load on the web UI's `/ask` API, on loopback only.

    python benchmarks/ui_load.py                                   # starts `python ui.py` on a free 127.0.0.1 port
    python benchmarks/ui_load.py --concurrent 50 --total 200       # 200 questions from 50 clients
    python benchmarks/ui_load.py --url http://127.0.0.1:7860/      # an app already running on loopback

The app runs in its own process (as it does for users; a client in the same process would
share its interpreter lock). Each client posts the question to `/gradio_api/run/ask` over
plain HTTP (httpx), so the client's own cost stays small. Settings come from RAG_* env vars
(e.g. RAG_CONTENT_DIR=eval/archive). Prints latency p50/p95/max, errors, throughput, and
writes benchmarks/results/ui_load.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.evaluate import read_questions  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_CONCURRENT = 50


def start_app() -> tuple[str, subprocess.Popen]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "ui.py", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=os.environ.copy())
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 600
    while True:
        try:
            httpx.get(url, timeout=2)
            return url, server
        except httpx.HTTPError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                sys.exit("the app did not start")
            time.sleep(0.2)


def ask_once(client: httpx.Client, url: str, question: str) -> tuple[float, str | None]:
    started = time.perf_counter()
    try:
        response = client.post(f"{url}gradio_api/run/ask", json={"data": [question, "", ""]}, timeout=120)
        response.raise_for_status()
        error = response.json()["data"][0].get("error")
    except Exception as failure:  # a load test counts failures instead of stopping at the first
        error = f"{type(failure).__name__}: {failure}"
    return time.perf_counter() - started, error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="A running app on loopback; default: start `python ui.py` in its own process.")
    parser.add_argument("--concurrent", type=int, default=20, help=f"Clients sending at once (at most {MAX_CONCURRENT}).")
    parser.add_argument("--total", type=int, help="Questions in all (default: --concurrent), spread over the clients.")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "dev_questions_v2.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ui_load.json")
    args = parser.parse_args()
    if not 1 <= args.concurrent <= MAX_CONCURRENT:
        parser.error(f"--concurrent must be between 1 and {MAX_CONCURRENT}")
    if args.url and urlsplit(args.url).hostname not in LOOPBACK:
        parser.error("--url must be a loopback address: this script only loads your own machine")

    url, server = (args.url.rstrip("/") + "/", None) if args.url else start_app()
    questions = [item.question for item in read_questions(args.questions)]
    batch = [questions[n % len(questions)] for n in range(args.total or args.concurrent)]
    try:
        with httpx.Client() as warm:
            ask_once(warm, url, questions[0])  # the first answer opens the index: not part of the load
        clients = [httpx.Client() for _ in range(args.concurrent)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrent) as pool:
            results = list(pool.map(lambda n: ask_once(clients[n % args.concurrent], url, batch[n]), range(len(batch))))
        wall = time.perf_counter() - started
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)

    latencies = [seconds for seconds, _ in results]
    errors = [error for _, error in results if error]
    report = {
        "concurrent": args.concurrent,
        "questions": len(batch),
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
