"""The Gradio chat UI (`python ui.py`, `python -m rag serve`, the Hugging Face Space).

A thin shell over the same `Pipeline` and settings as the CLI. Every piece of text that
comes from a post or a model is HTML-escaped before it is shown, and only http(s) links
become clickable, so a `javascript:` or `data:` link written in a post stays inert.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlsplit

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported: no start-up lookups

import gradio as gr  # noqa: E402

from .conversation import Turn  # noqa: E402
from .embed import EmbedderError  # noqa: E402
from .index import EmbedderMismatch  # noqa: E402
from .pipeline import Pipeline, QuestionError  # noqa: E402
from .records import Answer, Chunk  # noqa: E402
from .settings import Settings  # noqa: E402

EXAMPLES = [
    "Kaggle 대회 상금이 얼마였어?",
    "5월 9일에 AlphaFold 3에 대해 뭐라고 했지?",
    "xLSTM이 뭐야?",
    "LMSys는 Llama 3를 어떻게 평가했어?",
]
_MARKER = re.compile(r"\[(\d+)\]")

CSS = """
.answer { line-height: 1.6; }
.answer .rewritten { color: #6b7280; font-size: 0.85em; margin-bottom: 0.4em; }
.answer .marker { font-weight: 600; text-decoration: none; color: #2563eb; }
.answer .note { color: #92400e; background: #fef3c7; border-radius: 6px; padding: 0.3em 0.6em; margin-top: 0.5em; }
.answer .error { color: #991b1b; background: #fee2e2; border-radius: 6px; padding: 0.3em 0.6em; margin-top: 0.5em; }
.sources { display: grid; gap: 0.5em; margin-top: 0.8em; }
.sources-title { font-size: 0.85em; color: #6b7280; margin-top: 0.8em; }
.source-card { border: 1px solid #e5e7eb; border-left: 4px solid #2563eb; border-radius: 8px; padding: 0.5em 0.75em; }
.source-card.retrieved { border-left-color: #9ca3af; }
.source-card.doubtful { border-left-color: #d97706; }
.source-card .card-head { font-size: 0.8em; color: #6b7280; }
.source-card .permalink { font-weight: 600; }
.source-card .section { font-size: 0.85em; color: #374151; }
.source-card ul { margin: 0.3em 0 0 1.1em; padding: 0; font-size: 0.8em; }
.source-card .inert-link { color: #6b7280; text-decoration: line-through; }
"""


def link(url: str, text: str | None = None, css_class: str = "") -> str:
    """A clickable link for http(s) URLs only; anything else is shown as inert text."""
    label = html.escape(text if text is not None else url)
    if urlsplit(url.strip()).scheme.lower() not in ("http", "https"):
        return f'<span class="inert-link" title="열지 않는 링크">{label}</span>'
    return f'<a class="{css_class}" href="{html.escape(url.strip(), quote=True)}" target="_blank" rel="noopener noreferrer nofollow">{label}</a>'


def text_html(text: str, turn: int | None = None) -> str:
    """Escaped text; with a turn number, each [n] links to source card n of that turn."""
    escaped = html.escape(text).replace("\n", "<br>")
    if turn is None:
        return escaped
    return _MARKER.sub(lambda m: f'<a class="marker" href="#src-{turn}-{m.group(1)}">[{m.group(1)}]</a>', escaped)


def source_card(chunk: Chunk, label: str, anchor: str | None, css_class: str = "") -> str:
    anchor_attr = f' id="{anchor}"' if anchor else ""
    parts = [
        f'<div class="source-card {css_class}"{anchor_attr}>',
        f'<div class="card-head">{html.escape(label)} · {chunk.date.isoformat()}</div>',
        link(chunk.permalink, chunk.title, "permalink"),
    ]
    if chunk.section != chunk.title:  # a post's intro has the title as its whole path
        parts.append(f'<div class="section">{html.escape(chunk.section)}</div>')
    if chunk.links:
        parts.append("<ul>" + "".join(f"<li>{link(url)}</li>" for url in chunk.links) + "</ul>")
    parts.append("</div>")
    return "".join(parts)


def answer_html(answer: Answer, turn: int, standalone: str | None = None) -> str:
    """The finished answer: text with linked markers, notes, then its source cards."""
    parts = ['<div class="answer">']
    if standalone:
        parts.append(f'<div class="rewritten">↳ 검색한 질문: {html.escape(standalone)}</div>')
    parts.append(f'<div class="answer-text">{text_html(answer.text, turn)}</div>')
    if answer.removed_markers:
        parts.append(f'<div class="note">주어진 자료에 없는 출처 표시 {answer.removed_markers}개를 지웠습니다.</div>')
    if answer.warning:
        parts.append(f'<div class="note">{html.escape(answer.warning)}</div>')
    if answer.error:
        parts.append(f'<div class="error">오류: {html.escape(answer.error)}</div>')
    if answer.citations:
        parts.append('<div class="sources-title">출처</div><div class="sources">')
        for citation in answer.citations:
            doubt = "" if citation.supported else " · 내용 불일치 의심"
            parts.append(source_card(
                citation.chunk, f"[{citation.marker}]{doubt}", f"src-{turn}-{citation.marker}",
                "" if citation.supported else "doubtful",
            ))
        parts.append("</div>")
    elif (answer.error or answer.warning) and answer.retrieved:
        parts.append('<div class="sources-title">검색된 자료 (답변에 인용되지 않음)</div><div class="sources">')
        parts.extend(source_card(hit.chunk, "검색됨", None, "retrieved") for hit in answer.retrieved)
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)  # one line: markdown treats it as a single HTML block and leaves it alone


def question_html(text: str) -> str:
    return f'<div class="question">{text_html(text)}</div>'


def parse_day(value: str | float | None, label: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise QuestionError(f"{label} 날짜는 YYYY-MM-DD 형식으로 입력해 주세요.") from None


def status_line(pipeline: Pipeline) -> str:
    try:
        chunks = pipeline.index.chunks
    except (EmbedderMismatch, EmbedderError) as error:
        return f"⚠ {html.escape(str(error))}"
    dates = [chunk.date for chunk in chunks]
    span = f"{min(dates).isoformat()} ~ {max(dates).isoformat()}" if dates else "글 없음"
    return (
        f"임베딩 <code>{html.escape(pipeline.settings.embedder)}</code> · 답변 <code>{html.escape(pipeline.answerer_name)}</code>"
        f" · 글 {len({chunk.slug for chunk in chunks})}편 ({span})"
    )


class WebChat:
    """The chat's event handlers over one shared Pipeline, and the Blocks that wire them."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    def respond(
        self, message: str, chat: list[dict], turns: list[Turn], since: str | None = None, until: str | None = None
    ) -> Iterator[tuple[str, list[dict], list[Turn]]]:
        """One chat turn: yields (textbox, chat messages, turns) as the answer streams in."""
        pipeline = self.pipeline
        turn = len(turns)
        chat = [*chat, {"role": "user", "content": question_html(message)}]
        pending = {"role": "assistant", "content": '<div class="answer">…</div>'}
        try:
            question = pipeline.check_question(message)
            start, end = parse_day(since, "시작"), parse_day(until, "끝")
            standalone = pipeline.standalone_question(question, turns)
            rewritten = standalone if standalone != question else None
            chat.append(pending)
            yield "", chat, turns
            written = ""
            for part in pipeline.stream(standalone, since=start, until=end):
                if isinstance(part, Answer):
                    pending["content"] = answer_html(part, turn, rewritten)
                    turns = [*turns, Turn(question=question, standalone=standalone, answer=part.text)]
                else:
                    written += part
                    pending["content"] = f'<div class="answer">{text_html(written, turn)}</div>'
                yield "", chat, turns
        except (QuestionError, EmbedderMismatch, EmbedderError) as error:
            if chat[-1] is pending:
                chat.pop()
            error_html = f'<div class="answer"><div class="error">{html.escape(str(error))}</div></div>'
            chat.append({"role": "assistant", "content": error_html})
            yield message if isinstance(error, QuestionError) else "", chat, turns

    def ask(self, question: str, since: str = "", until: str = "") -> dict:
        """One question, no history: the answer and its citations, as `python -m rag ask --json` prints them."""
        try:
            answer = self.pipeline.ask(question, since=parse_day(since, "시작"), until=parse_day(until, "끝"))
        except QuestionError as error:
            return {"question": question, "error": str(error)}
        return answer.as_json()

    def build(self) -> gr.Blocks:
        with gr.Blocks(title="AI 뉴스 다이제스트 Q&A") as app:
            gr.Markdown("## AI 뉴스 다이제스트 Q&A\n매일의 AI 뉴스 다이제스트에 물어보세요. 모든 답에는 출처 글이 붙습니다.")
            gr.HTML(f'<div class="status">{status_line(self.pipeline)}</div>')
            chatbot = gr.Chatbot(
                label="대화", height=560, elem_id="chat", sanitize_html=True,
                placeholder="질문을 입력하거나 아래 예시를 눌러 보세요.",
            )
            turns = gr.State([])
            with gr.Row():
                question = gr.Textbox(placeholder="예: Kaggle 대회 상금이 얼마였어?", show_label=False, scale=8, elem_id="question")
                send = gr.Button("보내기", variant="primary", scale=1, elem_id="send")
            with gr.Accordion("날짜 범위 (선택)", open=False):
                with gr.Row():
                    since = gr.DateTime(label="시작일", include_time=False, type="string", elem_id="since")
                    until = gr.DateTime(label="종료일", include_time=False, type="string", elem_id="until")
            gr.Examples(EXAMPLES, inputs=question, label="예시 질문")
            clear = gr.Button("새 대화", size="sm")

            inputs = [question, chatbot, turns, since, until]
            outputs = [question, chatbot, turns]
            question.submit(self.respond, inputs, outputs, api_name="chat")
            send.click(self.respond, inputs, outputs, api_name=False)
            clear.click(lambda: ("", [], []), None, outputs, api_name=False)
            gr.api(self.ask, api_name="ask")
        app.queue(default_concurrency_limit=self.pipeline.settings.ui_concurrency, max_size=64)
        return app


THEME_FONTS = {"font": ["system-ui", "Noto Sans CJK KR", "sans-serif"], "font_mono": ["ui-monospace", "monospace"]}
"""System fonts only: Gradio's default theme fetches Google Fonts, and the app must start offline."""


def launch(app: gr.Blocks, settings: Settings, **options: object) -> None:
    app.launch(
        server_name=settings.server_host, server_port=settings.server_port, share=False, ssr_mode=False,
        theme=gr.themes.Soft(**THEME_FONTS), css=CSS, footer_links=["api"], **options,
    )


def serve(pipeline: Pipeline) -> None:
    """Build the index if there is none (progress in the terminal), warm up, then serve."""
    if not pipeline.has_index():
        print(f"no index in {pipeline.settings.index_dir} yet: building it first", flush=True)
        report = pipeline.ingest(show_progress=True)
        for problem in report.warnings:
            print(f"warning: {problem}")
        for problem in report.skipped:
            print(f"skipped: {problem}")
        print(report.summary(), flush=True)
    try:
        pipeline.retriever().retrieve("시작 준비")  # loads the embedder, the index and Kiwi before the first reader
    except (EmbedderMismatch, EmbedderError) as error:
        print(f"warning: {error}", flush=True)  # served anyway: the page and each answer say what to fix
    launch(WebChat(pipeline).build(), pipeline.settings)
