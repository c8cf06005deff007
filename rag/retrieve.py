"""Stage 4: hybrid retrieval.

Dense (Chroma) and BM25 results for the question's topic are fused by reciprocal rank;
the question's date scope (named in it, or given as since/until) restricts both searches.
A 700-character section mixes several news items, so its own vector matches a question
loosely: the first `rerank_depth` fused sections are re-ordered by their best sentence's
similarity to the question (sentence vectors stored at ingest; nothing is embedded).
`HybridRetriever` offers the same search as a LangChain `BaseRetriever`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .index import ArchiveIndex, LiveIndex
from .korean import QuestionAnalysis, analyse_question, consonant_skeletons
from .records import Chunk, RetrievedChunk
from .settings import Settings


@dataclass(frozen=True)
class Evidence:
    """What an answerer is given: the analysed question, what was found, and the index generation it came from."""

    question: QuestionAnalysis
    query_vector: np.ndarray
    """The topic embedded once: dense search and the extractive answerer's sentence scores share it."""
    hits: list[RetrievedChunk]
    index: ArchiveIndex


def find_evidence(
    index: ArchiveIndex, embeddings: Embeddings, text: str, settings: Settings,
    since: date | None = None, until: date | None = None,
) -> Evidence:
    """Analyse the question once against `index`, embed its topic once, and retrieve for it."""
    question = with_other_spellings(analyse_question(text, index.post_dates, since, until), index)
    query_vector = np.asarray(embeddings.embed_query(question.topic), dtype=np.float32)
    return Evidence(question, query_vector, retrieve(index, question, query_vector, settings), index)


def with_other_spellings(question: QuestionAnalysis, index: ArchiveIndex) -> QuestionAnalysis:
    """A name the archive never writes as asked gets its spellings in the other script that the archive uses
    (`엔비디아` -> `nvidia`, `Chameleon` -> `카멜레온`): they are searched too, a section naming the name either way
    can answer, and the name counts as known. Names the archive writes as asked keep to that spelling, except
    in a question about every post that mentions them: a post writing `팔리젬마` mentions PaliGemma too."""
    spellings = tuple((name, spelling) for name in [*question.hangul_names, *question.latin_names]
                      for spelling in _spellings_to_search(name, question, index))
    if not spellings:
        return question
    added = [spelling for _, spelling in spellings]
    return replace(question, spellings=spellings, topic=f"{question.topic} ({' '.join(added)})",
                   morphemes=question.morphemes | frozenset(added))


def _spellings_to_search(name: str, question: QuestionAnalysis, index: ArchiveIndex) -> list[str]:
    if not index.keywords.knows(name):
        return index.keywords.spellings(name)
    return mention_spellings(name, index) if question.many_posts else []


def mention_spellings(term: str, index: ArchiveIndex) -> list[str]:
    """A name's spellings in the other script that the archive uses (`엔비디아` -> `nvidia`, `PaliGemma` ->
    `팔리젬마`), as a post mentioning it may write it. A short Latin name the archive writes as asked keeps to
    that: two or three consonants sound like too many Korean words (`Claude` ~ `클라우드`, `Kaggle` ~ `캐글`/`클`,
    `LLM` ~ `라마`)."""
    if len(term) < 2 or not re.search(r"[A-Za-z가-힣]", term):
        return []
    skeleton = max(map(len, consonant_skeletons(term)))
    if term.isascii():
        return index.keywords.spellings(term) if skeleton >= 4 or not index.keywords.knows(term) else []
    return index.keywords.spellings(term) if skeleton >= 3 else []


def retrieve(
    index: ArchiveIndex, question: QuestionAnalysis, query_vector: np.ndarray, settings: Settings
) -> list[RetrievedChunk]:
    start, end = (question.scope.start, question.scope.end) if question.scope else (None, None)
    ranked_lists: list[list[tuple[Chunk, float]]] = []
    if settings.retrieval in ("hybrid", "dense"):
        ranked_lists.append(index.dense_search(query_vector.tolist(), settings.candidates, start, end))
    if settings.retrieval in ("hybrid", "keyword"):
        ranked_lists.append(index.keyword_search(question.topic, settings.candidates, start, end))
    fused = reciprocal_rank_fusion(ranked_lists, settings.rrf_k)
    depth = settings.rerank_depth
    return (rerank_by_best_sentence(index, fused[:depth], query_vector) + fused[depth:])[: settings.top_k]


def rerank_by_best_sentence(index: ArchiveIndex, hits: list[RetrievedChunk], query_vector: np.ndarray) -> list[RetrievedChunk]:
    """`hits` ordered by the highest cosine between the question and one of their sentences (stable on ties)."""
    def best_sentence(hit: RetrievedChunk) -> float:
        vectors = index.sentences.vectors_of(hit.chunk.id)
        return float(np.max(np.asarray(vectors, dtype=np.float32) @ query_vector)) if len(vectors) else -1.0

    return sorted(hits, key=best_sentence, reverse=True)


def reciprocal_rank_fusion(ranked_lists: list[list[tuple[Chunk, float]]], k: int) -> list[RetrievedChunk]:
    scores: dict[str, float] = {}
    chunks: dict[str, Chunk] = {}
    for ranked in ranked_lists:
        for rank, (chunk, _) in enumerate(ranked, start=1):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + 1.0 / (k + rank)
            chunks[chunk.id] = chunk
    order = sorted(scores, key=lambda chunk_id: -scores[chunk_id])
    return [RetrievedChunk(chunk=chunks[chunk_id], score=scores[chunk_id]) for chunk_id in order]


class HybridRetriever(BaseRetriever):
    """The pipeline's search for LangChain callers: a query string in, Documents (chunk in metadata) out."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    live: LiveIndex
    settings: Settings

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = find_evidence(self.live.current(), self.live.embeddings, query, self.settings).hits
        return [
            Document(id=hit.chunk.id, page_content=hit.chunk.text, metadata={"chunk": hit.chunk, "score": hit.score})
            for hit in hits
        ]
