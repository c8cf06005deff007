"""Stage 3d: the sentences of every chunk, with their vectors and content tokens, computed at ingest.

The extractive answerer scores single sentences; embedding them at question time cost
~90 % of an answer. Each index generation therefore stores, per chunk, its sentences
(`sentences.json`: text + Kiwi content tokens) and one float16 row per sentence
(`sentence_vectors.npy`, memory-mapped when read: 384 dims x 2 bytes = 768 bytes a
sentence, so 10,000 posts ≈ 70,000 sentences ≈ 54 MB on disk, paged in as used).
An incremental ingest embeds only the sentences of new or changed chunks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from .korean import content_tokens, split_sentences
from .records import Chunk

TEXTS_FILE = "sentences.json"
VECTORS_FILE = "sentence_vectors.npy"
EMBED_BATCH = 32


@dataclass(frozen=True)
class Sentence:
    text: str
    tokens: frozenset[str]
    """Lower-cased content morphemes (rag/korean.py)."""


class SentenceStore:
    """Sentences of each chunk and their vectors; `of(chunk_id)` gives both."""

    def __init__(self, by_chunk: dict[str, list[Sentence]], vectors: np.ndarray) -> None:
        self._by_chunk = by_chunk
        self._first_row: dict[str, int] = {}
        row = 0
        for chunk_id, sentences in by_chunk.items():
            self._first_row[chunk_id] = row
            row += len(sentences)
        self.vectors = vectors

    def __len__(self) -> int:
        return len(self.vectors)

    def of(self, chunk_id: str) -> tuple[list[Sentence], np.ndarray]:
        sentences = self._by_chunk.get(chunk_id, [])
        start = self._first_row.get(chunk_id, 0)
        return sentences, self.vectors[start : start + len(sentences)]

    @classmethod
    def build(
        cls, chunks: list[Chunk], new_ids: set[str], previous: "SentenceStore | None", embeddings: Embeddings,
        show_progress: bool = True,
    ) -> tuple["SentenceStore", int]:
        """The store for `chunks` (in index order): chunks in `new_ids` are split and embedded, the others
        are copied from `previous`. Returns the store and the number of sentences embedded."""
        by_chunk: dict[str, list[Sentence]] = {}
        for chunk in chunks:
            if chunk.id in new_ids or previous is None:
                by_chunk[chunk.id] = [Sentence(text, frozenset(content_tokens(text))) for text in split_sentences(chunk.text)]
            else:
                by_chunk[chunk.id] = previous.of(chunk.id)[0]
        to_embed = [s.text for chunk in chunks if chunk.id in new_ids or previous is None for s in by_chunk[chunk.id]]
        fresh = _embed(to_embed, embeddings, show_progress)
        dimension = fresh.shape[1] if len(fresh) else (previous.vectors.shape[1] if previous is not None and len(previous) else 0)
        parts, taken = [], 0
        for chunk in chunks:
            count = len(by_chunk[chunk.id])
            if chunk.id in new_ids or previous is None:
                parts.append(fresh[taken : taken + count])
                taken += count
            else:
                parts.append(np.asarray(previous.of(chunk.id)[1]))
        vectors = np.concatenate(parts).astype(np.float16) if parts else np.zeros((0, dimension), np.float16)
        return cls(by_chunk, vectors.reshape(len(vectors), dimension)), len(to_embed)

    def save(self, directory: Path) -> None:
        records = {chunk_id: [[s.text, sorted(s.tokens)] for s in sentences] for chunk_id, sentences in self._by_chunk.items()}
        (directory / TEXTS_FILE).write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        np.save(directory / VECTORS_FILE, self.vectors)

    @classmethod
    def load(cls, directory: Path) -> "SentenceStore":
        records = json.loads((directory / TEXTS_FILE).read_text(encoding="utf-8"))
        by_chunk = {chunk_id: [Sentence(text, frozenset(tokens)) for text, tokens in items] for chunk_id, items in records.items()}
        return cls(by_chunk, np.load(directory / VECTORS_FILE, mmap_mode="r"))


def _embed(texts: list[str], embeddings: Embeddings, show_progress: bool) -> np.ndarray:
    rows: list[list[float]] = []
    with tqdm(total=len(texts), desc="embedding sentences", unit="sentence", disable=not show_progress or not texts) as bar:
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start : start + EMBED_BATCH]
            rows.extend(embeddings.embed_documents(batch))
            bar.update(len(batch))
    return np.asarray(rows, dtype=np.float32)
