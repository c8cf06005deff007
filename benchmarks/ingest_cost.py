"""What an ingest costs beside what it must embed, on one archive, in one run.

    python benchmarks/ingest_cost.py [--archive eval/archive] [--out benchmarks/results/ingest_cost.json]

1. A full ingest into an empty index (in-process), and the embedder alone on exactly the texts
   that ingest embeds (each section's embedding text, then every sentence): the ratio is the overhead.
2. A no-op re-ingest, as a whole `python -m rag ingest` process (wall time).
3. Adding one post: the ingest's wall time minus the time the embedder alone needs for that post's texts.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.chunk import chunk_post  # noqa: E402
from rag.korean import split_sentences  # noqa: E402
from rag.load import load_posts  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from rag.sentences import EMBED_BATCH  # noqa: E402
from rag.settings import Settings  # noqa: E402


def texts_to_embed(posts, max_chars: int) -> list[str]:
    chunks = [chunk for post in posts for chunk in chunk_post(post, max_chars)]
    return [chunk.embedding_text() for chunk in chunks] + [s.in_context() for chunk in chunks for s in split_sentences(chunk.text)]


def embed_seconds(embeddings, texts: list[str]) -> float:
    started = time.perf_counter()
    for start in range(0, len(texts), EMBED_BATCH):
        embeddings.embed_documents(texts[start : start + EMBED_BATCH])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, default=ROOT / "eval" / "archive")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ingest_cost.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        content = Path(scratch) / "content"
        shutil.copytree(args.archive / "posts", content / "posts")
        newest = sorted((content / "posts").glob("*.md"))[-1]
        held_back = newest.read_text(encoding="utf-8")
        newest.unlink()  # added back in step 3
        settings = Settings(content_dir=content, index_dir=Path(scratch) / "index")
        pipeline = Pipeline.from_settings(settings)
        posts = load_posts(settings.posts_dir, settings.site_url).posts
        texts = texts_to_embed(posts, settings.max_chunk_chars)

        embed_alone = embed_seconds(pipeline.embeddings, texts)
        started = time.perf_counter()
        report = pipeline.ingest(show_progress=False)
        full = time.perf_counter() - started

        command = [sys.executable, "-m", "rag", "ingest", "--content", str(content), "--index", str(settings.index_dir)]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        noop = time.perf_counter() - started

        newest.write_text(held_back, encoding="utf-8")
        added = load_posts(settings.posts_dir, settings.site_url).posts
        one_post_texts = texts_to_embed([post for post in added if post.path == newest], settings.max_chunk_chars)
        one_post_embed = embed_seconds(pipeline.embeddings, one_post_texts)
        started = time.perf_counter()
        one = pipeline.ingest(show_progress=False)
        add_one = time.perf_counter() - started

    result = {
        "archive": str(args.archive), "posts": len(posts), "chunks": report.chunks_embedded,
        "sentences": report.sentences_embedded, "texts_embedded": len(texts),
        "full_ingest_s": round(full, 2), "embedder_alone_s": round(embed_alone, 2),
        "full_over_embedder": round(full / embed_alone, 3),
        "noop_reingest_process_s": round(noop, 2),
        "add_one_post_s": round(add_one, 2), "add_one_post_embedder_alone_s": round(one_post_embed, 2),
        "add_one_post_overhead_s": round(add_one - one_post_embed, 2),
        "add_one_post_texts": len(one_post_texts), "add_one_post_report": one.summary(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
