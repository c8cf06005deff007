"""Follow-up rewriting: does the rewritten question retrieve the right post? The rule and an LLM, same pairs.

    python benchmarks/followups.py [--pairs eval/followup_pairs.jsonl] [--gguf qwen2.5-coder-1.5b]

Each pair is a first question and a follow-up that leans on it ("그건 어떤 아키텍처를 써?"). The first
question is answered by the extractive answerer (the same history for both rewriters); the follow-up is
rewritten by the rule (rag/conversation.py) and by the packaged model through `--llm llamacpp`, then
searched. Reports, for the follow-up asked as is and for each rewrite, how often a gold post is the first
retrieved post and among the first five. Writes benchmarks/results/followups.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from rag.conversation import Turn
from rag.pipeline import Pipeline
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "followups.json"


def posts_found(pipeline: Pipeline, question: str) -> list[str]:
    return list(dict.fromkeys(hit.chunk.slug for hit in pipeline.evidence(question).hits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=ROOT / "eval" / "followup_pairs.jsonl")
    parser.add_argument("--archive", type=Path, default=ROOT / "eval" / "archive")
    parser.add_argument("--index", type=Path, default=ROOT / ".rag-archive")
    parser.add_argument("--gguf", default="qwen2.5-coder-1.5b")
    args = parser.parse_args()
    pairs = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines() if line.strip()]
    settings = Settings(content_dir=args.archive, index_dir=args.index)
    rule = Pipeline.from_settings(settings)
    rule.ensure_index()
    model = Pipeline.from_settings(settings.model_copy(update={"llm": "llamacpp", "llm_gguf": args.gguf}),
                                   embeddings=rule.embeddings)
    ways = {"as asked": None, "rule": rule, f"llm:{args.gguf}": model}
    found: dict[str, list[tuple[bool, bool]]] = {way: [] for way in ways}
    details, model_seconds = [], []
    for pair in pairs:
        history = [Turn(question=pair["first"], standalone=pair["first"], answer=rule.ask(pair["first"]).text)]
        record = {"id": pair["id"], "first": pair["first"], "followup": pair["followup"]}
        for way, pipeline in ways.items():
            started = time.perf_counter()
            rewritten = pipeline.standalone_question(pair["followup"], history) if pipeline else pair["followup"]
            if pipeline is model:
                model_seconds.append(time.perf_counter() - started)
            posts = posts_found(rule, rewritten)
            hit = (posts[:1] != [] and posts[0] in pair["gold_slugs"], any(p in pair["gold_slugs"] for p in posts[:5]))
            found[way].append(hit)
            record[way] = {"question": rewritten, "top1": hit[0], "top5": hit[1]}
        details.append(record)
        print(json.dumps(record, ensure_ascii=False), flush=True)
    summary = {
        way: {"post_recall@1": round(sum(h[0] for h in hits) / len(hits), 3),
              "post_recall@5": round(sum(h[1] for h in hits) / len(hits), 3)}
        for way, hits in found.items()
    }
    summary["model_rewrite_seconds_median"] = round(sorted(model_seconds)[len(model_seconds) // 2], 2)
    RESULTS.write_text(json.dumps({"pairs": len(pairs), "summary": summary, "details": details},
                                  ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
