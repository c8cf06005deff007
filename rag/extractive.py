"""Stage 5, without an LLM: quote the retrieved sentences that best answer the question.

A sentence's relevance is its embedding similarity to the question's topic plus the share
of the topic's content morphemes it contains (both computed with its list item's label).
The digest's list items often open with a sentence that restates the item's title and
give the detail in the next one ("…에 대한 조언이 제공되었습니다. 유휴 비용을 …"), so a
quote is the best sentence's whole item when it fits `QUOTE_SENTENCES` / `QUOTE_CHARS`,
else that sentence and the ones after it. The answer quotes the best passages of one post
(when two posts' best quotes nearly tie, the one whose section retrieval ranks higher), each
followed by the `[n]` of its source; a question about several posts gets each post's best
quote, oldest first, one dated line each. It is the not-found answer when

- the question names something the archive never uses (a Latin-script name, or the noun a
  wh-word asks about: `어느 저널`, `저자가 누구`, `금액은 얼마`) — relevance cannot see that the
  archive mentions AlphaFold 3 but not its journal — or asks to override the instructions;
- none of the best sentences holds the kind of answer asked for (`언제` a date, `몇`/`얼마`
  a number, `누구`/`어디` a name), in a section naming every Latin name of the question, and
  shares a content word with the question (in either script; a question asked in English
  shares none with the Korean posts and is exempt) — the answer's further quotes of that post
  need not;
- the best sentence scores under `min_relevance` (an off-topic question).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .chain import not_found
from .korean import QuestionAnalysis
from .records import Answer, Chunk, Citation, RetrievedChunk
from .retrieve import Evidence
from .sentences import Sentence
from .settings import Settings


@dataclass(frozen=True)
class Weights:
    """How sentences are scored and chosen; calibrated on half of dev v2 (benchmarks/calibrate.py)."""

    lexical: float = 0.3
    """How much the share of question morphemes found in a sentence (with its label) adds to its cosine
    similarity; it is what tells an off-topic question apart (cosines of e5 sit at 0.78-0.86 for anything)."""
    same_post_margin: float = 0.12
    """Further quotes of the answer's post are given when they score within this of its best one."""
    other_post_margin: float = 0.01
    """Quotes of two posts scoring this close are a tie, broken by the retrieval order (which ranks whole sections
    by both lists): a question about one thing is answered from one post, a wrong post costing more than a missing one."""
    many_posts_margin: float = 0.10
    """For a question about several posts, each post's best quote within this of the best is given."""


TYPE_CHECK_DEPTH = 5
"""The best quote, of the asked type (date, number, name), must be among this many best quotes."""
QUOTE_SENTENCES = 3
QUOTE_CHARS = 320
"""A quote is its sentence's whole passage within both limits, else the sentence and the ones after it."""


@dataclass(frozen=True)
class ScoredSentence:
    text: str
    """What is quoted: the scored sentence and the rest of its passage (see QUOTE_SENTENCES)."""
    source: RetrievedChunk
    relevance: float
    section_rank: int = 0
    """The position of its section in the retrieval order."""
    shares_words: bool = True
    """Whether its sentence (with its label) holds a content word of the question, in either script."""


def select_sentences(
    scored: list[ScoredSentence], question: QuestionAnalysis, min_relevance: float, limit: int,
    weights: Weights = Weights(),
) -> list[ScoredSentence]:
    """The sentences to quote, best first; empty when none answers (then the archive does not say).
    A quote must hold the kind of answer asked for, and its section must name every name of the question
    (`Jakub Pachocki`, `MMLU`): a sentence about the topic's neighbours does not answer."""
    def answers(item: ScoredSentence) -> bool:
        return question.accepts(item.text) and _names_all(question, item.source.chunk)

    def anchors(item: ScoredSentence) -> bool:
        return answers(item) and (item.shares_words or question.in_english)

    if question.many_posts:
        candidates = [item for item in scored if anchors(item)]
        if not candidates or candidates[0].relevance < min_relevance:
            return []
        return _best_per_post(candidates, candidates[0].relevance - weights.many_posts_margin, limit)
    acceptable = [item for item in scored[:TYPE_CHECK_DEPTH] if anchors(item)]
    if not acceptable or acceptable[0].relevance < min_relevance:
        return []
    tied = [item for item in acceptable if item.relevance >= acceptable[0].relevance - weights.other_post_margin]
    post = min(tied, key=lambda item: item.section_rank).source.chunk.slug
    best = next(item for item in acceptable if item.source.chunk.slug == post)
    # Below the check's depth a quote is added only when it nearly ties the best (`절반만` 0.002 under `2.5-5배`):
    # the wider margin there would pad the answer.
    chosen: list[ScoredSentence] = []
    for position, item in enumerate(scored):
        if len(chosen) == limit:
            break
        margin = weights.same_post_margin if position < TYPE_CHECK_DEPTH else weights.other_post_margin
        if item.source.chunk.slug == post and item.relevance >= best.relevance - margin and answers(item):
            if all(item.text not in other.text and other.text not in item.text for other in chosen):
                chosen.append(item)
    return chosen


def _names_all(question: QuestionAnalysis, chunk: Chunk) -> bool:
    where = f"{chunk.title} {chunk.section} {chunk.text}".casefold()
    return all(any(spelling.casefold() in where for spelling in (name, *question.spellings_of(name)))
               for name in question.latin_names)


def _best_per_post(scored: list[ScoredSentence], floor: float, limit: int) -> list[ScoredSentence]:
    """Each post's best quote scoring at least `floor`, for at most `limit` posts, oldest post first."""
    per_post: dict[str, ScoredSentence] = {}
    for item in scored:
        if item.relevance >= floor and len(per_post) < limit:
            per_post.setdefault(item.source.chunk.slug, item)
    return sorted(per_post.values(), key=lambda item: item.source.chunk.date)


def cite(question: QuestionAnalysis, chosen: list[ScoredSentence], hits: list[RetrievedChunk]) -> Answer:
    """The quoted sentences joined, each followed by the marker of its source (numbered in order of first use);
    an answer about several posts gives one line per post, starting with its date."""
    markers: dict[str, int] = {}
    sources: dict[str, tuple[ScoredSentence, list[str]]] = {}
    parts: list[str] = []
    for item in chosen:
        chunk = item.source.chunk
        if chunk.id not in markers:
            markers[chunk.id] = len(markers) + 1
            sources[chunk.id] = (item, [])
        sources[chunk.id][1].append(item.text)
        dated = f"{chunk.date.isoformat()}: " if question.many_posts else ""
        parts.append(f"{dated}{item.text} [{markers[chunk.id]}]")
    citations = [Citation(marker=markers[chunk_id], chunk=first.source.chunk, score=first.relevance, quotes=tuple(quotes))
                 for chunk_id, (first, quotes) in sources.items()]
    return Answer(
        question=question.text, text=("\n" if question.many_posts else " ").join(parts), citations=citations, refused=False,
        date_range=question.date_range, retrieved=hits,
    )


def score_sentences(evidence: Evidence, weights: Weights = Weights()) -> list[ScoredSentence]:
    """Every quote of the retrieved chunks, best first, each once at its best sentence's score: the sentences
    of one short passage all quote the whole passage, and the copies would crowd other quotes out of the
    answer-type check's `TYPE_CHECK_DEPTH`. Vectors and tokens were stored at ingest: nothing is embedded or
    analysed here."""
    wanted = evidence.question.morphemes
    either_script = wanted | evidence.question.other_script_spellings
    scored = []
    for rank, hit in enumerate(evidence.hits):
        sentences, vectors = evidence.index.sentences.of(hit.chunk.id)
        if not sentences:
            continue
        similarities = np.asarray(vectors, dtype=np.float32) @ evidence.query_vector
        for position, (sentence, similarity) in enumerate(zip(sentences, similarities)):
            coverage = len(wanted & sentence.tokens) / len(wanted) if wanted else 0.0
            quote = passage_quote(sentences, position)
            scored.append(ScoredSentence(quote, hit, float(similarity) + weights.lexical * coverage, rank,
                                         not either_script.isdisjoint(sentence.tokens)))
    best_first: dict[tuple[str, str], ScoredSentence] = {}
    for item in sorted(scored, key=lambda item: -item.relevance):
        best_first.setdefault((item.source.chunk.id, item.text), item)
    return list(best_first.values())


def passage_quote(sentences: list[Sentence], position: int) -> str:
    """The whole passage of the sentence at `position` when it fits the quote limits (a later sentence often
    leans on the first: "이들은 …"), else that sentence followed by the next ones of its passage."""
    passage = [sentence.text for sentence in sentences if sentence.passage == sentences[position].passage]
    if len(passage) <= QUOTE_SENTENCES and sum(map(len, passage)) <= QUOTE_CHARS:
        return " ".join(passage)
    quoted = [sentences[position].text]
    for following in sentences[position + 1 :]:
        if following.passage != sentences[position].passage or len(quoted) == QUOTE_SENTENCES:
            break
        if sum(map(len, quoted)) + len(following.text) > QUOTE_CHARS:
            break
        quoted.append(following.text)
    return " ".join(quoted)


def unknown_terms(evidence: Evidence) -> list[str]:
    """What the question names that the archive never uses, in any spelling or borrowed form (rag/korean.py)."""
    keywords = evidence.index.keywords
    return evidence.question.unknown_terms(keywords.knows, keywords.borrows)


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, settings: Settings, weights: Weights = Weights()) -> None:
        self._settings = settings
        self.weights = weights

    def answer(self, evidence: Evidence) -> Answer:
        question = evidence.question
        if unknown_terms(evidence):
            return not_found(evidence, self.name)
        chosen = select_sentences(
            score_sentences(evidence, self.weights), question,
            self._settings.min_relevance, self._settings.answer_sentences, self.weights,
        )
        return cite(question, chosen, evidence.hits) if chosen else not_found(evidence, self.name)

    def stream(self, evidence: Evidence) -> Iterator[str | Answer]:
        answer = self.answer(evidence)
        yield answer.text
        yield answer
