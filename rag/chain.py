"""Stage 5, the frame: any answerer plugs into one LangChain chain, question -> evidence -> answer.

An answerer turns `Evidence` into text pieces (streamed as written) followed by the
finished `Answer`; the extractive one is in rag/extractive.py, the LLM one in rag/generate.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableConfig

from .messages import NOT_FOUND_ANSWER
from .records import Answer
from .retrieve import Evidence


class Answerer(Protocol):
    name: str

    def stream(self, evidence: Evidence) -> Iterator[str | Answer]:
        """Text pieces as they are written, then the finished `Answer` (same text, verified citations)."""
        ...


def not_found(evidence: Evidence, answerer: str) -> Answer:
    """The refusal: the archive does not answer this question."""
    return Answer(
        question=evidence.question.text, text=NOT_FOUND_ANSWER, citations=[], refused=True,
        date_range=evidence.question.date_range, retrieved=evidence.hits, answerer=answerer,
    )


class AnswerStep(Runnable[Evidence, Answer]):
    """Evidence -> Answer. `.stream()` yields text pieces (str), then the final `Answer`."""

    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer

    def invoke(self, input: Evidence, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        *_, answer = self.stream(input, config)
        return answer

    def stream(self, input: Evidence, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[str | Answer]:
        yield from self.answerer.stream(input)
