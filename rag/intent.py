"""What a question asks for: one answer, a topic's timeline, or a digest of a period.

A daily digest is a time series. "xLSTM은 언제부터 언급됐어?", "GPT-4o 얘기가 나온 글들
날짜순으로 알려줘" and "LMSYS 관련 소식을 다 정리해줘" ask for every post that mentions a
topic, oldest first (a timeline); "5월 둘째 주 요약해줘" asks for the headlines of every post
of a period (a digest). Everything else is an ordinary question, date-scoped ones about a
topic included ("5월 9일에 AlphaFold 3에 대해 뭐라고 했지?").

The topic of a timeline is its terms: Latin-script names with their numbers (`GPT-4o`,
`AlphaFold 3`) and Hangul nouns, without the words that ask for a timeline or a digest.
"""

from __future__ import annotations

import re
from typing import Literal

from .korean import QUESTION_WORDS, QuestionAnalysis, kiwi

Intent = Literal["question", "timeline", "digest"]

_TIMELINE = re.compile(
    r"언제부터\s*(?:언급|나왔|나오|나온|등장|다뤄|다루|다룬|소개|얘기|이야기|화제|보도)|처음\s*(?:으로\s*)?(?:나온|나왔|나오|언급|등장)|최초로?\s*(?:나온|언급|등장)|첫\s*(?:언급|등장)"
    r"|날짜\s*순|시간\s*순|순서대로|차례대로|타임\s*라인|연대기|히스토리"
    r"|(?:어느|어떤|무슨)\s*(?:글|포스트|다이제스트)들|(?:나온|언급된|다룬|등장한|소개된)\s*(?:글|포스트|날)"
    r"|(?:다|전부|모두|싹)\s*(?:정리|모아|알려|보여|찾아|훑어|나열)|정리해|모아\s*(?:줘|봐|서)"
    r"|몇\s*번\s*(?:나왔|언급|등장|다뤄)|얼마나\s*자주|추이|변천"
    r"|\bfirst (?:mentioned|appeared|came up|covered)|\bwhich (?:posts|digests|issues)\b|\btimeline\b"
    r"|\ball (?:the )?(?:posts|news|coverage)\b|\bevery (?:post|mention)\b|chronolog|\bover time\b",
    re.IGNORECASE,
)
"""Asks when a topic appeared, in which posts, or for everything about it."""
_DIGEST = re.compile(
    r"요약|다이제스트|정리|브리핑|하이라이트|헤드라인|주요\s*(?:소식|뉴스)|무슨\s*(?:일|소식|뉴스)"
    r"|뭐가\s*있었|어떤\s*(?:소식|뉴스)|소식\s*(?:알려|들려)|뉴스\s*알려|digest|summar",
    re.IGNORECASE,
)
"""Asks for the gist of a period."""
_NOUN_TAGS = ("NNG", "NNP", "NNB", "NR", "SL", "SN", "SH")
_NAME_TAGS = ("SL", "SN", "SH")
_JOINERS = re.compile(r"[\s\-.]?")
"""What may stand between the parts of one name: `GPT-4o`, `Gemini 1.5 Pro`, `AlphaFold 3`."""
REQUEST_WORDS = frozenset({
    "관련", "소식", "얘기", "이야기", "글", "포스트", "기사", "뉴스", "내용", "다이제스트", "언급", "등장", "처음", "최초",
    "날짜", "순", "날짜순", "시간순", "순서", "차례", "정리", "요약", "타임라인", "연대기", "히스토리", "전부", "모두",
    "전체", "주요", "최근", "지금", "그동안", "동안", "기간", "브리핑", "하이라이트", "헤드라인", "일", "번", "것", "게",
    "거", "때", "날", "요즘", "근래", "최신", "추이", "변천", "흐름", "목록", "리스트", "주", "요일", "오늘", "이번", "지난", "정도", "부분",
    "digest", "summary", "summarize", "timeline", "news", "posts", "post", "mentions", "mentioned",
})
"""Words that ask for a timeline or a digest rather than name its topic."""


def topic_terms(question: QuestionAnalysis) -> list[str]:
    """The terms a timeline follows: names written in Latin script or digits, each kept whole with the numbers
    and Latin words next to it (`Gemini 1.5 Pro`), and the Hangul nouns of the topic; request words dropped."""
    text = _DIGEST.sub(" ", _TIMELINE.sub(" ", question.topic))  # `시간순`, `타임라인` are not the topic
    english = not re.search(r"[가-힣]", text)
    terms: list[str] = []
    name_start = name_end = -1
    for position, token in enumerate(kiwi().tokenize(text)):
        if token.form in ("-", "."):  # inside a name (`GPT-4o`): the next part decides whether it goes on
            continue
        continues_name = name_end >= 0 and _JOINERS.fullmatch(text[name_end : token.start]) is not None
        if token.tag not in _NOUN_TAGS or english and not _english_name_part(token, position, continues_name, text, question):
            if english and name_end >= 0:
                terms.append(text[name_start:name_end])
                name_start = name_end = -1
            continue
        if token.tag in _NAME_TAGS:
            if continues_name:
                name_end = token.start + token.len
                continue
            if name_end >= 0:
                terms.append(text[name_start:name_end])
            name_start, name_end = token.start, token.start + token.len
            continue
        if name_end >= 0:
            terms.append(text[name_start:name_end])
            name_start = name_end = -1
        if len(token.form) >= 2 and token.form not in REQUEST_WORDS and token.form not in QUESTION_WORDS:
            terms.append(token.form)
    if name_end >= 0:
        terms.append(text[name_start:name_end])
    kept = [term for term in terms if term.lower() not in REQUEST_WORDS | question.other_script_spellings
            and not re.fullmatch(r"[\d.,]+", term)]
    return list(dict.fromkeys(kept))


def _english_name_part(token, position: int, continues_name: bool, text: str, question: QuestionAnalysis) -> bool:
    """In an English question only names count (`xLSTM`, `Gemini 1.5 Pro`, `GPT-4o`), not its ordinary words:
    a name-like word, a capitalised word past the first, or a number or word joined to a name."""
    if token.tag == "SN" or continues_name and token.tag == "SL" and (token.form[0].isupper() or token.form[0].isdigit()
                                                                    or not text[token.start - 1].isspace()):
        return True
    return token.tag == "SL" and (token.form in question.latin_names or position > 0 and token.form[0].isupper())


def classify(question: QuestionAnalysis) -> Intent:
    """A timeline when the question asks when or where a topic appeared, or for all of it; a digest when it
    asks for the gist of a period and names no topic; otherwise an ordinary question."""
    terms = topic_terms(question)
    if terms and _TIMELINE.search(question.text):
        return "timeline"
    if not terms and _DIGEST.search(question.text):
        return "digest"
    return "question"
