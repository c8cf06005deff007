"""Stage 3d: the sentences of every chunk, with their vectors and content tokens, computed at ingest.

The extractive answerer scores single sentences; embedding them at question time cost
~90 % of an answer. Each index generation therefore stores, per chunk, its sentences
(`sentences.jsonl`: text + Kiwi content tokens, a line per chunk) and one float16 row per
sentence (`sentence_vectors.npy`: 384 dims x 2 bytes = 768 bytes a sentence); both are
memory-mapped when read, so only the sentences a question touches are paged in.
An incremental ingest embeds only the sentences of new or changed chunks.
"""

from __future__ import annotations

import json
import mmap
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from .korean import content_tokens, split_sentences
from .records import Chunk

TEXTS_FILE = "sentences.jsonl"
"""One line per chunk: its sentences as [text, tokens, passage] triples. Read a line at a time, never whole."""
LOCATIONS_FILE = "sentence_locations.json"
"""chunk id -> [byte offset of its line, its first vector row, its number of sentences]."""
VECTORS_FILE = "sentence_vectors.npy"
EMBED_BATCH = 32
ANALYSIS_PROGRESS_FROM = 200
"""Splitting and analysing this many new chunks takes long enough (seconds) to show a progress bar."""


@dataclass(frozen=True)
class Sentence:
    text: str
    tokens: frozenset[str]
    """Lower-cased content morphemes (rag/korean.py) of the sentence and its passage's label."""
    passage: int
    """Sentences with the same number come from one list item or paragraph line of the chunk."""


class SentenceStore:
    """Sentences of each chunk and their vectors; `of(chunk_id)` gives both.

    Built in memory at ingest; read from disk lazily (a memory map of the lines and of the vectors), so
    an index of any size opens at once and holds in memory only the sentences a question touches."""

    def __init__(self, lines: dict[str, list[Sentence] | bytes] | None, locations: dict[str, list[int]],
                 vectors: np.ndarray, text_file: mmap.mmap | None = None) -> None:
        self._lines = lines
        self._locations = locations
        self._text_file = text_file
        self.vectors = vectors

    def __len__(self) -> int:
        return len(self.vectors)

    def of(self, chunk_id: str) -> tuple[list[Sentence], np.ndarray]:
        if chunk_id not in self._locations:
            return [], self.vectors[:0]
        line = self._line(chunk_id)
        sentences = [Sentence(text, frozenset(tokens), passage) for text, tokens, passage in json.loads(line)] if isinstance(line, bytes) else line
        return sentences, self.vectors_of(chunk_id)

    def vectors_of(self, chunk_id: str) -> np.ndarray:
        """Only the vectors of a chunk's sentences (re-ranking needs no text)."""
        if chunk_id not in self._locations:
            return self.vectors[:0]
        first_row, count = self._locations[chunk_id][1:]
        return self.vectors[first_row : first_row + count]

    def _line(self, chunk_id: str) -> list[Sentence] | bytes:
        return self._lines[chunk_id] if self._lines is not None else self._raw_line(chunk_id)

    def _raw_line(self, chunk_id: str) -> bytes:
        assert self._text_file is not None
        offset = self._locations[chunk_id][0]
        end = self._text_file.find(b"\n", offset)
        return self._text_file[offset : end if end >= 0 else len(self._text_file)]

    @classmethod
    def build(
        cls, chunks: list[Chunk], new_ids: set[str], previous: "SentenceStore | None", embeddings: Embeddings,
        show_progress: bool = True,
    ) -> tuple["SentenceStore", int]:
        """The store for `chunks` (in index order): chunks in `new_ids` are split and embedded, the others
        are copied from `previous`. Returns the store and the number of sentences embedded."""
        # A kept chunk's line is copied as bytes and its vectors as rows: nothing of it is parsed or embedded.
        reused = {chunk.id for chunk in chunks if previous is not None and chunk.id not in new_ids
                  and chunk.id in previous._locations}
        lines: dict[str, list[Sentence] | bytes] = {}
        counts: dict[str, int] = {}
        to_embed: list[str] = []
        analysing = tqdm(chunks, desc="splitting sentences", unit="chunk",
                         disable=not show_progress or len(chunks) - len(reused) < ANALYSIS_PROGRESS_FROM)
        for chunk in analysing:
            if chunk.id in reused:
                lines[chunk.id] = previous._line(chunk.id)  # type: ignore[union-attr]
                counts[chunk.id] = previous._locations[chunk.id][2]  # type: ignore[union-attr]
            else:
                # The label ("**Llama 3 모델**: …") names what every sentence of its item is about, so it is
                # embedded and counted with each; a quoted sentence shows without it.
                quotable = split_sentences(chunk.text)
                lines[chunk.id] = [Sentence(q.text, frozenset(content_tokens(q.in_context())), q.passage)
                                   for q in quotable]
                to_embed.extend(q.in_context() for q in quotable)
                counts[chunk.id] = len(quotable)
        fresh = _embed(to_embed, embeddings, show_progress)
        parts, locations, taken, row = [], {}, 0, 0
        for chunk in chunks:
            count = counts[chunk.id]
            if chunk.id in reused:
                first = previous._locations[chunk.id][1]  # type: ignore[union-attr]
                parts.append(np.asarray(previous.vectors[first : first + count], dtype=np.float16))  # type: ignore[union-attr]
            else:
                parts.append(fresh[taken : taken + count].astype(np.float16))
                taken += count
            locations[chunk.id] = [0, row, count]
            row += count
        dimension = max((part.shape[1] for part in parts if part.ndim == 2 and part.shape[1]), default=0)
        vectors = np.concatenate([part.reshape(-1, dimension) for part in parts]) if row else np.zeros((0, dimension), np.float16)
        return cls(lines, locations, vectors), len(to_embed)

    def save(self, directory: Path) -> None:
        assert self._lines is not None, "a store read from disk is saved by copying its files"
        offset = 0
        with open(directory / TEXTS_FILE, "wb") as handle:
            for chunk_id, sentences in self._lines.items():
                line = sentences if isinstance(sentences, bytes) else _serialise(sentences)
                line = line.rstrip(b"\n") + b"\n"
                self._locations[chunk_id][0] = offset
                handle.write(line)
                offset += len(line)
        (directory / LOCATIONS_FILE).write_text(json.dumps(self._locations), encoding="utf-8")
        np.save(directory / VECTORS_FILE, self.vectors)

    @classmethod
    def load(cls, directory: Path) -> "SentenceStore":
        locations = json.loads((directory / LOCATIONS_FILE).read_text(encoding="utf-8"))
        with open(directory / TEXTS_FILE, "rb") as handle:
            text_file = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(handle.fileno()).st_size else None
        return cls(None, locations, np.load(directory / VECTORS_FILE, mmap_mode="r"), text_file)


def _serialise(sentences: list[Sentence]) -> bytes:
    return json.dumps([[s.text, sorted(s.tokens), s.passage] for s in sentences], ensure_ascii=False).encode()


def _embed(texts: list[str], embeddings: Embeddings, show_progress: bool) -> np.ndarray:
    rows: list[list[float]] = []
    with tqdm(total=len(texts), desc="embedding sentences", unit="sentence", disable=not show_progress or not texts) as bar:
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start : start + EMBED_BATCH]
            rows.extend(embeddings.embed_documents(batch))
            bar.update(len(batch))
    return np.asarray(rows, dtype=np.float32)
