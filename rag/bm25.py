"""Stage 3b: Korean keyword search, BM25 (`bm25s`) over Kiwi morphemes and/or character bigrams.

The tokens come from rag/korean.py; this module only decides which ones BM25 sees.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import bm25s
import numpy as np

from .korean import MIN_SKELETON, bigram_tokens, consonant_skeletons, content_tokens

_HANGUL_WORD = re.compile("[가-힣]{2,}")

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
        self._by_skeleton: dict[str, set[str]] | None = None

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

    def spellings(self, name: str, limit: int = 3) -> list[str]:
        """Words of the archive in the other script that sound like `name` (`엔비디아` -> `nvidia`,
        `Chameleon` -> `카멜레온`), closest length first."""
        latin = name.isascii()
        wanted = {skeleton for skeleton in consonant_skeletons(name) if len(skeleton) >= MIN_SKELETON}
        if self._by_skeleton is None:
            self._by_skeleton = {}
            for word in self._bm25.vocab_dict:
                if isinstance(word, str) and len(word) >= 2 and (word.isascii() and word.isalpha() and len(word) >= 3
                                                                 or _HANGUL_WORD.fullmatch(word)):
                    for skeleton in consonant_skeletons(word):
                        self._by_skeleton.setdefault(skeleton, set()).add(word)
        # A Hangul syllable is about two Latin letters, and a Korean spelling adds vowels (마이크로소프트), never
        # drops them: a much shorter Hangul word is another word that sounds alike (`Suleyman` is not `설명`).
        expected = len(name) / 2 if latin else 2 * len(name)
        matches = {word for skeleton in wanted for word in self._by_skeleton.get(skeleton, ())
                   if word.isascii() != latin and (not latin or len(word) >= expected - 1)}
        return sorted(matches, key=lambda word: (abs(len(word) - expected), word))[:limit]

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
