"""What a reader sees of an Answer: the interface-neutral view and the CLI's rendering of it."""

from datetime import date

from rag import messages
from rag.cli import print_view
from rag.present import answer_json, view_of
from rag.records import Answer, Chunk, Citation, RetrievedChunk


def chunk(slug: str, section: str | None = None, links=("https://a.org/1",)) -> Chunk:
    title = f"{slug} 제목"
    return Chunk(id=f"{slug}#000", slug=slug, title=title, date=date(2024, 5, 4), permalink=f"https://x/{slug}/",
                 tags=[], section=section or title, text="본문", links=list(links))


def test_cited_answer_shows_a_card_per_citation_and_hides_a_section_that_is_the_title():
    answer = Answer(
        question="q", text="답 [1] 또 [2]", refused=False,
        citations=[Citation(1, chunk("a"), 1.0), Citation(2, chunk("b", "Today's Overview › 1. 항목"), 1.0, supported=False)],
        removed_markers=2, warning="경고",
    )
    view = view_of(answer, standalone="검색한 질문")
    assert view.cards_heading == messages.SOURCES_HEADING
    assert [(c.label, c.anchor, c.section, c.doubtful) for c in view.cards] == [
        ("[1]", 1, None, False), (f"[2] · {messages.DOUBTFUL_LABEL}", 2, "Today's Overview › 1. 항목", True),
    ]
    assert view.notes == [messages.REMOVED_MARKERS_NOTE.format(count=2), "경고"]
    assert view.rewritten == messages.REWRITTEN_QUESTION.format(question="검색한 질문")


def test_failed_answer_lists_the_retrieved_sections_uncited():
    hits = [RetrievedChunk(chunk("a"), 0.5), RetrievedChunk(chunk("b"), 0.4)]
    view = view_of(Answer(question="q", text="", citations=[], refused=False, retrieved=hits, error="서버 없음"))
    assert view.cards_heading == messages.RETRIEVED_HEADING and view.error == messages.ERROR_PREFIX + "서버 없음"
    assert [(c.label, c.cited, c.anchor) for c in view.cards] == [(messages.RETRIEVED_LABEL, False, None)] * 2


def test_a_refusal_shows_no_cards():
    hits = [RetrievedChunk(chunk("a"), 0.5)]
    view = view_of(Answer(question="q", text=messages.NOT_FOUND_ANSWER, citations=[], refused=True, retrieved=hits))
    assert (view.cards_heading, view.cards, view.notes, view.error) == (None, [], [], None)


def test_cli_marks_the_quoted_sentences_link(capsys):
    print_view(view_of(quoted_answer()), text_already_shown=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == [f"    https://x.com/omarsar0/2  {messages.QUOTE_LINK_MARK}", "    https://x.com/GoogleDeepMind/1"]


def test_cli_prints_each_card_once_with_its_links(capsys):
    answer = Answer(question="q", text="답 [1]", refused=False, citations=[Citation(1, chunk("a"), 1.0)])
    print_view(view_of(answer), text_already_shown=False)
    out = capsys.readouterr().out
    assert out == "답 [1]\n\n출처\n[1] 2024-05-04 · a 제목 · https://x/a/\n    https://a.org/1\n"


def test_json_carries_citations_and_the_date_range():
    answer = Answer(question="q", text="답 [1]", refused=False, citations=[Citation(1, chunk("a"), 0.123456)],
                    date_range=(date(2024, 5, 1), date(2024, 5, 31)))
    payload = answer_json(answer)
    assert payload["date_range"] == ["2024-05-01", "2024-05-31"]
    assert payload["citations"][0] | {} == {
        "marker": 1, "slug": "a", "date": "2024-05-04", "title": "a 제목", "section": "a 제목",
        "permalink": "https://x/a/", "links": ["https://a.org/1"], "score": 0.1235, "supported": True, "attributed": False,
        "quote": None, "quote_links": [],
    }


def quoted_answer() -> Answer:
    """An answer quoting the second list item of a section whose items each carry their own link."""
    section = Chunk(
        id="p#001", slug="p", title="제목", date=date(2024, 5, 9), permalink="https://x/p/", tags=[], section="Today's Preview",
        text="- **AlphaFold 3 출시**: @GoogleDeepMind가 AlphaFold 3을 발표했습니다.\n- **xLSTM 공유**: @omarsar0가 xLSTM 논문을 공유했습니다.",
        links=["https://x.com/GoogleDeepMind/1", "https://x.com/omarsar0/2"], anchors=["@GoogleDeepMind", "@omarsar0"],
    )
    return Answer(question="q", text="@omarsar0가 xLSTM 논문을 공유했습니다. [1]", refused=False,
                  citations=[Citation(1, section, 1.0, quotes=("@omarsar0가 xLSTM 논문을 공유했습니다.",))])


def test_the_quoted_sentences_own_link_comes_first():
    answer = quoted_answer()
    [card] = view_of(answer).cards
    assert card.quote_links == ["https://x.com/omarsar0/2"]
    assert card.links == ["https://x.com/omarsar0/2", "https://x.com/GoogleDeepMind/1"]
    payload = answer_json(answer)["citations"][0]
    assert payload["quote"] == "@omarsar0가 xLSTM 논문을 공유했습니다." and payload["quote_links"] == ["https://x.com/omarsar0/2"]
