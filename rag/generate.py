"""Stage 5, with an LLM: a fluent answer written from the numbered sources, its citations verified.

The model sees the prompt of rag/prompts.py; what it writes passes through the
`CitationChecker` as it streams, so markers that point outside the sources never reach
the reader. Questions the archive cannot answer by construction (a name it never
mentions; see rag/korean.py) are refused before any model call.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import messages
from .chain import not_found
from .citations import CitationChecker, unsupported_markers
from .llm import LazyChatModel, explain_failure
from .prompts import answer_messages
from .records import Answer, Citation
from .retrieve import Evidence
from .settings import Settings


class GeneratingAnswerer:
    def __init__(self, model: LazyChatModel, settings: Settings, name: str) -> None:
        self._model = model
        self._settings = settings
        self.name = name

    def stream(self, evidence: Evidence) -> Iterator[str | Answer]:
        question, hits = evidence.question, evidence.hits
        if not hits or question.unknown_terms(evidence.index.keywords.knows):
            refusal = not_found(evidence, self.name)
            yield refusal.text
            yield refusal
            return
        checker = CitationChecker(len(hits))
        written: list[str] = []
        try:
            for message_chunk in self._model.get().stream(answer_messages(question.text, hits)):
                shown = checker.feed(message_chunk.text)
                if shown:
                    written.append(shown)
                    yield shown
        except Exception as error:  # every failure becomes a message; the sources are still shown
            yield Answer(
                question.text, "".join(written).strip(), [], refused=False, date_range=question.date_range,
                retrieved=hits, answerer=self.name, error=explain_failure(error, self._settings),
            )
            return
        tail = checker.finish()
        if tail:
            written.append(tail)
            yield tail
        yield self.verified_answer(evidence, "".join(written).strip(), checker)

    def verified_answer(self, evidence: Evidence, text: str, checker: CitationChecker) -> Answer:
        hits = evidence.hits
        cited = {label: hits[number - 1] for label, number in enumerate(checker.cited, start=1)}
        unsupported = unsupported_markers(text, {label: hit.chunk for label, hit in cited.items()})
        citations = [
            Citation(marker=label, chunk=hit.chunk, score=hit.score, supported=label not in unsupported)
            for label, hit in cited.items()
        ]
        refused = not citations and text.startswith(messages.NOT_FOUND_ANSWER)
        if unsupported:
            markers = "".join(f"[{marker}]" for marker in sorted(unsupported))
            warning = messages.UNSUPPORTED_WARNING.format(markers=markers)
        else:
            warning = None if citations or refused else messages.UNCITED_WARNING
        return Answer(
            evidence.question.text, text, citations, refused=refused, date_range=evidence.question.date_range,
            retrieved=hits, answerer=self.name, removed_markers=checker.removed, warning=warning,
        )
