"""Timelines and digests on the real content/ archive (real embedder, index and Kiwi), and through the CLI."""

import json
import re
from datetime import date

import pytest

from rag.messages import DIGEST_NOTHING
from rag.pipeline import Pipeline
from rag.records import Chunk
from rag.settings import Settings
from rag.timeline import _names_together

from conftest import write_post
from test_cli import run


def test_a_timeline_lists_every_post_naming_the_topic_oldest_first(real_pipeline):
    answer = real_pipeline.ask("엔비디아 얘기가 나온 글들 날짜순으로 알려줘")
    assert answer.kind == "timeline" and not answer.refused
    slugs = [citation.chunk.slug for citation in answer.citations]
    # the posts are written in English (NVIDIA): the Korean spelling finds them, each once, in date order
    dates = [citation.chunk.date for citation in answer.citations]
    assert len(set(slugs)) == len(slugs) and dates == sorted(dates)
    assert len(slugs) >= 3
    for citation in answer.citations:
        assert re.search(r"nvidia|엔비디아", citation.chunk.text, re.IGNORECASE)
    lines = answer.text.splitlines()
    assert lines[0].startswith("'엔비디아' 언급: 글 ") and f"처음 {answer.citations[0].chunk.date.isoformat()}" in lines[0]
    for line, citation in zip(lines[1:], answer.citations):
        assert line.startswith(f"- {citation.chunk.date.isoformat()} · {citation.chunk.title}: ")
        assert line.endswith(f"[{citation.marker}]")


def test_a_section_names_a_topic_of_several_terms_only_when_one_item_names_them_all():
    """`Unsloth` in one list item and `GPU` in another of the same section is no mention of Unsloth's GPU support;
    a term in the section's heading counts for every item under it."""
    def section(heading: str, text: str) -> Chunk:
        return Chunk(id="p#001", slug="p", title="주말 토론", date=date(2024, 4, 29), permalink="", tags=[],
                     section=heading, text=text)

    terms = [re.compile("Unsloth"), re.compile("GPU")]
    apart = "- Unsloth AI는 이제 Phi 3을 지원합니다.\n- GPU 최적화 논의: VRAM 사용 최소화를 논의합니다."
    together = "- 기타 소식입니다.\n- Unsloth Pro는 멀티 GPU 지원을 개발 중입니다."
    assert not _names_together(terms, section("Today's Overview › 3. 파인튜닝", apart))
    assert _names_together(terms, section("Today's Overview › 3. 파인튜닝", together))
    assert _names_together(terms, section("Today's Overview › 3. Unsloth 소식", apart))


def test_a_topic_the_archive_never_names_has_no_timeline(real_pipeline):
    assert real_pipeline.timeline("Claude 3.5 Sonnet").refused
    answer = real_pipeline.ask("Claude 3.5 Sonnet은 언제부터 언급됐어?")  # asked: searched as a question, refused
    assert answer.refused and answer.citations == []


def test_a_dated_question_about_a_topic_is_not_a_digest(real_pipeline):
    assert real_pipeline.ask("5월 9일에 AlphaFold 3에 대해 뭐라고 했지?").kind == "answer"


def test_a_digest_gives_each_post_of_the_period_its_headlines(real_pipeline):
    answer = real_pipeline.ask("5월 둘째 주 요약해줘")
    assert answer.kind == "digest" and answer.date_range == (date(2024, 5, 6), date(2024, 5, 12))
    dates = [line for line in answer.text.splitlines() if line.startswith("**")]
    assert [line[2:12] for line in dates] == ["2024-05-09", "2024-05-10"]
    assert {citation.chunk.slug for citation in answer.citations} == {"daily-20240509", "daily-20240510"}
    assert all(citation.chunk.section == "Today's Preview" for citation in answer.citations)
    items = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert 4 <= len(items) <= 8 and all(re.search(r"\[\d+\]$", item) for item in items)


def test_a_period_without_posts_says_so(real_pipeline):
    answer = real_pipeline.digest(date(2024, 6, 1), date(2024, 6, 7))
    assert answer.refused and answer.text == DIGEST_NOTHING.format(period="2024-06-01 ~ 2024-06-07")


@pytest.mark.parametrize("question, period", [
    ("6월 요약해줘", "2024-06-01 ~ 2024-06-30"), ("2023년 5월 다이제스트", "2023-05-01 ~ 2023-05-31"),
])
def test_a_digest_of_a_named_month_without_posts_says_so_instead_of_giving_another_week(real_pipeline, question, period):
    answer = real_pipeline.ask(question)
    assert (answer.kind, answer.refused, answer.citations) == ("digest", True, [])
    assert answer.text == DIGEST_NOTHING.format(period=period)


def test_timeline_and_digest_commands(tmp_path):
    timeline = run("-m", "rag", "timeline", "--json", "xLSTM", index_dir=tmp_path / "index")
    assert timeline.returncode == 0, timeline.stderr
    payload = json.loads(timeline.stdout)
    assert payload["kind"] == "timeline" and [c["slug"] for c in payload["citations"]] == ["daily-20240509"]
    digest = run("-m", "rag", "digest", "--since", "2024-05-03", "--until", "2024-05-04", index_dir=tmp_path / "index")
    assert digest.returncode == 0, digest.stderr
    assert digest.stdout.startswith("2024-05-03 ~ 2024-05-04 다이제스트: 글 3개")
    assert "\n출처\n[1] 2024-05-03 · " in digest.stdout


def test_an_llm_condenses_a_digest_under_the_citation_checks(real_pipeline):
    from openai_stub import start_scripted_server
    from rag.pipeline import Pipeline

    reply = "- 2024-05-09: AlphaFold 3가 발표되었습니다 [1]\n- 2024-05-10: AlphaFold 3의 능력이 소개되었습니다 [2][9]"
    base_url, server = start_scripted_server(reply, seconds_per_piece=0.0)
    try:
        pipeline = Pipeline.from_settings(real_pipeline.settings.model_copy(update={"llm": "openai", "llm_base_url": base_url}))
        answer = pipeline.ask("5월 둘째 주 요약해줘")
    finally:
        server.shutdown()
    assert answer.kind == "digest" and answer.error is None and answer.removed_markers == 1  # [9] is no source
    assert [c.chunk.slug for c in answer.citations] == ["daily-20240509", "daily-20240510"]
    assert all(c.chunk.section == "Today's Preview" and c.quotes for c in answer.citations)
    assert "[9]" not in answer.text and answer.date_range == (date(2024, 5, 6), date(2024, 5, 12))


@pytest.mark.slow
def test_a_question_about_every_mention_searches_the_name_in_either_script(tmp_path):
    """PaliGemma is in the archive as written, and one post writes it 팔리젬마: asked for every post naming it,
    the search looks for both spellings (asked about it once, only for the one written). A short known name
    gets no sound-alikes (`LLM` is not `라마`)."""
    posts = tmp_path / "content" / "posts"
    write_post(posts, "daily-20240514", "구글 I/O", "2024-05-14",
               "## Today's Overview\n\n- **팔리젬마**: 구글이 팔리-3에서 영감을 받은 비전-언어 오픈 모델 팔리젬마를 공개했습니다.\n")
    write_post(posts, "daily-20240515", "조용한 하루", "2024-05-15",
               "## Today's Overview\n\n- 라마 기반 모델 미세 조정 팁이 공유되었습니다.\n")
    write_post(posts, "daily-20240520", "모델 릴리스", "2024-05-20",
               "## Today's Overview\n\n- 주목할 만한 모델 릴리스: PaliGemma(Google)와 여러 LLM이 공개되었습니다.\n")
    pipeline = Pipeline.from_settings(Settings(content_dir=tmp_path / "content", index_dir=tmp_path / "index"))
    pipeline.ingest(show_progress=False)

    every_mention = pipeline.evidence("PaliGemma가 나온 글 다 알려줘")
    assert every_mention.question.spellings == (("PaliGemma", "팔리젬마"),)
    assert "팔리젬마" in every_mention.question.topic
    assert pipeline.evidence("PaliGemma는 어떤 모델이야?").question.spellings == ()
    assert pipeline.evidence("LLM 얘기가 나온 글 다 알려줘").question.spellings == ()
    answer = pipeline.ask("PaliGemma가 나온 글 다 알려줘")
    assert [citation.chunk.slug for citation in answer.citations] == ["daily-20240514", "daily-20240520"]
