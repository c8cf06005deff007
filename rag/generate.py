"""Stage 5, with an LLM: a fluent answer written from the numbered sources, its citations verified.

The model sees the prompt of rag/prompts.py; what it writes passes through the
`CitationChecker` as it streams, so markers that point outside the sources never reach
the reader. Questions the archive cannot answer by construction (a name it never
mentions; see `Answerability`) are refused before any model call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from langchain_core.language_models import BaseChatModel

from .answer import Answerability
from .citations import CitationChecker, unsupported_markers
from .keyword import KeywordIndex
from .llm import explain_failure
from .prompts import answer_messages
from .records import Answer, Citation, RetrievedChunk
from .settings import NOT_FOUND_ANSWER, Settings

UNCITED_WARNING = "⚠ 이 답변에는 확인된 출처 표시가 없습니다. 아래 검색된 자료와 직접 대조해 보세요."
UNSUPPORTED_WARNING = "⚠ 출처 {markers}의 내용이 답변과 맞지 않아 보입니다. 해당 출처를 직접 확인해 보세요."


class GeneratingAnswerer:
    def __init__(
        self, make_model: Callable[[], BaseChatModel], keywords: KeywordIndex, settings: Settings, name: str
    ) -> None:
        self._make_model = make_model
        self._model: BaseChatModel | None = None
        self._keywords = keywords
        self._settings = settings
        self.name = name

    @property
    def model(self) -> BaseChatModel:
        """Built on first use, so a configuration error surfaces as an answer's error, beside its sources."""
        if self._model is None:
            self._model = self._make_model()
        return self._model

    def stream(self, question: str, hits: list[RetrievedChunk]) -> Iterator[str | Answer]:
        if not hits or Answerability.of(question, self._keywords).rules_out_archive():
            yield NOT_FOUND_ANSWER
            yield Answer(question, NOT_FOUND_ANSWER, [], refused=True, retrieved=hits, answerer=self.name)
            return
        checker = CitationChecker(len(hits))
        written: list[str] = []
        try:
            for message_chunk in self.model.stream(answer_messages(question, hits)):
                shown = checker.feed(message_chunk.text)
                if shown:
                    written.append(shown)
                    yield shown
        except Exception as error:  # every failure becomes a message; the sources are still shown
            yield Answer(
                question, "".join(written).strip(), [], refused=False, retrieved=hits, answerer=self.name,
                error=explain_failure(error, self._settings),
            )
            return
        tail = checker.finish()
        if tail:
            written.append(tail)
            yield tail
        yield self.verified_answer(question, "".join(written).strip(), hits, checker)

    def verified_answer(self, question: str, text: str, hits: list[RetrievedChunk], checker: CitationChecker) -> Answer:
        cited = {label: hits[number - 1] for label, number in enumerate(checker.cited, start=1)}
        unsupported = unsupported_markers(text, {label: hit.chunk for label, hit in cited.items()})
        citations = [
            Citation(marker=label, chunk=hit.chunk, score=hit.score, supported=label not in unsupported)
            for label, hit in cited.items()
        ]
        refused = not citations and text.startswith(NOT_FOUND_ANSWER)
        if unsupported:
            warning = UNSUPPORTED_WARNING.format(markers="".join(f"[{marker}]" for marker in sorted(unsupported)))
        else:
            warning = None if citations or refused else UNCITED_WARNING
        return Answer(
            question, text, citations, refused=refused, retrieved=hits, answerer=self.name,
            removed_markers=checker.removed, warning=warning,
        )
