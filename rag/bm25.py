"""Stage 3b: Korean keyword search, BM25 (`bm25s`) over Kiwi morphemes and/or character bigrams.

The tokens come from rag/korean.py; this module only decides which ones BM25 sees.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import bm25s
import numpy as np

from .korean import MIN_SKELETON, bigram_tokens, consonant_skeleton, content_tokens

KeywordTokenizer = Literal["kiwi", "bigram", "kiwi+bigram"]


def tokenize(text: str, tokenizer: KeywordTokenizer) -> list[str]:
    if tokenizer == "kiwi":
        return content_tokens(text)
    if tokenizer == "bigram":  # the prefix keeps bigrams apart from morphemes when both are used
        return ["#" + token for token in bigram_tokens(text)]
    return content_tokens(text) + tokenize(text, "bigram")


class KeywordIndex:
    """BM25 over chunk texts; rows are in the order of the `ids` it was built with."""

    def __init__(self, bm25: bm25s.BM25, tokenizer: KeywordTokenizer) -> None:
        self._bm25 = bm25
        self.tokenizer = tokenizer
        self._latin_by_skeleton: dict[str, list[str]] | None = None

    @classmethod
    def build(cls, texts: list[str], tokenizer: KeywordTokenizer) -> "KeywordIndex":
        return cls.from_tokens([tokenize(text, tokenizer) for text in texts], tokenizer)

    @classmethod
    def from_tokens(cls, corpus: list[list[str]], tokenizer: KeywordTokenizer) -> "KeywordIndex":
        """BM25 over already tokenised texts (an ingest keeps each chunk's tokens, so only new chunks are analysed)."""
        bm25 = bm25s.BM25()
        bm25.index([tokens or ["<empty>"] for tokens in corpus], show_progress=False)
        return cls(bm25, tokenizer)

    def save(self, directory: Path) -> None:
        self._bm25.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, tokenizer: KeywordTokenizer) -> "KeywordIndex":
        return cls(bm25s.BM25.load(str(directory)), tokenizer)

    def knows(self, term: str) -> bool:
        """Whether the archive contains `term` (a morpheme, or failing that all of its bigrams)."""
        vocabulary = self._bm25.vocab_dict
        term = term.lower()
        if self.tokenizer == "kiwi":
            return term in vocabulary
        # A Latin word is also a bigram-side token ("#maximelabonne"): Kiwi tags "@maximelabonne" a mention.
        if self.tokenizer == "kiwi+bigram":
            return term in vocabulary or f"#{term}" in vocabulary
        return all(gram in vocabulary for gram in tokenize(term, "bigram"))

    def latin_spellings(self, hangul_word: str, limit: int = 3) -> list[str]:
        """Latin-script words of the archive that sound like `hangul_word` (`엔비디아` -> `nvidia`), closest length first."""
        skeleton = consonant_skeleton(hangul_word)
        if len(skeleton) < MIN_SKELETON:
            return []
        if self._latin_by_skeleton is None:
            self._latin_by_skeleton = {}
            for word in self._bm25.vocab_dict:
                if isinstance(word, str) and word.isascii() and word.isalpha() and len(word) >= 3:
                    self._latin_by_skeleton.setdefault(consonant_skeleton(word), []).append(word)
        matches = self._latin_by_skeleton.get(skeleton, [])
        return sorted(matches, key=lambda word: (abs(len(word) - 2 * len(hangul_word)), word))[:limit]

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Best rows for `query` as (row, score), only rows where `allowed` is true, zero scores dropped."""
        tokens = tokenize(query, self.tokenizer)
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        candidates = np.arange(len(scores))
        if len(scores) > k:  # the k best without sorting the whole archive; ties keep row order as a full sort would
            kth_best = np.partition(scores, len(scores) - k)[len(scores) - k]
            candidates = np.flatnonzero(scores >= kth_best)
        order = candidates[np.argsort(-scores[candidates], kind="stable")][:k]
        return [(int(row), float(scores[row])) for row in order if scores[row] > 0]
