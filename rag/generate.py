"""Stage 5, with an LLM: a fluent answer written from the numbered sources, its citations verified.

The model sees the prompt of rag/prompts.py with the best passages of the retrieved sections
(`context_sources`); what it writes passes through the `CitationChecker` as it streams, so
markers that point outside the sources never reach the reader. A sentence written without a
marker gets the source it overlaps most (`attribute_unmarked`), shown as attributed; an
answer of bare markers is the refusal. Questions the archive cannot answer by construction
(a name it never mentions; see rag/korean.py) are refused before any model call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from . import messages
from .chain import not_found
from .citations import CitationChecker, attribute_unmarked, unsupported_markers
from .extractive import score_sentences
from .llm import LazyChatModel, explain_failure
from .prompts import answer_messages, digest_messages
from .records import Answer, Citation, ContextSource, RetrievedChunk
from .retrieve import Evidence
from .settings import Settings


class GeneratingAnswerer:
    def __init__(self, model: LazyChatModel, settings: Settings, name: str) -> None:
        self._model = model
        self._settings = settings
        self.name = name

    def stream(self, evidence: Evidence) -> Iterator[str | Answer]:
        question = evidence.question
        sources = context_sources(evidence)
        if not sources or question.unknown_terms(evidence.index.keywords.knows):
            refusal = not_found(evidence, self.name)
            yield refusal.text
            yield refusal
            return
        yield from self._write(evidence, sources, answer_messages(question.text, sources))

    def condense(self, evidence: Evidence, digest: Answer) -> Iterator[str | Answer]:
        """A period's digest (rag/timeline.py) rewritten by the model from its headline items, post by post,
        under the same citation checks; a period without posts keeps its message."""
        if not digest.citations:
            yield digest.text
            yield digest
            return
        sources = [ContextSource(RetrievedChunk(c.chunk, c.score), list(c.quotes)) for c in digest.citations]
        evidence = replace(evidence, hits=[source.hit for source in sources])
        for part in self._write(evidence, sources, digest_messages(evidence.question.text, sources)):
            yield replace(part, kind="digest", date_range=digest.date_range) if isinstance(part, Answer) else part

    def _write(self, evidence: Evidence, sources: list[ContextSource], prompt: list) -> Iterator[str | Answer]:
        question = evidence.question
        checker = CitationChecker(len(sources))
        written: list[str] = []
        try:
            for message_chunk in self._model.get().stream(prompt):
                shown = checker.feed(message_chunk.text)
                if shown:
                    written.append(shown)
                    yield shown
        except Exception as error:  # every failure becomes a message; the sources are still shown
            yield Answer(
                question.text, "".join(written).strip(), [], refused=False, date_range=question.date_range,
                retrieved=evidence.hits, answerer=self.name, error=explain_failure(error, self._settings),
            )
            return
        tail = checker.finish()
        if tail:
            written.append(tail)
            yield tail
        yield self.verified_answer(evidence, sources, "".join(written).strip(), checker)

    def verified_answer(
        self, evidence: Evidence, sources: list[ContextSource], text: str, checker: CitationChecker
    ) -> Answer:
        if not _NOT_WORDS.sub("", _MARKERS.sub("", text)):  # nothing but markers ("[1]"), or nothing: no answer
            return replace(not_found(evidence, self.name), removed_markers=checker.removed)
        model_cited = list(checker.cited)
        numbers = list(checker.cited)
        text, _ = attribute_unmarked(text, [source.text() for source in sources], numbers)
        cited = {label: sources[number - 1].hit for label, number in enumerate(numbers, start=1)}
        shown = {label: tuple(sources[number - 1].passages) for label, number in enumerate(numbers, start=1)}
        unsupported = unsupported_markers(text, {label: hit.chunk for label, hit in cited.items()})
        citations = [
            Citation(marker=label, chunk=hit.chunk, score=hit.score, supported=label not in unsupported,
                     attributed=numbers[label - 1] not in model_cited, quotes=shown[label])
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
            retrieved=evidence.hits, answerer=self.name, removed_markers=checker.removed, warning=warning,
        )


CONTEXT_PASSAGES = 6
CONTEXT_CHARS = 1500
"""What a model is shown: the best passages for the question (scored as the extractive answerer scores
them: stored sentence vectors and morphemes), at most this many and this long in all."""
_MARKERS = re.compile(r"\[\d+\]")
_NOT_WORDS = re.compile(r"[\W_]+")


def context_sources(evidence: Evidence) -> list[ContextSource]:
    """The retrieved sections that hold one of the best passages, best first, each with those passages."""
    chosen: dict[str, ContextSource] = {}
    total = 0
    for item in score_sentences(evidence):
        if sum(len(source.passages) for source in chosen.values()) == CONTEXT_PASSAGES:
            break
        shown = [passage for source in chosen.values() for passage in source.passages]
        if total + len(item.text) > CONTEXT_CHARS or any(item.text in p or p in item.text for p in shown):
            continue
        chosen.setdefault(item.source.chunk.id, ContextSource(item.source, [])).passages.append(item.text)
        total += len(item.text)
    return list(chosen.values())
