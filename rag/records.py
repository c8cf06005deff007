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


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: list[Citation]
    refused: bool
    date_range: tuple[date, date] | None = None
