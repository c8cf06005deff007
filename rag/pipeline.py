"""The one object every interface (CLI, UI, Space) shares, built from its parts.

    question -> analyse (rag/korean.py) -> retrieve (rag/retrieve.py) -> answer (rag/extractive.py
    or rag/generate.py) -> Answer, presented by rag/present.py

`Pipeline.from_settings()` picks the parts the settings name; tests and benchmarks pass
their own parts to the constructor instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict

from langchain_core.embeddings import Embeddings
from langchain_core.runnables import Runnable, RunnableLambda

from . import messages
from .chain import Answerer, AnswerStep
from .conversation import FollowUpRewriter, RuleRewriter, Turn
from .dates import impossible_dates
from .embed import make_embeddings
from .errors import QuestionError
from .extractive import ExtractiveAnswerer
from .index import IngestReport, LiveIndex, PlanCallback
from .korean import without_invisible_characters
from .records import Answer
from .retrieve import Evidence, HybridRetriever, find_evidence
from .settings import Settings
from .timeline import ByIntent, digest, timeline


class Query(TypedDict, total=False):
    """The chain's input: a question and an optional date range (a plain string is a question alone)."""

    question: str
    since: date | None
    until: date | None


@dataclass
class Pipeline:
    settings: Settings
    embeddings: Embeddings
    index: LiveIndex
    answerer: Answerer
    rewriter: FollowUpRewriter
    _chain: Runnable[Query | str, Answer] | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, embeddings: Embeddings | None = None) -> "Pipeline":
        settings = settings or Settings()
        embeddings = embeddings or make_embeddings(settings.embedder, settings.query_prefix, settings.passage_prefix)
        answerer: Answerer
        rewriter: FollowUpRewriter
        if settings.llm == "extractive":
            answerer, rewriter = ExtractiveAnswerer(settings), RuleRewriter()
        else:  # LangChain's chat-model stack loads only when an LLM is configured (~1 s of imports)
            from .conversation import ModelRewriter
            from .generate import GeneratingAnswerer
            from .llm import LazyChatModel, llm_name, make_chat_model

            model = LazyChatModel(lambda: make_chat_model(settings))
            answerer = GeneratingAnswerer(model, settings, name=llm_name(settings))
            rewriter = ModelRewriter(model, settings.max_question_chars)
        return cls(settings, embeddings, LiveIndex(settings, embeddings), answerer, rewriter)

    @property
    def answerer_name(self) -> str:
        return self.answerer.name

    def ensure_index(self, show_progress: bool = True, on_plan: PlanCallback | None = None) -> IngestReport | None:
        """Build the index when there is none yet; the report says what was built."""
        return None if self.index.exists() else self.index.ingest(show_progress, on_plan)

    def ingest(self, show_progress: bool = True, on_plan: PlanCallback | None = None) -> IngestReport:
        """`on_plan` sees the problems and the work to do before anything is embedded."""
        return self.index.ingest(show_progress, on_plan)

    def check_question(self, question: str) -> str:
        """The question without invisible characters (controls, zero-width spaces); empty, too long or naming a
        date no calendar holds (`2024-02-30`: answering it from other dates would cite unrelated posts) is an error."""
        question = without_invisible_characters(question).strip()
        if not question:
            raise QuestionError(messages.EMPTY_QUESTION)
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(messages.QUESTION_TOO_LONG.format(length=len(question), limit=limit),
                                "RAG_MAX_QUESTION_CHARS")
        no_such_dates = impossible_dates(question)
        if no_such_dates:
            raise QuestionError(messages.NO_SUCH_DATE.format(phrase=no_such_dates[0]))
        return question

    def evidence(self, query: Query | str) -> Evidence:
        """Analyse the question once, against the live index generation, and retrieve for it. A period whose
        start is after its end is an error (a question's own `5월 9일~1일` is read either way round)."""
        query = {"question": query} if isinstance(query, str) else query
        since, until = query.get("since"), query.get("until")
        if since and until and since > until:
            raise QuestionError(messages.PERIOD_REVERSED.format(since=since.isoformat(), until=until.isoformat()))
        return find_evidence(
            self.index.current(), self.embeddings, query["question"], self.settings, since, until
        )

    def chain(self) -> Runnable[Query | str, Answer]:
        """question -> evidence -> answer (a timeline or a digest when the question asks for one, rag/intent.py);
        `.stream()` yields text pieces, then the `Answer`. Built once: composing runnables inspects
        signatures (~0.4 ms a question)."""
        if self._chain is None:
            self._chain = RunnableLambda(self.evidence) | AnswerStep(ByIntent(self.answerer))
        return self._chain

    def retriever(self) -> HybridRetriever:
        """The same search as a LangChain retriever (query string -> Documents)."""
        return HybridRetriever(live=self.index, settings=self.settings)

    def standalone_question(self, question: str, history: list[Turn]) -> str:
        """A follow-up rewritten to stand alone; unchanged without history."""
        recent = history[-self.settings.history_turns:] if self.settings.history_turns else []
        if not recent:
            return question
        return self.rewriter.rewrite(question, recent, self.index.current().post_dates)

    def stream(self, question: str, since: date | None = None, until: date | None = None) -> Iterator[str | Answer]:
        """Text pieces as they are written, then the finished Answer with its verified citations."""
        question = self.check_question(question)
        yield from self.chain().stream({"question": question, "since": since, "until": until})

    def timeline(self, topic: str, since: date | None = None, until: date | None = None) -> Answer:
        """Every post that mentions `topic`, oldest first, one cited sentence each."""
        return timeline(self.evidence({"question": self.check_question(topic), "since": since, "until": until}))

    def digest(self, since: date | None = None, until: date | None = None) -> Answer:
        """The headline items of every post from `since` to `until` (default: the archive's last week)."""
        return digest(self.evidence({"question": messages.DIGEST_QUESTION, "since": since, "until": until}))

    def ask(self, question: str, since: date | None = None, until: date | None = None) -> Answer:
        *_, answer = self.stream(question, since, until)
        return answer
