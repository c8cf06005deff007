"""Stage 5: from retrieved chunks to a cited Korean answer.

The default answerer needs no LLM: it quotes the sentences of the retrieved chunks
that best answer the question, each followed by the `[n]` of its source. A sentence's
relevance is its embedding similarity to the question plus the share of the
question's content morphemes it contains; when the best sentence scores below
`min_relevance` the archive is taken not to answer the question.

The chain is a LangChain Runnable, question -> retriever -> answerer, so another
answerer (an LLM) plugs into the same chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda, RunnableParallel, RunnablePassthrough

from .dates import find_date_scope, strip_phrase
from .keyword import kiwi, kiwi_tokens
from .records import Answer, Citation, RetrievedChunk
from .retrieve import from_document
from .settings import NOT_FOUND_ANSWER, Settings

LEXICAL_WEIGHT = 0.5
"""How much the share of question morphemes found in a sentence adds to its cosine similarity."""
SELECTION_MARGIN = 0.06
"""Further sentences are quoted only when they score within this of the best one."""
MIN_SENTENCE_CHARS = 12

_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"\*\*|__|`")
# Question words and fillers that say nothing about the topic.
_QUESTION_MORPHEMES = {"뭐", "무엇", "무슨", "어떤", "어디", "언제", "누구", "얼마", "어떻", "몇", "왜", "말", "하",
                       "되", "있", "없", "이", "거", "것", "수", "대", "얘기", "내용", "글", "다이제스트", "나오",
                       "관련", "대하", "알려주", "설명", "어느"}


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


def topic_morphemes(question: str) -> set[str]:
    """Content morphemes of the question, without its date words and question words."""
    topic = strip_phrase(question, find_date_scope(question))
    return {token for token in kiwi_tokens(topic) if token not in _QUESTION_MORPHEMES}


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embeddings: Embeddings, settings: Settings) -> None:
        self._embeddings = embeddings
        self._settings = settings

    def score_sentences(self, question: str, hits: list[RetrievedChunk]) -> list[ScoredSentence]:
        candidates = [(sentence, hit) for hit in hits for sentence in sentences_of(hit.chunk.text)]
        if not candidates:
            return []
        query_vector = np.asarray(self._embeddings.embed_query(strip_phrase(question, find_date_scope(question))))
        sentence_vectors = np.asarray(self._embeddings.embed_documents([sentence for sentence, _ in candidates]))
        similarities = sentence_vectors @ query_vector
        wanted = topic_morphemes(question)
        scored = []
        for (sentence, hit), similarity in zip(candidates, similarities):
            coverage = len(wanted & set(kiwi_tokens(sentence))) / len(wanted) if wanted else 0.0
            scored.append(ScoredSentence(sentence, hit, float(similarity) + LEXICAL_WEIGHT * coverage))
        return sorted(scored, key=lambda item: -item.relevance)

    def answer(self, question: str, hits: list[RetrievedChunk]) -> Answer:
        scored = self.score_sentences(question, hits)
        if not scored or scored[0].relevance < self._settings.min_relevance:
            return Answer(question=question, text=NOT_FOUND_ANSWER, citations=[], refused=True)
        best = scored[0].relevance
        chosen: list[ScoredSentence] = []
        for item in scored:
            if len(chosen) == self._settings.answer_sentences or item.relevance < best - SELECTION_MARGIN:
                break
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
        return Answer(question=question, text=" ".join(parts), citations=citations, refused=False)

    def as_runnable(self) -> Runnable[dict, Answer]:
        def run(inputs: dict) -> Answer:
            documents: list[Document] = inputs["documents"]
            return self.answer(inputs["question"], [from_document(document) for document in documents])

        return RunnableLambda(run, name="extractive_answer")


def build_chain(retriever: BaseRetriever, answerer: ExtractiveAnswerer) -> Runnable[str, Answer]:
    """question -> {question, documents} -> Answer."""
    return RunnableParallel(question=RunnablePassthrough(), documents=retriever) | answerer.as_runnable()
