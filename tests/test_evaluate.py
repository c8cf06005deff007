"""Answer correctness and evidence matching of `python -m rag eval` (no index, no model)."""

import json

import pytest

from rag.evaluate import contains_answer, normalise, read_questions


@pytest.mark.parametrize(("answer", "keys", "correct"), [
    ("Kaggle 대회 상금은 100,000달러입니다. [1]", [["100,000", "10만"]], True),
    ("상금은 10 만 달러 [1]", [["10만"]], True),  # whitespace ignored
    ("Mistral은 과적합, Claude는 견고 [1]", [["mistral"], ["claude", "gemini"]], True),  # case ignored
    ("Mistral은 과적합 [1]", [["mistral"], ["claude", "gemini"]], False),  # every group needs one alternative
    ("아무 관련 없는 문장입니다.", [["48GB"]], False),
])
def test_an_answer_is_correct_when_every_key_group_has_an_alternative_in_it(answer, keys, correct):
    assert contains_answer(answer, keys) is correct


def test_evidence_copied_from_markdown_matches_the_chunk_text():
    chunk_text = "워싱턴에서의 AI 로비 활동은 대형 기술 회사들이 주도하고 있습니다."
    evidence = "워싱턴에서의 AI 로비 활동은 [대형 기술 회사들이 주도하고 있습니다]"
    assert normalise(evidence) in normalise(chunk_text)
    assert normalise("**[링크](https://x.y/)** 텍스트") == "링크 텍스트"


def test_evidence_copied_from_inside_a_link_target_matches_the_chunk_text():
    markdown = "[기만과 권력 추구](https://x.y/index.html#safety-relevant-deception)와 같은 특징도 있습니다"
    evidence = "safety-relevant-deception)와 같은 특징도 있습니다"
    assert normalise(evidence) in normalise(markdown)
    assert normalise("(괄호) 안의 말과 3) 번호는 남습니다") == "(괄호) 안의 말과 3) 번호는 남습니다"


def test_questions_carry_their_answer_keys(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "q1", "question": "상금은?", "type": "fact", "gold_slugs": ["a"],
                                "answer_keys": [["100,000"]], "evidence": "상금"}, ensure_ascii=False) + "\n")
    [question] = read_questions(path)
    assert question.answer_keys == [["100,000"]] and question.answerable and question.type == "fact"
