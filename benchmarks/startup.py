"""Cold start with an index present: a whole CLI `ask` process, and `python ui.py` until it serves and answers.

    python benchmarks/startup.py [--runs 3] [--archive eval/archive] [--index .rag-archive]

1. `python -m rag ask QUESTION` as a user runs it: wall time of the whole process, --runs times.
2. `python ui.py` on a free loopback port: seconds until the page answers HTTP 200, then until a
   first `/ask` returns an answer (the server opens the index in the background while it starts).
3. Where a CLI ask's time goes, in one process: imports, Kiwi's load, opening the index, the answer.
The index is built first if it is missing. Writes benchmarks/results/startup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from ui_load import ask_once, start_app  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "startup.json"
QUESTION = "Kaggle 대회 상금이 얼마였어?"

BREAKDOWN = """
import time, json, sys
started = time.perf_counter()
from pathlib import Path
from rag.pipeline import Pipeline
from rag.settings import Settings
imported = time.perf_counter()
from rag.korean import kiwi
kiwi().tokenize("준비")
kiwi_loaded = time.perf_counter()
pipeline = Pipeline.from_settings(Settings())
pipeline.index.current()
opened = time.perf_counter()
pipeline.ask(sys.argv[1])
answered = time.perf_counter()
print(json.dumps({"imports_s": imported - started, "kiwi_s": kiwi_loaded - imported,
                  "embedder_and_index_open_s": opened - kiwi_loaded, "first_answer_s": answered - opened}))
"""


def wall(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--archive", type=Path, default=ROOT / "eval" / "archive")
    parser.add_argument("--index", type=Path, default=ROOT / ".rag-archive")
    args = parser.parse_args()
    env = {**os.environ, "RAG_CONTENT_DIR": str(args.archive.resolve()), "RAG_INDEX_DIR": str(args.index.resolve())}
    os.environ.update(env)  # start_app passes os.environ to ui.py
    subprocess.run([sys.executable, "-m", "rag", "ingest"], cwd=ROOT, env=env, check=True)

    cli = [round(wall([sys.executable, "-m", "rag", "ask", QUESTION], env), 2) for _ in range(args.runs)]
    print(f"CLI ask, whole process: {cli} s")
    breakdown = json.loads(subprocess.run([sys.executable, "-c", BREAKDOWN, QUESTION], cwd=ROOT, env=env,
                                          check=True, capture_output=True, text=True).stdout)
    breakdown = {key: round(value, 2) for key, value in breakdown.items()}
    print(f"where a CLI ask's time goes: {breakdown}")

    ui = []
    for _ in range(args.runs):
        started = time.perf_counter()
        url, server = start_app()
        serving = time.perf_counter() - started
        with httpx.Client() as client:
            _, error = ask_once(client, url, QUESTION)
        answered = time.perf_counter() - started
        server.terminate()
        server.wait(timeout=30)
        if error:
            sys.exit(f"the first question failed: {error}")
        ui.append({"serving_s": round(serving, 2), "first_answer_s": round(answered, 2)})
        print(f"ui.py: serving after {serving:.2f} s, first answer after {answered:.2f} s")

    results = {
        "cli_ask_s": cli, "cli_ask_median_s": round(statistics.median(cli), 2), "cli_breakdown": breakdown,
        "ui": ui, "ui_serving_median_s": round(statistics.median(run["serving_s"] for run in ui), 2),
        "ui_first_answer_median_s": round(statistics.median(run["first_answer_s"] for run in ui), 2),
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
