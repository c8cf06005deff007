"""The one object every interface (CLI, UI, Space) shares: settings -> embedder -> index -> chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import cached_property

from langchain_core.embeddings import Embeddings

from .answer import ExtractiveAnswerer, build_chain
from .embed import make_embeddings
from .index import ArchiveIndex, IngestReport, index_exists, ingest
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
    def answerer(self) -> ExtractiveAnswerer:
        return ExtractiveAnswerer(self.embeddings, self.index.keywords, self.settings)

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

    def ask(self, question: str, since: date | None = None, until: date | None = None) -> Answer:
        question = self.check_question(question)
        retriever = self.retriever(since, until)
        answer = build_chain(retriever, self.answerer).invoke(question)
        scope = retriever.scope_for(question)
        return replace(answer, date_range=(scope.start, scope.end) if scope else None)
