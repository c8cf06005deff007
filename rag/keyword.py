"""Stage 3b: Korean keyword search, BM25 (`bm25s`) over Kiwi morphemes and/or character bigrams.

Korean glues particles and endings to words (`GGUF로`, `변환할때`), so whitespace
tokens rarely match; morphemes fix that, and bigrams catch what the morpheme
analyser splits differently (typos, transliterations such as `라마3`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import bm25s
import numpy as np

KeywordTokenizer = Literal["kiwi", "bigram", "kiwi+bigram"]

# Nouns, foreign words, numbers, roots, verb and adjective stems: what carries the topic.
_CONTENT_TAGS = ("NNG", "NNP", "NR", "SL", "SN", "SH", "XR", "VV", "VA")
_HANGUL_RUN = re.compile(r"[가-힣]+")
_LATIN_OR_DIGIT_RUN = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")


@cache
def kiwi():
    """One Kiwi analyser per process: loading its model takes seconds."""
    from kiwipiepy import Kiwi

    return Kiwi()


def kiwi_tokens(text: str) -> list[str]:
    return [token.form.lower() for token in kiwi().tokenize(text) if token.tag.startswith(_CONTENT_TAGS)]


def bigram_tokens(text: str) -> list[str]:
    lowered = text.lower()
    tokens: list[str] = []
    for run in _HANGUL_RUN.findall(lowered):
        tokens.extend(run if len(run) == 1 else (run[i : i + 2] for i in range(len(run) - 1)))
    tokens.extend(_LATIN_OR_DIGIT_RUN.findall(lowered))
    return tokens


def tokenize(text: str, tokenizer: KeywordTokenizer) -> list[str]:
    if tokenizer == "kiwi":
        return kiwi_tokens(text)
    if tokenizer == "bigram":  # the prefix keeps bigrams apart from morphemes when both are used
        return ["#" + token for token in bigram_tokens(text)]
    return kiwi_tokens(text) + tokenize(text, "bigram")


class KeywordIndex:
    """BM25 over chunk texts; rows are in the order of the `ids` it was built with."""

    def __init__(self, bm25: bm25s.BM25, tokenizer: KeywordTokenizer) -> None:
        self._bm25 = bm25
        self.tokenizer = tokenizer

    @classmethod
    def build(cls, texts: list[str], tokenizer: KeywordTokenizer) -> "KeywordIndex":
        bm25 = bm25s.BM25()
        corpus = [tokenize(text, tokenizer) or ["<empty>"] for text in texts]
        bm25.index(corpus, show_progress=False)
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
        if self.tokenizer != "bigram":
            return term in vocabulary
        return all(gram in vocabulary for gram in tokenize(term, "bigram"))

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Best rows for `query` as (row, score), only rows where `allowed` is true, zero scores dropped."""
        tokens = tokenize(query, self.tokenizer)
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(row), float(scores[row])) for row in order if scores[row] > 0]
