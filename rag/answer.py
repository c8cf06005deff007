"""Stage 5: from retrieved chunks to a cited Korean answer.

The default answerer needs no LLM: it quotes the sentences of the retrieved chunks
that best answer the question, each followed by the `[n]` of its source. A sentence's
relevance is its embedding similarity to the question plus the share of the
question's content morphemes it contains; when the best sentence scores below
`min_relevance` the archive is taken not to answer the question.

Relevance alone cannot tell "the archive mentions AlphaFold 3" from "the archive says
which journal published it", so three checks on the question come first (`Answerability`):
a Latin-script name the archive never mentions, a wh-word's focus noun (`어느 저널`,
`저자가 누구`) the archive never uses, and an answer type (`언제` needs a date, `몇`/`얼마`
a number, `누구`/`어디` a name) that no well-scoring sentence supplies.

The chain is a LangChain Runnable, question -> retriever -> answerer; any answerer with
a `stream(question, hits)` method plugs into it (the LLM one is in rag/generate.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig, RunnableParallel, RunnablePassthrough

from .dates import find_date_scope, strip_phrase
from .keyword import KeywordIndex, kiwi, kiwi_tokens
from .records import Answer, Citation, RetrievedChunk
from .retrieve import from_document
from .settings import NOT_FOUND_ANSWER, Settings

LEXICAL_WEIGHT = 0.5
"""How much the share of question morphemes found in a sentence adds to its cosine similarity."""
SELECTION_MARGIN = 0.08
"""Further sentences of the best sentence's post are quoted when they score within this of it..."""
OTHER_POST_MARGIN = 0.01
"""...and sentences of other posts only when they score this close (a wrong post costs more than a missing one)."""
MIN_SENTENCE_CHARS = 12
TYPE_CHECK_DEPTH = 5
"""An answer of the asked type (date, number, name) must be among this many best sentences."""

_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"\*\*|__|`")
# Question words and fillers that say nothing about the topic.
QUESTION_MORPHEMES = {"뭐", "무엇", "무슨", "어떤", "어디", "언제", "누구", "얼마", "어떻", "몇", "왜", "말", "하",
                       "되", "있", "없", "이", "거", "것", "수", "대", "얘기", "내용", "글", "다이제스트", "나오",
                       "관련", "대하", "알려주", "설명", "어느", "방법"}


_NOUN_TAGS = ("NNG", "NNP", "SL")
_TIME = re.compile(r"\d{4}\s*년|\d{1,2}\s*월|\d{1,2}\s*일|\d{4}-\d{1,2}|분기|상반기|하반기|올해|내년|작년|이번 주|다음 주|지난주|출시일")
_NUMBER = re.compile(r"\d|(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s*(?:가지|개|명|단계|번|배|장)")
_NAME = re.compile(r"@\w+|[A-Za-z][A-Za-z0-9]+")
_ANSWER_TYPES = {"언제": _TIME, "몇": _NUMBER, "얼마": _NUMBER, "얼마나": _NUMBER, "누구": _NAME, "어디": _NAME}
_FOCUS_AFTER = {"어느"}
_FOCUS_BEFORE = {"언제", "누구", "어디"}


@dataclass(frozen=True)
class Answerability:
    """What a question needs from the archive beyond topical similarity."""

    unknown_names: list[str]
    """Latin-script words of the question that appear nowhere in the archive."""
    unknown_focus: str | None
    """The noun a wh-word asks about (`저널` in `어느 저널`), when the archive never uses it."""
    answer_type: re.Pattern[str] | None
    """What a quoted sentence must contain (a date, a number, a name)."""

    @classmethod
    def of(cls, question: str, keywords: KeywordIndex) -> "Answerability":
        tokens = kiwi().tokenize(question)
        unknown_names = [t.form for t in tokens if t.tag == "SL" and not keywords.knows(t.form)]
        answer_type = next((_ANSWER_TYPES[t.form] for t in tokens if t.form in _ANSWER_TYPES), None)
        focus = None
        for position, token in enumerate(tokens):
            if token.form in _FOCUS_AFTER and position + 1 < len(tokens) and tokens[position + 1].tag in _NOUN_TAGS:
                focus = tokens[position + 1].form
            elif token.form in _FOCUS_BEFORE:
                before = [t for t in tokens[:position] if not t.tag.startswith(("J", "SF", "SP"))]
                if before and before[-1].tag in _NOUN_TAGS:
                    focus = before[-1].form
        unknown_focus = focus if focus and focus not in QUESTION_MORPHEMES and not keywords.knows(focus) else None
        return cls(unknown_names, unknown_focus, answer_type)

    def rules_out_archive(self) -> bool:
        return bool(self.unknown_names or self.unknown_focus)

    def accepts(self, sentence: str) -> bool:
        return self.answer_type is None or bool(self.answer_type.search(sentence))


@dataclass(frozen=True)
class ScoredSentence:
    text: str
    source: RetrievedChunk
    relevance: float


def sentences_of(text: str) -> list[str]:
    """Readable sentences of a chunk: one list item or paragraph line at a time, split by Kiwi."""
    found: list[str] = []
    for line in text.splitlines():
        line = _EMPHASIS.sub("", _BULLET.sub("", line)).strip()
        if len(line) < MIN_SENTENCE_CHARS:
            continue
        found.extend(sentence.text.strip() for sentence in kiwi().split_into_sents(line))
    return [sentence for sentence in found if len(sentence) >= MIN_SENTENCE_CHARS]


def topic_of(question: str) -> str:
    """The question without its date words: dates scope the search, they are not the topic."""
    return strip_phrase(question, find_date_scope(question))


def topic_morphemes(topic: str) -> set[str]:
    """Content morphemes of the topic, without question words."""
    return {token for token in kiwi_tokens(topic) if token not in QUESTION_MORPHEMES}


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embeddings: Embeddings, keywords: KeywordIndex, settings: Settings) -> None:
        self._embeddings = embeddings
        self._keywords = keywords
        self._settings = settings

    def score_sentences(self, question: str, hits: list[RetrievedChunk]) -> list[ScoredSentence]:
        candidates = [(sentence, hit) for hit in hits for sentence in sentences_of(hit.chunk.text)]
        if not candidates:
            return []
        topic = topic_of(question)
        query_vector = np.asarray(self._embeddings.embed_query(topic))
        sentence_vectors = np.asarray(self._embeddings.embed_documents([sentence for sentence, _ in candidates]))
        similarities = sentence_vectors @ query_vector
        wanted = topic_morphemes(topic)
        scored = []
        for (sentence, hit), similarity in zip(candidates, similarities):
            coverage = len(wanted & set(kiwi_tokens(sentence))) / len(wanted) if wanted else 0.0
            scored.append(ScoredSentence(sentence, hit, float(similarity) + LEXICAL_WEIGHT * coverage))
        return sorted(scored, key=lambda item: -item.relevance)

    def answer(self, question: str, hits: list[RetrievedChunk]) -> Answer:
        needs = Answerability.of(question, self._keywords)
        scored = [] if needs.rules_out_archive() else self.score_sentences(question, hits)
        scored = [item for item in scored[:TYPE_CHECK_DEPTH] if needs.accepts(item.text)]
        if not scored or scored[0].relevance < self._settings.min_relevance:
            return Answer(question=question, text=NOT_FOUND_ANSWER, citations=[], refused=True, retrieved=hits)
        best = scored[0]
        chosen: list[ScoredSentence] = []
        for item in scored:
            margin = SELECTION_MARGIN if item.source.chunk.slug == best.source.chunk.slug else OTHER_POST_MARGIN
            if len(chosen) < self._settings.answer_sentences and item.relevance >= best.relevance - margin:
                if all(item.text != other.text for other in chosen):
                    chosen.append(item)
        citations: list[Citation] = []
        markers: dict[str, int] = {}
        parts: list[str] = []
        for item in chosen:
            chunk = item.source.chunk
            if chunk.id not in markers:
                markers[chunk.id] = len(markers) + 1
                citations.append(Citation(marker=markers[chunk.id], chunk=chunk, score=item.relevance))
            parts.append(f"{item.text} [{markers[chunk.id]}]")
        return Answer(question=question, text=" ".join(parts), citations=citations, refused=False, retrieved=hits)

    def stream(self, question: str, hits: list[RetrievedChunk]) -> Iterator[str | Answer]:
        answer = self.answer(question, hits)
        yield answer.text
        yield answer


class Answerer(Protocol):
    name: str

    def stream(self, question: str, hits: list[RetrievedChunk]) -> Iterator[str | Answer]:
        """Text pieces as they are written, then the finished `Answer` (same text, verified citations)."""
        ...


class AnswerStep(Runnable[dict, Answer]):
    """{question, documents} -> Answer. `.stream()` yields text pieces (str), then the final `Answer`."""

    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer

    def invoke(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        *_, answer = self.stream(input, config)
        return answer

    def stream(self, input: dict, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[str | Answer]:
        documents: list[Document] = input["documents"]
        yield from self.answerer.stream(input["question"], [from_document(document) for document in documents])


def build_chain(retriever: BaseRetriever, answerer: Answerer) -> Runnable[str, Answer]:
    """question -> {question, documents} -> Answer; streaming yields text pieces, then the Answer."""
    return RunnableParallel(question=RunnablePassthrough(), documents=retriever) | AnswerStep(answerer)
