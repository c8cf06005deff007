"""Stage 3b: Korean keyword search, BM25 (`bm25s`) over Kiwi morphemes and/or character bigrams.

The tokens come from rag/korean.py; this module only decides which ones BM25 sees.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import bm25s
import numpy as np

from .korean import MIN_SKELETON, bigram_tokens, consonant_skeletons, content_tokens, english_glosses, loanword_sources

_HANGUL_WORD = re.compile("[가-힣]{2,}")

KeywordTokenizer = Literal["kiwi", "bigram", "kiwi+bigram"]


def tokenize(text: str, tokenizer: KeywordTokenizer) -> list[str]:
    if tokenizer == "kiwi":
        return content_tokens(text)
    if tokenizer == "bigram":  # the prefix keeps bigrams apart from morphemes when both are used
        return ["#" + token for token in bigram_tokens(text)]
    return content_tokens(text) + tokenize(text, "bigram")


EMPTY_TOKEN = "<empty>"
"""The token of a chunk without any, so that every BM25 row has one."""


@dataclass
class TokenRows:
    """Each chunk's BM25 tokens, kept by an index generation so that the next ingest analyses only new
    chunks: ids into one vocabulary, stored as arrays (reading and writing 1.5 M tokens as JSON strings
    took ~0.5 s at 1,000 posts; as arrays, milliseconds)."""

    vocabulary: list[str]
    ids: np.ndarray
    """int32: every row's token ids, one row after the other."""
    offsets: np.ndarray
    """int64, one more than rows: row i is ids[offsets[i]:offsets[i + 1]]."""

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def row(self, number: int) -> np.ndarray:
        return self.ids[self.offsets[number] : self.offsets[number + 1]]

    @classmethod
    def assemble(cls, rows: list[list[str] | tuple["TokenRows", int]]) -> "TokenRows":
        """Rows given as tokens (a new chunk) or as (rows, row number) of earlier rows (a kept chunk,
        whose ids are re-mapped without looking at its tokens). Only words some row uses are kept."""
        vocabulary: dict[str, int] = {}
        parts: list[np.ndarray] = []
        remaps: dict[int, np.ndarray] = {}  # earlier vocabulary id -> id here, per earlier TokenRows
        for row in rows:
            if isinstance(row, tuple):
                earlier, number = row
                if id(earlier) not in remaps:
                    remaps[id(earlier)] = np.array([vocabulary.setdefault(w, len(vocabulary)) for w in earlier.vocabulary],
                                                   dtype=np.int32)
                parts.append(remaps[id(earlier)][earlier.row(number)])
            else:
                tokens = row or [EMPTY_TOKEN]
                parts.append(np.array([vocabulary.setdefault(w, len(vocabulary)) for w in tokens], dtype=np.int32))
        offsets = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(part) for part in parts], out=offsets[1:])
        ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        # An earlier vocabulary may hold words of removed chunks: drop them, or `knows()` would still find them.
        used = np.unique(ids)
        renumber = np.full(len(vocabulary), -1, dtype=np.int32)
        renumber[used] = np.arange(len(used), dtype=np.int32)
        words = list(vocabulary)
        return cls([words[i] for i in used], renumber[ids], offsets)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "ids.npy", self.ids)
        np.save(directory / "offsets.npy", self.offsets)
        (directory / "vocabulary.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "TokenRows":
        vocabulary = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
        return cls(vocabulary, np.load(directory / "ids.npy"), np.load(directory / "offsets.npy"))


class _ArrayBM25(bm25s.BM25):
    """bm25s whose index is built from token-id arrays in a few whole-corpus numpy passes, through the hook
    bm25s provides for that (`build_index_from_ids`). Its own build counts every document's tokens in Python:
    0.55 s at 1,000 posts, redone by every ingest (bm25s has no incremental add); this takes ~0.1 s.
    It builds bm25s's default scoring (Lucene's BM25), the one KeywordIndex uses; the scores equal bm25s's own
    (tests/test_bm25.py)."""

    def build_index_from_ids(self, unique_token_ids, corpus_token_ids, show_progress=True, leave_progress=False):
        self.nonoccurrence_array = None  # BM25L and BM25+ only, as in bm25s's own build
        n_docs, n_vocab = len(corpus_token_ids), len(unique_token_ids)
        lengths = np.fromiter(map(len, corpus_token_ids), dtype=np.int64, count=n_docs)
        tokens = np.concatenate(corpus_token_ids).astype(np.int64) if n_docs else np.zeros(0, dtype=np.int64)
        documents = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        # One sort of (word, document) pairs gives the term frequencies already in CSC order (by word, then document).
        # (np.unique would do it, but takes 8x as long as a plain sort at 1.6 M tokens.)
        keys = np.sort(tokens * n_docs + documents)
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        pairs, term_frequency = keys[starts], np.diff(np.r_[starts, len(keys)])
        vocab_idx, doc_idx = np.divmod(pairs, n_docs)
        doc_frequency = np.bincount(vocab_idx, minlength=n_vocab)
        idf = np.log(1 + (n_docs - doc_frequency + 0.5) / (doc_frequency + 0.5)).astype(self.dtype)
        tfc = term_frequency / (self.k1 * ((1 - self.b) + self.b * lengths[doc_idx] / lengths.mean()) + term_frequency)
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(doc_frequency, out=indptr[1:])
        return {"data": (idf[vocab_idx] * tfc).astype(self.dtype), "indices": doc_idx.astype(self.int_dtype),
                "indptr": indptr, "num_docs": n_docs}


class KeywordIndex:
    """BM25 over chunk texts; rows are in the order of the `ids` it was built with."""

    def __init__(self, bm25: bm25s.BM25, tokenizer: KeywordTokenizer) -> None:
        self._bm25 = bm25
        self.tokenizer = tokenizer
        self._by_skeleton: dict[str, set[str]] | None = None
        self._borrowed: frozenset[str] | None = None

    @classmethod
    def build(cls, texts: list[str], tokenizer: KeywordTokenizer) -> "KeywordIndex":
        return cls.from_tokens([tokenize(text, tokenizer) for text in texts], tokenizer)

    @classmethod
    def from_tokens(cls, corpus: list[list[str]], tokenizer: KeywordTokenizer) -> "KeywordIndex":
        return cls.from_rows(TokenRows.assemble(list(corpus)), tokenizer)

    @classmethod
    def from_rows(cls, rows: TokenRows, tokenizer: KeywordTokenizer) -> "KeywordIndex":
        """BM25 over already tokenised texts (an ingest keeps each chunk's tokens, so only new chunks are analysed)."""
        bm25 = _ArrayBM25()
        corpus_ids = [rows.row(number) for number in range(len(rows))]
        bm25.index((corpus_ids, {word: number for number, word in enumerate(rows.vocabulary)}), show_progress=False)
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

    def words(self) -> list[str]:
        """The archive's vocabulary: Kiwi morphemes, and the bigram side's tokens."""
        return [word for word in self._bm25.vocab_dict if isinstance(word, str)]

    def borrows(self, word: str) -> bool:
        """Whether the archive writes one of `word`'s English glosses as a loanword (`시험` -> test -> `테스트`):
        the same thing in its borrowed name. Other translations (`상대` -> comparison -> `비교`) are too loose:
        a Korean word has several senses, and the archive uses words for most of them."""
        if self._borrowed is None:
            self._borrowed = frozenset(source for archive_word in self.words() if _HANGUL_WORD.fullmatch(archive_word)
                                       for source in loanword_sources(archive_word))
        return bool(english_glosses(word) & self._borrowed)

    def spellings(self, name: str, limit: int = 3) -> list[str]:
        """Words of the archive in the other script that sound like `name` (`엔비디아` -> `nvidia`,
        `Chameleon` -> `카멜레온`), closest length first."""
        latin = name.isascii()
        wanted = {skeleton for skeleton in consonant_skeletons(name) if len(skeleton) >= MIN_SKELETON}
        if self._by_skeleton is None:
            self._by_skeleton = {}
            for word in self.words():
                if len(word) >= 2 and (word.isascii() and word.isalpha() and len(word) >= 3 or _HANGUL_WORD.fullmatch(word)):
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
