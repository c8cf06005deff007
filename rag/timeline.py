"""Stage 5 for a dated archive: a topic's timeline and a period's digest, both extractive and cited.

Top-k retrieval cannot answer "xLSTM은 언제부터 언급됐어?": it returns the best few sections,
not every post. A timeline finds every section with a line (list item or paragraph) that
names all of the topic's terms (in the asked spelling or, for a name, its spelling in the
other script: `엔비디아` ~ `Nvidia`; an exact match over the section records, which are in
memory: keyword search splits names like `chat.lmsys` differently) and gives one line per
post, oldest first: date · title · the post's sentence about the topic that best matches
the question.

A digest gives, for each post of a period, its headline items: the labelled bullets of
its `Today's Preview` (the post's own summary), or failing that the first sentence of
each numbered `Today's Overview` section.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np

from . import messages
from .dates import find_date_scope
from .intent import classify, topic_terms
from .extractive import passage_quote
from .korean import consonant_skeletons, kiwi, split_sentences
from .records import Answer, Chunk, Citation, RetrievedChunk
from .retrieve import Evidence, mention_spellings
from .chain import Answerer

TIMELINE_POSTS = 40
"""At most this many posts are listed (oldest first); the answer says how many more mention the topic."""
DIGEST_ITEMS = 4
"""Headline items per post in a digest."""
DIGEST_DAYS = 7
"""A digest asked without dates covers the archive's last this many days."""
PREVIEW = "Today's Preview"
OVERVIEW = "Today's Overview"


def term_pattern(term: str, index) -> re.Pattern[str]:
    """The term in any spelling: each word of it as written or in the other script (`Llama 3` ~ `라마-3`), spaces
    and hyphens between words optional (`GPT-4o` ~ `GPT4o`); it must not run on into a longer Latin word or
    number (`GPT-4` is not `GPT-4o`, `Llama 3` is not `Llama 3.1`), an English plural `s` aside."""
    words = [word for word in re.split(r"[\s\-]+", term.strip()) if word]
    alternatives = ["|".join(re.escape(spelling) for spelling in sorted({word, *mention_spellings(word, index)}, key=len, reverse=True))
                    for word in words]
    body = r"[\s\-]?".join(f"(?:{alternative})" for alternative in alternatives)
    return re.compile(rf"(?<![A-Za-z0-9]){body}s?(?![A-Za-z0-9]|\.\d)", re.IGNORECASE)


def timeline(evidence: Evidence, terms: list[str] | None = None) -> Answer:
    """Every post naming all the topic's terms, oldest first, each with its cited sentence about the topic."""
    question, index = evidence.question, evidence.index
    terms = terms or names_among(topic_terms(question), index) or [question.topic.strip()]
    patterns, matching = _mentions(terms, question, index)
    if not matching and any(" " in term for term in terms):  # `OpenAI Model Spec` written `OpenAI의 새로운 Model Spec`
        patterns, matching = _mentions([word for term in terms for word in term.split()], question, index)
    by_post: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in matching:
        by_post[chunk.slug].append(chunk)
    if not by_post:
        return Answer(question=question.text, text=messages.TIMELINE_NOTHING.format(topic=" ".join(terms)),
                      citations=[], refused=True, date_range=question.date_range, retrieved=evidence.hits,
                      kind="timeline")
    posts = sorted(by_post.values(), key=lambda chunks: chunks[0].date)
    entries = [_best_sentence(chunks, patterns, evidence.query_vector, index) for chunks in posts[:TIMELINE_POSTS]]
    citations = [Citation(marker=n, chunk=chunk, score=score, quotes=(sentence,))
                 for n, (chunk, sentence, score) in enumerate(entries, start=1)]
    lines = [messages.TIMELINE_HEADER.format(topic=" ".join(terms), posts=len(posts), first=posts[0][0].date.isoformat())]
    lines += [f"- {chunk.date.isoformat()} · {chunk.title}: {sentence} [{n}]"
              for n, (chunk, sentence, _) in enumerate(entries, start=1)]
    if len(posts) > TIMELINE_POSTS:
        lines.append(messages.TIMELINE_MORE.format(more=len(posts) - TIMELINE_POSTS))
    return Answer(question=question.text, text="\n".join(lines), citations=citations, refused=False,
                  date_range=question.date_range, retrieved=[RetrievedChunk(c, s) for c, _, s in entries],
                  kind="timeline")


def _mentions(terms: list[str], question, index) -> tuple[list[re.Pattern[str]], list[Chunk]]:
    """The terms' patterns, and the sections of the question's period that name them all."""
    patterns = [term_pattern(term, index) for term in terms]
    start, end = (question.scope.start, question.scope.end) if question.scope else (date.min, date.max)
    return patterns, [chunk for chunk in index.chunks if start <= chunk.date <= end and _names_together(patterns, chunk)]


def _names_together(patterns: list[re.Pattern[str]], chunk: Chunk) -> bool:
    """One line of the section (a list item or a paragraph), read under the post's title and the section's heading,
    names every term: `Unsloth` in one item and `GPU` in another of a 700-character section is no mention of
    Unsloth's multi-GPU support."""
    heading = f"{chunk.title}\n{chunk.section}"
    whole = f"{heading}\n{chunk.text}"
    if not all(pattern.search(whole) for pattern in patterns):  # most sections: one search per term, no split
        return False
    return len(patterns) == 1 or any(all(pattern.search(f"{heading}\n{line}") for pattern in patterns)
                                     for line in chunk.text.splitlines())


def names_among(terms: list[str], index) -> list[str]:
    """The terms that name something — Latin script or digits, a Hangul proper noun, or a Hangul spelling of a
    Latin name the archive uses (`카멜레온`; four consonants at least: `기술` sounds like too many English words)
    — which a timeline's posts must mention; without any, all terms.
    The other nouns of a question (`GPU 여러 장으로 학습`) only choose each post's sentence."""
    names = [term for term in terms if re.search(r"[A-Za-z0-9]", term)
             or any(token.tag == "NNP" for token in kiwi().tokenize(term))
             or max(map(len, consonant_skeletons(term))) >= 4 and mention_spellings(term, index)]
    return names or terms


def _best_sentence(chunks: list[Chunk], patterns: list[re.Pattern[str]], query_vector: np.ndarray,
                   index) -> tuple[Chunk, str, float]:
    """The post's sentence closest to the question among those naming a term (any of its sentences when the
    terms are only in a heading or a label), quoted with the rest of its list item as an answer quotes it."""
    best: tuple[Chunk, str, float] | None = None
    fallback: tuple[Chunk, str, float] | None = None
    for chunk in chunks:
        sentences, vectors = index.sentences.of(chunk.id)
        if not sentences:
            continue
        similarities = np.asarray(vectors, dtype=np.float32) @ query_vector
        for position, (sentence, similarity) in enumerate(zip(sentences, similarities)):
            candidate = (chunk, passage_quote(sentences, position), float(similarity))
            if any(pattern.search(sentence.text) for pattern in patterns):
                if best is None or candidate[2] > best[2]:
                    best = candidate
            elif fallback is None or candidate[2] > fallback[2]:
                fallback = candidate
    return best or fallback or (chunks[0], chunks[0].section, 0.0)


def digest(evidence: Evidence) -> Answer:
    """Each post of the period, oldest first, with its headline items, each cited. The period is the one the
    question names (or since/until), a month without posts included (`6월 요약해줘` says it has none), else the
    archive's last DIGEST_DAYS days."""
    question, index = evidence.question, evidence.index
    period = question.scope or find_date_scope(question.text, index.post_dates, months_without_posts=True)
    if period:
        start, end = period.start, period.end
    else:
        latest = index.post_dates[-1] if index.post_dates else date.today()
        start, end = latest - timedelta(days=DIGEST_DAYS - 1), latest
    posts: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in index.chunks:
        if start <= chunk.date <= end:
            posts[chunk.slug].append(chunk)
    period = _period(start, end, index.post_dates)
    if not posts:
        return Answer(question=question.text, text=messages.DIGEST_NOTHING.format(period=period), citations=[],
                      refused=True, date_range=(start, end), kind="digest")
    quotes: dict[str, list[str]] = {}
    chunks_by_id: dict[str, Chunk] = {}
    lines = [messages.DIGEST_HEADER.format(period=period, posts=len(posts))]
    for chunks in sorted(posts.values(), key=lambda chunks: chunks[0].date):
        first = chunks[0]
        lines.append(f"\n**{first.date.isoformat()} · {first.title}**")
        for chunk, label, sentence in headline_items(chunks):
            chunks_by_id[chunk.id] = chunk
            quotes.setdefault(chunk.id, []).append(sentence)
            lines.append(f"- {label + ': ' if label else ''}{sentence} [{list(quotes).index(chunk.id) + 1}]")
    citations = [Citation(marker=n, chunk=chunks_by_id[chunk_id], score=1.0, quotes=tuple(quoted))
                 for n, (chunk_id, quoted) in enumerate(quotes.items(), start=1)]
    return Answer(question=question.text, text="\n".join(lines), citations=citations, refused=False,
                  date_range=(start, end), retrieved=[RetrievedChunk(c.chunk, 1.0) for c in citations], kind="digest")


def headline_items(chunks: list[Chunk]) -> list[tuple[Chunk, str, str]]:
    """(chunk, label, first sentence) of a post's headline items: its Preview's labelled bullets, else the
    first sentence of each numbered Overview section, else its first sentences."""
    preview = [chunk for chunk in chunks if chunk.section == PREVIEW]
    items = [(chunk, sentence.label, sentence.text) for chunk in preview for sentence in _first_of_each_passage(chunk)
             if sentence.label]
    if len(items) < 2:
        overview = [chunk for chunk in chunks if chunk.section.startswith(OVERVIEW) and re.search(r"›\s*\d+\.", chunk.section)]
        items = [(chunk, chunk.section.rsplit("›", 1)[-1].strip(), sentences[0].text)
                 for chunk in overview if (sentences := _first_of_each_passage(chunk))]
    if len(items) < 2:
        items = [(chunk, "", sentence.text) for chunk in chunks for sentence in _first_of_each_passage(chunk)]
    return items[:DIGEST_ITEMS]


def _first_of_each_passage(chunk: Chunk):
    seen: set[int] = set()
    firsts = []
    for sentence in split_sentences(chunk.text):
        if sentence.passage not in seen:
            seen.add(sentence.passage)
            firsts.append(sentence)
    return firsts


def _period(start: date, end: date, post_dates: list[date]) -> str:
    """`2024-05-06 ~ 2024-05-12`, an open end shown as the archive's first or last post date."""
    shown_start = start if start != date.min else (post_dates[0] if post_dates else start)
    shown_end = end if end != date.max else (post_dates[-1] if post_dates else end)
    return shown_start.isoformat() if shown_start == shown_end else f"{shown_start.isoformat()} ~ {shown_end.isoformat()}"


class ByIntent:
    """The answerer of a pipeline: timelines and digests are answered here (an LLM answerer condenses a digest
    under its citation checks), every other question by `answerer` — and so is a timeline question whose topic
    no post names as asked (the answerer refuses it in turn when nothing relevant is found)."""

    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer
        self.name = answerer.name

    def stream(self, evidence: Evidence) -> Iterator[str | Answer]:
        intent = classify(evidence.question)
        if intent == "question":
            yield from self.answerer.stream(evidence)
            return
        answer = timeline(evidence) if intent == "timeline" else digest(evidence)
        if intent == "timeline" and answer.refused:  # no post names it as asked: search it as a question instead
            yield from self.answerer.stream(evidence)
            return
        condense = getattr(self.answerer, "condense", None)  # an LLM answerer rewrites a digest; a timeline stays
        if intent == "digest" and condense is not None:
            yield from condense(evidence, answer)
            return
        yield answer.text
        yield answer
