"""Follow-up questions: rewritten into standalone questions before retrieval.

With an LLM configured, the model rewrites the question from the recent turns (prompt in
rag/prompts.py); a rewrite that echoes the prompt or shares no word with the conversation
is not used. Without one, or then, a rule carries the previous topic over: a question that
points back ("그건 언제 나왔어?", "그 모델은…") or names no topic of its own ("더 자세히")
gets the previous question's topic nouns, and its date words when it has none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from .korean import NOUN_TAGS, QUESTION_WORDS, analyse_question, content_tokens, kiwi
if TYPE_CHECKING:
    from .llm import LazyChatModel

ANAPHORS = {"그것", "그거", "이것", "이거", "저것", "저거", "거기", "여기", "그곳", "이곳", "걔", "그분", "그녀", "그들"}
"""Pronouns that point back to the previous topic."""
DETERMINERS = {"그", "이", "저", "해당"}
"""`그 모델`, `이 회사`: a determiner before a noun points back too."""
ANSWER_CONTEXT_CHARS = 300
"""How much of each previous answer the rewriting model sees."""


@dataclass(frozen=True)
class Turn:
    question: str
    """As the reader asked it."""
    standalone: str
    """As it was searched (the rewritten question)."""
    answer: str


def carry_over_topic(question: str, history: list[Turn], archive_dates: Sequence[date] = ()) -> str:
    """Rule-based rewriting: the question itself when it stands alone, else with the previous topic put in."""
    previous = next((turn.standalone for turn in reversed(history) if topic_span(turn.standalone, archive_dates)), None)
    if previous is None:
        return question
    tokens = kiwi().tokenize(question)
    pointing_back: list[tuple[int, int]] = []
    for position, token in enumerate(tokens):
        following = tokens[position + 1] if position + 1 < len(tokens) else None
        if token.tag == "NP" and token.form in ANAPHORS:
            end = token.start + token.len
            for particle in tokens[position + 1:]:
                if not particle.tag.startswith("J"):
                    break
                end = max(end, particle.start + particle.len)
            pointing_back.append((token.start, end))
        elif token.tag == "MM" and token.form in DETERMINERS and following is not None and following.tag in NOUN_TAGS:
            pointing_back.append((token.start, following.start))
    if not pointing_back and topic_span(question, archive_dates):
        return question
    rest = question
    for start, end in reversed(pointing_back):
        rest = rest[:start] + rest[end:]
    own_nouns = {token.form for token in kiwi().tokenize(rest) if token.tag in NOUN_TAGS}
    carried = [word for word in topic_span(previous, archive_dates).split() if word not in own_nouns]  # no "상금 상금은"
    previous_dates = analyse_question(previous, archive_dates).scope
    if previous_dates and not analyse_question(question, archive_dates).scope:
        carried.insert(0, previous_dates.phrase)
    return re.sub(r"\s+", " ", " ".join([*carried, rest])).strip()


def topic_span(question: str, archive_dates: Sequence[date] = ()) -> str:
    """The stretch of the question from its first to its last topic noun ("AlphaFold 3", "Kaggle 대회 상금")."""
    topic = analyse_question(question, archive_dates).topic
    nouns = [t for t in kiwi().tokenize(topic) if t.tag in NOUN_TAGS and t.form not in QUESTION_WORDS]
    if not nouns:
        return ""
    return topic[nouns[0].start : nouns[-1].start + nouns[-1].len]


def rewrite_with_model(
    question: str, history: list[Turn], model: LazyChatModel, max_chars: int, archive_dates: Sequence[date] = ()
) -> str:
    """LLM rewriting; falls back to the rule when the model fails or returns something unusable."""
    from .prompts import rewrite_messages  # LangChain's prompt stack loads only when an LLM is configured

    pairs = [(turn.question, turn.answer[:ANSWER_CONTEXT_CHARS]) for turn in history]
    try:
        written = model.get().invoke(rewrite_messages(question, pairs)).text
    except Exception:  # LLMError or a server failure; the answer call that follows reports the failure with its sources
        return carry_over_topic(question, history, archive_dates)
    lines = [line.strip() for line in written.splitlines() if line.strip()]
    rewritten = re.sub(r"^(독립된 질문|질문)\s*:\s*", "", lines[0]).strip("\"'“” ") if lines else ""
    if usable_rewrite(rewritten, question, history, max_chars):
        return rewritten
    return carry_over_topic(question, history, archive_dates)


PROMPT_ECHOES = ("대화 기록", "후속 질문", "독립된 질문", "사용자:", "도우미:", "<<SYS>>", "[INST]", "<자료>")


def usable_rewrite(rewritten: str, question: str, history: list[Turn], max_chars: int) -> bool:
    """A rewrite must be a short question about the conversation, not an echo of the prompt (small models do that)."""
    if not rewritten or len(rewritten) > max_chars or any(echo in rewritten for echo in PROMPT_ECHOES):
        return False
    conversation = set(content_tokens(" ".join([question, *(turn.standalone for turn in history)])))
    return bool(conversation & set(content_tokens(rewritten)))


class FollowUpRewriter(Protocol):
    def rewrite(self, question: str, history: list[Turn], archive_dates: Sequence[date]) -> str:
        """`question` made to stand alone, given the recent turns (oldest first)."""
        ...


class RuleRewriter:
    def rewrite(self, question: str, history: list[Turn], archive_dates: Sequence[date]) -> str:
        return carry_over_topic(question, history, archive_dates)


class ModelRewriter:
    def __init__(self, model: LazyChatModel, max_chars: int) -> None:
        self._model = model
        self._max_chars = max_chars

    def rewrite(self, question: str, history: list[Turn], archive_dates: Sequence[date]) -> str:
        return rewrite_with_model(question, history, self._model, self._max_chars, archive_dates)
