"""Stage 4: hybrid retrieval, a LangChain `BaseRetriever`.

Dense (Chroma) and BM25 results are fused by reciprocal rank; a date range named in
the question (or given as since/until) restricts both searches to posts in it.
"""

from __future__ import annotations

from datetime import date

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .dates import DateScope, find_date_scope, strip_phrase
from .index import ArchiveIndex
from .records import Chunk, RetrievedChunk
from .settings import Settings


class HybridRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: ArchiveIndex
    settings: Settings
    since: date | None = None
    until: date | None = None

    def scope_for(self, question: str) -> DateScope | None:
        """Explicit since/until win over dates named in the question."""
        if self.since or self.until:
            return DateScope(start=self.since or date.min, end=self.until or date.max)
        return find_date_scope(question, self.index.post_dates)

    def retrieve(self, question: str) -> list[RetrievedChunk]:
        scope = self.scope_for(question)
        query = strip_phrase(question, scope)
        start, end = (scope.start, scope.end) if scope else (None, None)
        ranked_lists: list[list[tuple[Chunk, float]]] = []
        if self.settings.retrieval in ("hybrid", "dense"):
            ranked_lists.append(self.index.dense_search(query, self.settings.candidates, start, end))
        if self.settings.retrieval in ("hybrid", "keyword"):
            ranked_lists.append(self.index.keyword_search(query, self.settings.candidates, start, end))
        return reciprocal_rank_fusion(ranked_lists, self.settings.rrf_k)[: self.settings.top_k]

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [to_document(hit) for hit in self.retrieve(query)]


def reciprocal_rank_fusion(ranked_lists: list[list[tuple[Chunk, float]]], k: int) -> list[RetrievedChunk]:
    scores: dict[str, float] = {}
    chunks: dict[str, Chunk] = {}
    for ranked in ranked_lists:
        for rank, (chunk, _) in enumerate(ranked, start=1):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + 1.0 / (k + rank)
            chunks[chunk.id] = chunk
    order = sorted(scores, key=lambda chunk_id: -scores[chunk_id])
    return [RetrievedChunk(chunk=chunks[chunk_id], score=scores[chunk_id]) for chunk_id in order]


def to_document(hit: RetrievedChunk) -> Document:
    """The chunk travels in the metadata so that any answerer can cite it fully."""
    return Document(id=hit.chunk.id, page_content=hit.chunk.text, metadata={"chunk": hit.chunk, "score": hit.score})


def from_document(document: Document) -> RetrievedChunk:
    return RetrievedChunk(chunk=document.metadata["chunk"], score=document.metadata["score"])
