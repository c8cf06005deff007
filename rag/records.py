"""The data that travels between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Post:
    slug: str
    path: Path
    title: str
    description: str
    date: date
    update: date | None
    tags: list[str]
    permalink: str
    body: str
    content_hash: str


@dataclass(frozen=True)
class Problem:
    """Why a post file could not be used (or was used with a caveat)."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Chunk:
    id: str
    slug: str
    title: str
    date: date
    permalink: str
    tags: list[str]
    section: str
    """Heading path, e.g. "Today's Overview › 1. CUDA 디버깅 및 프로파일링 업데이트"."""
    text: str
    """Section text with markdown links reduced to their text and images removed."""
    links: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    """The text each link is attached to in `text` (`links[i]` is on `anchors[i]`; a bare URL is its own text)."""

    def embedding_text(self) -> str:
        """What the embedder and BM25 see: the heading context helps short sections match."""
        return f"{self.title}\n{self.section}\n{self.text}"


@dataclass(frozen=True)
class RetrievedChunk:
    chunk: Chunk
    score: float
    """Fused reciprocal-rank score (higher is better)."""


@dataclass(frozen=True)
class Citation:
    marker: int
    chunk: Chunk
    score: float
    supported: bool = True
    """False when the claims citing it share too little with its text (see rag/citations.py)."""
    attributed: bool = False
    """True when the program attached it to a claim the model left without a marker (see rag/citations.py)."""
    quotes: tuple[str, ...] = ()
    """The sentences of the section that the answer quotes (extractive answers, timelines, digests), or for a
    generated answer the passages of it that the model was shown."""


@dataclass(frozen=True)
class ContextSource:
    """What a model is shown of one retrieved section: its passages that best match the question."""

    hit: RetrievedChunk
    passages: list[str]

    def text(self) -> str:
        """Everything the model saw of this source (what a claim attributed to it is compared with)."""
        return " ".join([self.hit.chunk.title, self.hit.chunk.section, *self.passages])


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: list[Citation]
    """The sources the text cites, in order of first citation; `[n]` in the text is `citations[n-1]`."""
    refused: bool
    date_range: tuple[date, date] | None = None
    retrieved: list[RetrievedChunk] = field(default_factory=list)
    """Everything the answerer was given; interfaces show it when nothing could be cited."""
    answerer: str = "extractive"
    removed_markers: int = 0
    """Markers the model wrote that pointed outside the given sources (removed from the text)."""
    warning: str | None = None
    """Shown beside the answer, e.g. when a generated answer cites nothing."""
    error: str | None = None
    """Why no (complete) answer could be written, naming the setting to fix."""
    kind: str = "answer"
    """"answer", "timeline" (one dated line per post mentioning a topic) or "digest" (a period's headlines)."""
