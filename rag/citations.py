"""Checking the `[n]` markers of a generated answer against the sources it was given.

Markers are read in the forms models write them: `[1]`, `[1, 2]`, `[1][2]`, `【1】`.
Each valid source number is rewritten as `[k]`, k counting the sources in order of
first citation, so the text agrees with the source list shown under it; a number
outside the given sources is removed and counted.

The check runs on the stream as it arrives: text that may be the start of a marker
(`[`, `[1`, `【2,`) is held back until it is complete, so what is streamed to the
reader is already the verified text.

Once the answer is complete, each claim (the text up to a group of markers) is compared
with the sources it cites: a claim that shares too few content morphemes with them is
flagged as unsupported, so a marker that points at an unrelated source does not pass
as a citation. Small models often write the right sentence and no marker at all: a
sentence without one gets the source it shares the most content morphemes with (when that
is at least the support threshold), marked as attributed by the program.
"""

from __future__ import annotations

import re

from .korean import content_tokens
from .records import Chunk

_OPENERS = "[【"
_MARKER = re.compile(r"[\[【]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】]")
_INCOMPLETE_MARKER = re.compile(r"[\[【][\d\s,，、]*")
_NUMBER = re.compile(r"\d+")


class CitationChecker:
    """Feed it the answer piece by piece; it returns the verified text to show."""

    def __init__(self, source_count: int) -> None:
        self.source_count = source_count
        self.cited: list[int] = []
        """1-based numbers of the given sources, in order of first citation."""
        self.removed = 0
        self._held = ""

    def feed(self, piece: str) -> str:
        self._held += piece
        return self._release(final=False)

    def finish(self) -> str:
        return self._release(final=True)

    def _release(self, final: bool) -> str:
        shown: list[str] = []
        held = self._held
        while held:
            start = next((i for i, char in enumerate(held) if char in _OPENERS), None)
            if start is None:
                shown.append(held)
                held = ""
                break
            shown.append(held[:start])
            held = held[start:]
            marker = _MARKER.match(held)
            if marker:
                shown.append(self._rewrite(marker.group(1)))
                held = held[marker.end():]
            elif not final and _INCOMPLETE_MARKER.fullmatch(held):
                break  # wait for the rest of a possible marker
            else:
                shown.append(held[0])
                held = held[1:]
        self._held = held
        return "".join(shown)

    def _rewrite(self, numbers: str) -> str:
        labels: set[int] = set()
        for number in dict.fromkeys(int(n) for n in _NUMBER.findall(numbers)):
            if not 1 <= number <= self.source_count:
                self.removed += 1
                continue
            if number not in self.cited:
                self.cited.append(number)
            labels.add(self.cited.index(number) + 1)
        return "".join(f"[{label}]" for label in sorted(labels))


def check_citations(text: str, source_count: int) -> tuple[str, CitationChecker]:
    """The whole-text form: verified text and the checker holding what was cited and removed."""
    checker = CitationChecker(source_count)
    return checker.feed(text) + checker.finish(), checker


SUPPORT_THRESHOLD = 0.5
"""Share of a claim's content morphemes that must appear in the sources it cites."""
MIN_CLAIM_MORPHEMES = 2
"""Shorter claims (a stray "." between markers, "끝") are not judged unsupported; a bare fact ("100,000달러",
"@erhartford") is still attributed to the source that holds it."""
_MARKER_GROUP = re.compile(r"((?:\[\d+\])+)")


def unsupported_markers(text: str, cited: dict[int, Chunk]) -> set[int]:
    """Markers of verified `text` (`[k]`, k a key of `cited`) whose claim the cited sources do not contain."""
    vocabulary = {marker: claim_words(chunk.embedding_text()) for marker, chunk in cited.items()}
    flagged: set[int] = set()
    pieces = _MARKER_GROUP.split(text)
    for claim, group in zip(pieces[0::2], pieces[1::2]):
        morphemes = claim_words(claim)
        if len(morphemes) < MIN_CLAIM_MORPHEMES:
            continue
        markers = {int(number) for number in _NUMBER.findall(group)}
        sources = set().union(*(vocabulary[marker] for marker in markers))
        if len(morphemes & sources) / len(morphemes) < SUPPORT_THRESHOLD:
            flagged |= markers
    return flagged


_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")


_MENTION = re.compile(r"@[A-Za-z0-9_]+")  # an X handle; the Korean particle after it (`@erhartford가`) is not part of it


def claim_words(text: str) -> set[str]:
    """What a claim and a source are compared by: content morphemes, and @handles (Kiwi tags `@erhartford` a
    mention, not a noun, yet "누가 소개했어?" is answered by the handle alone)."""
    return set(content_tokens(text)) | {mention.lower() for mention in _MENTION.findall(text)}


def attribute_unmarked(text: str, sources: list[str], cited: list[int]) -> tuple[str, list[int]]:
    """Verified `text` with a marker added after each sentence the model left without one, pointing at the
    source (1-based, into `sources`) that holds the most of its content morphemes — at least SUPPORT_THRESHOLD
    of them, else the sentence stays unmarked. `cited` (the checker's numbers in label order) is extended with
    new sources. Returns the text and the source numbers it attributed."""
    vocabularies = [claim_words(source) for source in sources]
    attributed: list[int] = []
    pieces = _SENTENCE_END.split(text)
    separators = _SENTENCE_END.findall(text)
    for position, sentence in enumerate(pieces):
        morphemes = claim_words(sentence)
        if _MARKER.search(sentence) or not morphemes or not vocabularies:
            continue
        shares = [len(morphemes & vocabulary) / len(morphemes) for vocabulary in vocabularies]
        best = max(range(len(shares)), key=shares.__getitem__)
        if shares[best] < SUPPORT_THRESHOLD:
            continue
        number = best + 1
        if number not in cited:
            cited.append(number)
        if number not in attributed:
            attributed.append(number)
        pieces[position] = f"{sentence} [{cited.index(number) + 1}]"
    return "".join(piece + separator for piece, separator in zip(pieces, [*separators, ""])), attributed
