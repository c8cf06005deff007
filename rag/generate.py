"""Stage 5, with an LLM: a fluent answer written from the quotes the extractive answerer chose, its citations verified.

A 1.5B model on 2 cores reads ~65 prompt tokens a second and loses a fact among five whole
sections, while the extractive answerer (rag/extractive.py) already knows which passages
answer and when nothing does. So the model is shown exactly what the extractive answer
quotes (`context_sources`: those passages with their post's date and title), and is not
called when that answer is "not found". What it writes passes through the `CitationChecker`
as it streams, so markers that point outside the sources never reach the reader. A sentence
written without a marker gets the source it overlaps most (`attribute_unmarked`), shown as
attributed. When the model's answer falls short of the quotes (its not-found sentence, bare
markers, nothing, no answer of the asked kind, English prose, or posts of a several-post
question left out) the reader gets the extractive answer it was given, with a note: the
passages answer by the same measure that calibrated refusals, and a small model refuses far
more often.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from . import messages
from .chain import not_found
from .citations import CitationChecker, attribute_unmarked, unsupported_markers
from .extractive import ExtractiveAnswerer
from .korean import is_english_prose
from .llm import LazyChatModel, explain_failure
from .prompts import answer_messages, digest_messages
from .records import Answer, Citation, ContextSource, RetrievedChunk
from .retrieve import Evidence
from .settings import Settings


class GeneratingAnswerer:
    def __init__(self, model: LazyChatModel, settings: Settings, name: str) -> None:
        self._model = model
        self._settings = settings
        self._quoter = ExtractiveAnswerer(settings)
        self.name = name

    def stream(self, evidence: Evidence) -> Iterator[str | Answer]:
        quoted = self._quoter.answer(evidence)
        if quoted.refused:
            refusal = replace(quoted, answerer=self.name)
            yield refusal.text
            yield refusal
            return
        sources = context_sources(quoted)
        for part in self._write(evidence, sources, answer_messages(evidence.question.text, sources)):
            yield replace(quoted, warning=messages.MODEL_DECLINED_NOTE) if _falls_short(part, evidence, sources) else part

    def condense(self, evidence: Evidence, digest: Answer) -> Iterator[str | Answer]:
        """A period's digest (rag/timeline.py) rewritten by the model from its headline items, post by post,
        under the same citation checks; a period without posts keeps its message."""
        if not digest.citations:
            yield digest.text
            yield digest
            return
        sources = context_sources(digest)
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
        if not _NOT_WORDS.sub("", _BRACKETED.sub("", text)):  # nothing but markers ("[1]", "[L1]"), or nothing
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


_BRACKETED = re.compile(r"\[[^\[\]]{0,12}\]|【[^【】]{0,12}】")
"""Markers and marker-like labels (`[1, 2]`, `[L1]`): an answer of these alone says nothing."""
_NOT_WORDS = re.compile(r"[\W_]+")


def _falls_short(part: str | Answer, evidence: Evidence, sources: list[ContextSource]) -> bool:
    """Whether the model's finished answer is worse than the quotes it was shown: it declines (its not-found
    sentence or only markers), holds no answer of the asked kind (a number for 몇/얼마, a date for 언제, a name
    for 누구/어디 — the check each quote passed), is written in English (readers are answered in Korean, and an
    English answer carries no markers), or leaves out posts a question about several posts was shown. A failed
    model call does not fall short: its message is shown."""
    if not isinstance(part, Answer) or part.error is not None:
        return False
    question = evidence.question
    text = _BRACKETED.sub("", part.text)
    shown_posts = {source.hit.chunk.slug for source in sources}
    cited_posts = {citation.chunk.slug for citation in part.citations}
    return (part.refused or not question.accepts(text) or is_english_prose(text)
            or question.many_posts and not shown_posts <= cited_posts)


def context_sources(quoted: Answer) -> list[ContextSource]:
    """What the model is shown: an extractive answer's (or a digest's) citations, each section with its quotes."""
    return [ContextSource(RetrievedChunk(c.chunk, c.score), list(c.quotes)) for c in quoted.citations]
