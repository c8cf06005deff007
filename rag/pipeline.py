"""The one object every interface (CLI, UI, Space) shares: settings -> embedder -> index -> chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from functools import cached_property

from langchain_core.embeddings import Embeddings

from .answer import Answerer, ExtractiveAnswerer, build_chain
from .conversation import Turn, carry_over_topic, rewrite_with_model
from .embed import make_embeddings
from .generate import GeneratingAnswerer
from .index import ArchiveIndex, IngestReport, index_exists, ingest
from .llm import LLMError, llm_name, make_chat_model
from .records import Answer
from .retrieve import HybridRetriever
from .settings import Settings


class QuestionError(ValueError):
    """A question that cannot be asked as given; the message is for the user."""


class Pipeline:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()

    @cached_property
    def embeddings(self) -> Embeddings:
        return make_embeddings(self.settings.embedder, self.settings.query_prefix, self.settings.passage_prefix)

    @cached_property
    def index(self) -> ArchiveIndex:
        return ArchiveIndex(self.settings, self.embeddings)

    @cached_property
    def answerer(self) -> Answerer:
        if self.settings.llm == "extractive":
            return ExtractiveAnswerer(self.embeddings, self.index.keywords, self.settings)
        return GeneratingAnswerer(
            lambda: make_chat_model(self.settings), self.index.keywords, self.settings, name=self.answerer_name
        )

    @property
    def answerer_name(self) -> str:
        return llm_name(self.settings)

    def has_index(self) -> bool:
        return index_exists(self.settings)

    def ingest(self, show_progress: bool = True) -> IngestReport:
        report = ingest(self.settings, self.embeddings, show_progress=show_progress)
        for stale in ("index", "answerer"):  # reopen on the generation just written
            self.__dict__.pop(stale, None)
        return report

    def retriever(self, since: date | None = None, until: date | None = None) -> HybridRetriever:
        return HybridRetriever(index=self.index, settings=self.settings, since=since, until=until)

    def chain(self, since: date | None = None, until: date | None = None):
        return build_chain(self.retriever(since, until), self.answerer)

    def check_question(self, question: str) -> str:
        question = question.strip()
        if not question:
            raise QuestionError("질문을 입력해 주세요.")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"질문이 너무 깁니다 ({len(question)}자). {self.settings.max_question_chars}자 이내로 줄여 주세요."
            )
        return question

    def standalone_question(self, question: str, history: list[Turn]) -> str:
        """A follow-up rewritten to stand alone (by the LLM if one is configured); unchanged without history."""
        recent = history[-self.settings.history_turns:] if self.settings.history_turns else []
        if not recent:
            return question
        if isinstance(self.answerer, GeneratingAnswerer):
            try:
                model = self.answerer.model
            except LLMError:  # the answer that follows reports it, with its sources
                return carry_over_topic(question, recent)
            return rewrite_with_model(question, recent, model, self.settings.max_question_chars)
        return carry_over_topic(question, recent)

    def stream(self, question: str, since: date | None = None, until: date | None = None) -> Iterator[str | Answer]:
        """Text pieces as they are written, then the finished Answer with its verified citations."""
        question = self.check_question(question)
        retriever = self.retriever(since, until)
        for part in build_chain(retriever, self.answerer).stream(question):
            if isinstance(part, Answer):
                scope = retriever.scope_for(question)
                part = replace(part, date_range=(scope.start, scope.end) if scope else None)
            yield part

    def ask(self, question: str, since: date | None = None, until: date | None = None) -> Answer:
        *_, answer = self.stream(question, since, until)
        return answer
