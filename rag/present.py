"""What a reader sees of an `Answer`, independent of the interface.

`view_of(answer)` decides what is shown: the text with its `[n]` markers, a card per cited
source (or, when the answer failed or cites nothing, the retrieved sections as uncited
cards), the notes and the error. The CLI prints an `AnswerView`, the web UI renders it as
HTML; neither decides anything itself. `answer_json` is the `--json` / web API form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import messages
from .index import IngestReport
from .records import Answer, Chunk


@dataclass(frozen=True)
class CardView:
    label: str
    """`[1]`, `[2] · 내용 불일치 의심`, or `검색됨` for an uncited retrieved section."""
    anchor: int | None
    """The marker number this card answers to; None for an uncited card."""
    date: str
    title: str
    permalink: str
    section: str | None
    """The heading path, or None when it is just the post title (a post's intro)."""
    links: list[str]
    """The section's links, those on the quoted sentences' lines first (`quote_links`)."""
    doubtful: bool = False
    cited: bool = True
    quotes: tuple[str, ...] = ()
    """The sentences the answer quotes from this section."""
    quote_links: list[str] = field(default_factory=list)
    """The links on the lines of the quoted sentences: their own sources."""
    text: str = ""
    """The section text, for showing the quotes in place."""


@dataclass(frozen=True)
class AnswerView:
    text: str
    cards_heading: str | None
    cards: list[CardView]
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    rewritten: str | None = None
    """`↳ 검색한 질문: …` when a follow-up was rewritten before searching."""
    kind: str = "answer"
    """"timeline" and "digest" texts are dated lists (rag/timeline.py): a header line, then `- ` items, a digest's
    grouped under `**date · title**` lines."""


def card(chunk: Chunk, label: str, anchor: int | None, doubtful: bool = False, cited: bool = True,
         quotes: tuple[str, ...] = ()) -> CardView:
    own = quote_links(chunk, quotes)
    return CardView(
        label=label, anchor=anchor, date=chunk.date.isoformat(), title=chunk.title, permalink=chunk.permalink,
        section=chunk.section if chunk.section != chunk.title else None,
        links=own + [url for url in chunk.links if url not in own], doubtful=doubtful, cited=cited,
        quotes=quotes, quote_links=own, text=chunk.text,
    )


def quote_links(chunk: Chunk, quotes: tuple[str, ...]) -> list[str]:
    """The section's links that sit on the lines (list items, paragraphs) holding a quoted sentence."""
    lines = [line.replace("**", "") for line in chunk.text.splitlines()]
    quoted = [line for line in lines if any(quote_probe(quote) in line for quote in quotes)]
    return [url for url, anchor in zip(chunk.links, chunk.anchors) if anchor and any(anchor in line for line in quoted)]


def quote_probe(quote: str) -> str:
    """The start of a quote's first sentence, as the section text writes it (a quote is cleaned of labels and
    opening connectives, so its start is what is found)."""
    return quote.split(". ")[0][:40]


def view_of(answer: Answer, standalone: str | None = None) -> AnswerView:
    """Cited cards when the answer cites; otherwise, on an error or warning, the retrieved sections."""
    if answer.citations:
        heading = messages.SOURCES_HEADING
        cards = [
            card(c.chunk, f"[{c.marker}]" + ("" if c.supported else f" · {messages.DOUBTFUL_LABEL}")
                 + (f" · {messages.ATTRIBUTED_LABEL}" if c.attributed else ""), c.marker, doubtful=not c.supported,
                 quotes=c.quotes)
            for c in answer.citations
        ]
    elif (answer.error or answer.warning) and answer.retrieved:
        heading = messages.RETRIEVED_HEADING
        cards = [card(hit.chunk, messages.RETRIEVED_LABEL, None, cited=False) for hit in answer.retrieved]
    else:
        heading, cards = None, []
    notes = []
    if answer.removed_markers:
        notes.append(messages.REMOVED_MARKERS_NOTE.format(count=answer.removed_markers))
    if answer.warning:
        notes.append(answer.warning)
    attributed = "".join(f"[{c.marker}]" for c in answer.citations if c.attributed)
    if attributed:
        notes.append(messages.ATTRIBUTED_NOTE.format(markers=attributed))
    return AnswerView(
        text=answer.text, cards_heading=heading, cards=cards, notes=notes,
        error=messages.ERROR_PREFIX + answer.error if answer.error else None,
        rewritten=messages.REWRITTEN_QUESTION.format(question=standalone) if standalone else None,
        kind=answer.kind,
    )


def answer_json(answer: Answer) -> dict:
    """What `ask --json` prints and the web API returns."""

    def chunk_json(chunk: Chunk) -> dict:
        return {
            "slug": chunk.slug, "date": chunk.date.isoformat(), "title": chunk.title, "section": chunk.section,
            "permalink": chunk.permalink, "links": chunk.links,
        }

    return {
        "question": answer.question,
        "answer": answer.text,
        "kind": answer.kind,
        "refused": answer.refused,
        "answerer": answer.answerer,
        "error": answer.error,
        "warning": answer.warning,
        "removed_markers": answer.removed_markers,
        "date_range": [day.isoformat() for day in answer.date_range] if answer.date_range else None,
        "citations": [
            {"marker": c.marker, **chunk_json(c.chunk), "score": round(c.score, 4), "supported": c.supported,
             "attributed": c.attributed, "quote": " … ".join(c.quotes) or None,
             "quote_links": quote_links(c.chunk, c.quotes)}
            for c in answer.citations
        ],
        "retrieved": [{**chunk_json(hit.chunk), "score": round(hit.score, 4)} for hit in answer.retrieved],
    }


def building_index_line(index_dir: Path) -> str:
    return f"no usable index in {index_dir} yet: building it first"


def plan_lines(report: IngestReport) -> list[tuple[str, str]]:
    """What an ingest found before embedding, as (level, line) pairs (level 'warning', 'skipped' or 'info'):
    every problem with its path and reason, then the work to do and how long it should take."""
    lines = [("warning", f"warning: {problem}") for problem in report.warnings]
    lines += [("skipped", f"skipped: {problem}") for problem in report.skipped]
    if report.rebuilt_because:
        lines.append(("info", f"rebuilding the whole index: {report.rebuilt_because}"))
    if report.chunks_to_embed:
        posts = len(report.added) + len(report.updated)
        lines.append(("info", f"to embed: {report.chunks_to_embed} sections of {posts} posts, "
                              f"about {_duration(report.estimated_seconds)}"))
    return lines


def ingest_lines(report: IngestReport) -> list[tuple[str, str]]:
    """The finished ingest in one line (its problems were shown by `plan_lines` before embedding)."""
    return [("skipped" if report.skipped else "info", report.summary())]


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
