"""Kiwi morphemes vs character bigrams (vs both) for BM25, alone and fused with dense search.

    python benchmarks/keyword_tokenizers.py [eval/dev_questions.jsonl]

Uses the index of the current settings (built first if missing; BM25 is rebuilt in memory
per tokenizer, vectors are shared), prints a table and writes benchmarks/results/keyword_tokenizers.json.
"""

import json
import sys
from pathlib import Path

from rag.evaluate import evaluate, read_questions
from rag.pipeline import Pipeline
from rag.settings import Settings

METRICS = ("post_recall@1", "post_recall@5", "chunk_mrr@10")


def main() -> None:
    questions = read_questions(Path(sys.argv[1] if len(sys.argv) > 1 else "eval/dev_questions.jsonl"))
    base = Settings()
    first = Pipeline.from_settings(base)
    first.ensure_index()
    rows = []
    configs = [("dense", "kiwi")] + [(mode, tok) for mode in ("keyword", "hybrid") for tok in ("kiwi", "bigram", "kiwi+bigram")]
    for retrieval, tokenizer in configs:
        settings = base.model_copy(update={"retrieval": retrieval, "keyword_tokenizer": tokenizer})
        pipeline = Pipeline.from_settings(settings, embeddings=first.embeddings)
        metrics, _ = evaluate(pipeline, questions, answers=False)
        rows.append({"retrieval": retrieval, "keyword_tokenizer": tokenizer if retrieval != "dense" else "-",
                     **{key: round(metrics[key], 3) for key in METRICS}})
    header = f"{'retrieval':<9} {'tokenizer':<12} " + " ".join(f"{key:>14}" for key in METRICS)
    print(header)
    for row in rows:
        print(f"{row['retrieval']:<9} {row['keyword_tokenizer']:<12} " + " ".join(f"{row[key]:>14.3f}" for key in METRICS))
    out = Path(__file__).parent / "results" / "keyword_tokenizers.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"questions": len(questions), "rows": rows}, indent=2), encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
