"""The Gradio chat UI (`python ui.py`, `python -m rag serve`, the Hugging Face Space).

A thin shell over the same `Pipeline` and settings as the CLI. Every piece of text that
comes from a post or a model is HTML-escaped before it is shown, and only http(s) links
become clickable, so a `javascript:` or `data:` link written in a post stays inert.
"""

from __future__ import annotations

import html
import os
import re
import threading
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlsplit

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported: no start-up lookups

import gradio as gr  # noqa: E402

from . import messages  # noqa: E402
from .conversation import Turn  # noqa: E402
from .errors import QuestionError, RagError  # noqa: E402
from .index import IngestReport  # noqa: E402
from .korean import english_glosses  # noqa: E402
from .pipeline import Pipeline  # noqa: E402
from .present import CardView, answer_json, building_index_line, ingest_lines, plan_lines, view_of  # noqa: E402
from .records import Answer  # noqa: E402
from .settings import Settings  # noqa: E402

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
.source-card ul .quote-link::after { content: " ← QUOTE_LINK_LABEL"; color: #15803d; font-weight: 600; }
.source-card details { margin-top: 0.3em; font-size: 0.85em; }
.source-card details summary { cursor: pointer; color: #2563eb; }
.source-card .section-text { white-space: pre-wrap; color: #4b5563; margin-top: 0.3em; }
.source-card mark { background: #fef08a; color: inherit; padding: 0 0.1em; border-radius: 3px; }
.answer .timeline { list-style: none; margin: 0.5em 0 0 0.4em; padding: 0 0 0 1em; border-left: 2px solid #93c5fd; }
.answer .timeline li { position: relative; margin: 0 0 0.7em 0; }
.answer .timeline li::before { content: ""; position: absolute; left: -1.42em; top: 0.45em; width: 0.7em; height: 0.7em;
  border-radius: 50%; background: #2563eb; }
.answer .when { display: inline-block; font-weight: 600; font-variant-numeric: tabular-nums; color: #1d4ed8; margin-right: 0.4em; }
.answer .digest-post { font-weight: 600; margin: 0.8em 0 0.2em 0; }
.answer .digest-post .when { margin-right: 0.2em; }
.answer ul.digest { margin: 0 0 0 1.2em; padding: 0; }
#chat .bot .answer { padding-top: 0.2em; }
""".replace("QUOTE_LINK_LABEL", messages.QUOTE_LINK_LABEL)

ACCESSIBLE_LABELS_JS = """
() => {
  // Gradio labels each chat message with its raw content; ours is HTML, so screen readers would read tags.
  const plain = (element) => {
    for (const labelled of element.querySelectorAll('#chat [aria-label*="<"]')) {
      const text = new DOMParser().parseFromString(labelled.getAttribute("aria-label"), "text/html").body.textContent;
      labelled.setAttribute("aria-label", text.replace(/\\s+/g, " ").trim());
    }
  };
  new MutationObserver(() => plain(document)).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"]});
  plain(document);
}
"""


def link(url: str, text: str | None = None, css_class: str = "") -> str:
    """A clickable link for http(s) URLs only; anything else is shown as inert text."""
    label = html.escape(text if text is not None else url)
    if urlsplit(url.strip()).scheme.lower() not in ("http", "https"):
        return f'<span class="inert-link" title="{messages.UI_INERT_LINK}">{label}</span>'
    return f'<a class="{css_class}" href="{html.escape(url.strip(), quote=True)}" target="_blank" rel="noopener noreferrer nofollow">{label}</a>'


def text_html(text: str, turn: int | None = None) -> str:
    """Escaped text; with a turn number, each [n] links to source card n of that turn."""
    escaped = html.escape(text).replace("\n", "<br>")
    if turn is None:
        return escaped
    return _MARKER.sub(lambda m: f'<a class="marker" href="#src-{turn}-{m.group(1)}">[{m.group(1)}]</a>', escaped)


_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2}) · (.*)$")


def dated_list_html(text: str, turn: int, kind: str) -> str:
    """A timeline as a vertical dated list, a digest as items grouped under each post's date and title."""
    parts: list[str] = []
    open_list = False
    for line in text.splitlines():
        item = line.startswith("- ")
        if item and not open_list:
            parts.append(f'<ul class="{"timeline" if kind == "timeline" else "digest"}">')
        elif not item and open_list:
            parts.append("</ul>")
        open_list = item
        body = line[2:] if item else line.strip("*")
        dated = _DATED.match(body)
        shown = (f'<span class="when">{dated.group(1)}</span>{text_html(dated.group(2), turn)}' if dated
                 else text_html(body, turn))
        if item:
            parts.append(f"<li>{shown}</li>")
        elif line.startswith("**"):
            parts.append(f'<div class="digest-post">{shown}</div>')
        elif line.strip():
            parts.append(f"<p>{shown}</p>")
    if open_list:
        parts.append("</ul>")
    return "".join(parts)


def section_with_quotes(card: CardView) -> str:
    """The section text, escaped, with each quoted sentence marked."""
    shown = html.escape(card.text.replace("**", ""))
    for quote in card.quotes:
        for sentence in re.split(r"(?<=[.!?])\s+", quote):
            escaped = html.escape(sentence.strip())
            if len(escaped) > 8 and escaped in shown:
                shown = shown.replace(escaped, f"<mark>{escaped}</mark>", 1)
    return shown


def source_card(card: CardView, turn: int) -> str:
    anchor = f' id="src-{turn}-{card.anchor}"' if card.anchor is not None else ""
    css_class = "doubtful" if card.doubtful else ("" if card.cited else "retrieved")
    parts = [
        f'<div class="source-card {css_class}"{anchor}>',
        f'<div class="card-head">{html.escape(card.label)} · {card.date}</div>',
        link(card.permalink, card.title, "permalink"),
    ]
    if card.section:
        parts.append(f'<div class="section">{html.escape(card.section)}</div>')
    if card.links:
        items = [f'<li class="quote-link">{link(url)}</li>' if url in card.quote_links else f"<li>{link(url)}</li>"
                 for url in card.links]
        parts.append("<ul>" + "".join(items) + "</ul>")
    if card.quotes and card.text:
        parts.append(f"<details><summary>{html.escape(messages.QUOTE_IN_SECTION)}</summary>"
                     f'<div class="section-text">{section_with_quotes(card)}</div></details>')
    parts.append("</div>")
    return "".join(parts)


def answer_html(answer: Answer, turn: int, standalone: str | None = None) -> str:
    """The finished answer: text with linked markers, notes, then its source cards."""
    view = view_of(answer, standalone)
    parts = ['<div class="answer">']
    if view.rewritten:
        parts.append(f'<div class="rewritten">{html.escape(view.rewritten)}</div>')
    text = dated_list_html(view.text, turn, view.kind) if view.kind != "answer" else text_html(view.text, turn)
    parts.append(f'<div class="answer-text {view.kind}">{text}</div>')
    parts.extend(f'<div class="note">{html.escape(note)}</div>' for note in view.notes)
    if view.error:
        parts.append(f'<div class="error">{html.escape(view.error)}</div>')
    if view.cards_heading:
        parts.append(f'<div class="sources-title">{html.escape(view.cards_heading)}</div><div class="sources">')
        parts.extend(source_card(card, turn) for card in view.cards)
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
        raise QuestionError(messages.BAD_DAY.format(label=label)) from None


def status_line(pipeline: Pipeline) -> str:
    try:
        chunks = pipeline.index.current().chunks
    except RagError as error:
        return f"⚠ {html.escape(str(error))}"
    dates = [chunk.date for chunk in chunks]
    span = f"{min(dates).isoformat()} ~ {max(dates).isoformat()}" if dates else messages.NO_POSTS
    return messages.UI_STATUS.format(
        embedder=html.escape(pipeline.settings.embedder), answerer=html.escape(pipeline.answerer_name),
        posts=len({chunk.slug for chunk in chunks}), span=span,
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
        chat = list(chat)
        pending = {"role": "assistant", "content": '<div class="answer">…</div>'}
        try:
            question = pipeline.check_question(message)
            chat.append({"role": "user", "content": question_html(message)})  # a refused question leaves no bubble
            start, end = parse_day(since, messages.SINCE_LABEL), parse_day(until, messages.UNTIL_LABEL)
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
        except RagError as error:
            if chat and chat[-1] is pending:
                chat.pop()
            error_html = f'<div class="answer"><div class="error">{html.escape(str(error))}</div></div>'
            chat.append({"role": "assistant", "content": error_html})
            yield message if isinstance(error, QuestionError) else "", chat, turns

    def ask(self, question: str, since: str = "", until: str = "") -> dict:
        """One question, no history: the answer and its citations, as `python -m rag ask --json` prints them."""
        try:
            answer = self.pipeline.ask(
                question, since=parse_day(since, messages.SINCE_LABEL), until=parse_day(until, messages.UNTIL_LABEL)
            )
        except RagError as error:
            return {"question": question, "error": str(error)}
        return answer_json(answer)

    def build(self) -> gr.Blocks:
        with gr.Blocks(title=messages.UI_TITLE) as app:
            gr.Markdown(messages.UI_INTRO)
            # Filled when a page loads, not when the app is built: the server starts before the index is
            # opened, and a page opened after a --watch ingest shows the new posts.
            status = gr.HTML('<div class="status">…</div>')
            app.load(lambda: f'<div class="status">{status_line(self.pipeline)}</div>', None, status,
                     api_name=False, queue=False)
            # No floating label or corner buttons: they covered the first line of a scrolled answer.
            chatbot = gr.Chatbot(
                label=messages.UI_CHAT_LABEL, show_label=False, buttons=[], height=560, elem_id="chat",
                sanitize_html=True, placeholder=messages.UI_PLACEHOLDER,
            )
            turns = gr.State([])
            with gr.Row():
                question = gr.Textbox(placeholder=messages.UI_QUESTION_PLACEHOLDER, show_label=False, scale=8, elem_id="question")
                send = gr.Button(messages.UI_SEND, variant="primary", scale=1, elem_id="send")
            with gr.Accordion(messages.UI_DATE_RANGE, open=False):
                with gr.Row():
                    since = gr.DateTime(label=messages.UI_SINCE, include_time=False, type="string", elem_id="since")
                    until = gr.DateTime(label=messages.UI_UNTIL, include_time=False, type="string", elem_id="until")
            examples = gr.Examples(messages.UI_EXAMPLES, inputs=question, label=messages.UI_EXAMPLES_LABEL)
            clear = gr.Button(messages.UI_NEW_CHAT, size="sm")

            inputs = [question, chatbot, turns, since, until]
            outputs = [question, chatbot, turns]
            examples.load_input_event.then(self.respond, inputs, outputs, api_name=False)  # a click asks it
            question.submit(self.respond, inputs, outputs, api_name="chat")
            send.click(self.respond, inputs, outputs, api_name=False)
            clear.click(lambda: ("", [], []), None, outputs, api_name=False)
            gr.api(self.ask, api_name="ask", queue=False)
        app.queue(default_concurrency_limit=self.pipeline.settings.ui_concurrency, max_size=64)
        return app


THEME_FONTS = {"font": ["system-ui", "Noto Sans CJK KR", "sans-serif"], "font_mono": ["ui-monospace", "monospace"]}
"""System fonts only: Gradio's default theme fetches Google Fonts, and the app must start offline."""


def launch(app: gr.Blocks, settings: Settings, **options: object) -> None:
    app.launch(
        server_name=settings.server_host, server_port=settings.server_port, share=False, ssr_mode=False,
        theme=gr.themes.Soft(**THEME_FONTS), css=CSS, js=ACCESSIBLE_LABELS_JS, footer_links=["api"], **options,
    )


def serve(pipeline: Pipeline) -> None:
    """Build the index if there is none (progress in the terminal), then serve while the index opens."""
    def print_plan(report: IngestReport) -> None:
        print(building_index_line(pipeline.settings.index_dir), flush=True)
        for _, line in plan_lines(report):
            print(line, flush=True)

    report = pipeline.ensure_index(show_progress=True, on_plan=print_plan)
    for _, line in ingest_lines(report) if report else []:
        print(line, flush=True)
    if pipeline.settings.watch:
        from .watch import start_watching

        start_watching(pipeline.ingest, pipeline.settings.posts_dir, lambda line: print(line, flush=True))
        print(f"watching {pipeline.settings.posts_dir.resolve()} for new, changed and removed posts", flush=True)

    def warm_up() -> None:
        try:
            pipeline.evidence("시작 준비")  # opens the index, loads Kiwi and embeds once
            english_glosses("준비")  # reads the glossary of loanword checks (~0.3 s) before a question needs it
        except RagError as error:
            print(f"warning: {error}", flush=True)  # served anyway: the page and each answer say what to fix

    # The page is served while the index opens (~2 s): a question asked before that waits for it.
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    launch(WebChat(pipeline).build(), pipeline.settings)
