"""`python -m rag ingest | ask | chat | serve | eval`: a thin shell over `Pipeline`.

Setting flags are not written here: `with_settings(groups)` adds one flag per `Settings`
field of those groups (name, help and env var taken from the field), validates them with
the env vars through `load_settings`, and hands the command a `Settings`.
"""

import functools
import inspect
import json
import math
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal, Optional, get_args, get_origin

import typer

try:  # typer >= 0.22 carries its own copy of click
    from typer._click.exceptions import UsageError
except ImportError:
    from click.exceptions import UsageError

from . import messages
from .conversation import Turn
from .errors import QuestionError, RagError
from .evaluate import evaluate, evaluate_timelines, installed_versions, read_questions, read_timeline_topics
from .index import IngestReport
from .pipeline import Pipeline
from .present import AnswerView, answer_json, building_index_line, ingest_lines, plan_lines, view_of
from .records import Answer
from .settings import Settings, SettingGroup, env_var, flag_of, group_of, load_settings

PROG = "python -m rag"
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Korean question answering with citations over the AI-news digest archive.",
)


def with_settings(*groups: SettingGroup) -> Callable[[Callable], Callable]:
    """Give a command one flag per setting of `groups`; it receives the validated `settings`."""

    def decorate(command: Callable) -> Callable:
        fields = [name for name in Settings.model_fields if group_of(name) in groups and flag_of(name)]
        own = inspect.signature(command)
        parameters = [p for p in own.parameters.values() if p.name != "settings"]
        for name in fields:
            info = Settings.model_fields[name]
            default = "unset" if info.default is None else info.default
            switch = info.annotation is bool  # `--watch`, not `--watch true`
            option = typer.Option(
                flag_of(name), help=f"{info.description} Env: {env_var(name)}. (default: {default})",
                show_default=False, metavar=None if switch else metavar(info.annotation),
                rich_help_panel=f"Settings ({group_of(name)})",
            )
            kind = Optional[bool] if switch else Optional[str]
            parameters.append(inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind, option],
            ))

        @functools.wraps(command)
        def run(**values: object) -> object:
            settings = load_settings(**{name: values.pop(name) for name in fields})
            return command(settings=settings, **values)

        run.__signature__ = own.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        return run

    return decorate


def metavar(annotation: object) -> str:
    """INT, PATH, hybrid|dense|keyword, ...: the kind of value a setting takes (validation is pydantic's)."""
    choices = get_args(annotation)
    if get_origin(annotation) is Literal:
        return "|".join(map(str, choices))
    kinds = [kind for kind in (choices or (annotation,)) if kind is not type(None)]
    return {int: "INT", float: "NUMBER", Path: "PATH"}.get(kinds[0], "TEXT") if kinds else "TEXT"


def main(args: list[str] | None = None, prog_name: str = PROG) -> None:
    """Run the CLI; a usage error or a `RagError` is one line on stderr, never a traceback."""
    try:
        code = app(args=args, prog_name=prog_name, standalone_mode=False)
    except UsageError as error:
        hint = f" (see {prog_name} {error.ctx.info_name} --help)" if error.ctx and error.ctx.parent else ""
        typer.secho(f"error: {error.format_message()}{hint}", err=True, fg=typer.colors.RED)
        code = 2
    except typer.Abort:
        code = 1
    except RagError as error:
        typer.secho(str(error) if isinstance(error, QuestionError) else f"error: {error}", err=True,
                    fg=typer.colors.RED)
        code = 2 if isinstance(error, QuestionError) else 1
    sys.exit(code or 0)


LEVEL_COLOURS = {"warning": typer.colors.YELLOW, "skipped": typer.colors.RED, "info": None}


def print_lines(lines: list[tuple[str, str]]) -> None:
    for level, line in lines:
        typer.secho(line, err=True, fg=LEVEL_COLOURS[level])


def print_plan(report: IngestReport) -> None:
    print_lines(plan_lines(report))


def ensure_index(pipeline: Pipeline) -> None:
    def announce_then_plan(report: IngestReport) -> None:  # after the posts were found: a wrong --content says only that
        typer.echo(building_index_line(pipeline.settings.index_dir), err=True)
        print_plan(report)

    report = pipeline.ensure_index(on_plan=announce_then_plan)
    if report:
        print_lines(ingest_lines(report))


def print_view(view: AnswerView, text_already_shown: bool) -> None:
    if view.text and not text_already_shown:
        typer.echo(view.text)
    for note in view.notes:
        typer.secho(note, fg=typer.colors.YELLOW)
    if view.error:
        typer.secho(view.error, err=True, fg=typer.colors.RED)
    if view.cards_heading:
        typer.echo(f"\n{view.cards_heading}")
        for card in view.cards:
            label = card.label if card.cited else "-"
            section = f" · {card.section}" if card.section else ""
            typer.echo(f"{label} {card.date} · {card.title}{section} · {card.permalink}")
            for link in card.links:
                typer.echo(f"    {link}" + (f"  {messages.QUOTE_LINK_MARK}" if link in card.quote_links else ""))


def show_answer(parts: Iterator[str | Answer], stream: bool) -> Answer:
    """Print the text as it arrives (or at once), then notes, the error and the sources."""
    answer: Answer | None = None
    streamed = ""
    for part in parts:
        if isinstance(part, Answer):
            answer = part
        elif stream:
            typer.echo(part, nl=False)
            streamed += part
    assert answer is not None, "an answer stream ends with its Answer"
    if stream and answer.text:
        typer.echo()
        if answer.text != streamed.strip():  # markers attached once the whole answer was checked
            typer.echo(f"{messages.ANSWER_WITH_SOURCES} {answer.text}")
    print_view(view_of(answer), text_already_shown=stream)
    return answer


DateOption = Annotated[Optional[datetime], typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")]


@app.command("ingest")
@with_settings("index")
def ingest_command(settings: Settings) -> None:
    """Index new and changed posts, drop removed ones. Exit status 1 when a post was skipped."""
    report = Pipeline.from_settings(settings).ingest(on_plan=print_plan)
    print_lines(ingest_lines(report))
    raise typer.Exit(1 if report.skipped else 0)


@app.command("ask")
@with_settings("index", "search", "answer", "llm")
def ask_command(
    settings: Settings,
    question: Annotated[str, typer.Argument(help="The question, in Korean.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print answer and citations as JSON.")] = False,
    stream: Annotated[bool, typer.Option("--stream/--no-stream", help="Print the answer as it is written.")] = True,
    since: DateOption = None,
    until: DateOption = None,
) -> None:
    """Answer a question from the archive, with its sources. Exit status 1 when the LLM failed, 2 for a bad question."""
    pipeline = Pipeline.from_settings(settings)
    pipeline.check_question(question)
    ensure_index(pipeline)
    parts = pipeline.stream(question, since=since.date() if since else None, until=until.date() if until else None)
    if as_json:
        *_, answer = parts
        typer.echo(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
    else:
        answer = show_answer(parts, stream)
    raise typer.Exit(1 if answer.error else 0)


@app.command("timeline")
@with_settings("index", "search")
def timeline_command(
    settings: Settings,
    topic: Annotated[str, typer.Argument(help="A name or term: xLSTM, GPT-4o, 엔비디아.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the timeline and its citations as JSON.")] = False,
    since: DateOption = None,
    until: DateOption = None,
) -> None:
    """Every post that mentions a topic, oldest first: date · title · one cited sentence."""
    pipeline = Pipeline.from_settings(settings)
    pipeline.check_question(topic)
    ensure_index(pipeline)
    show_or_print_json(pipeline.timeline(topic, since.date() if since else None, until.date() if until else None), as_json)


@app.command("digest")
@with_settings("index", "search")
def digest_command(
    settings: Settings,
    as_json: Annotated[bool, typer.Option("--json", help="Print the digest and its citations as JSON.")] = False,
    since: DateOption = None,
    until: DateOption = None,
) -> None:
    """The headline items of every post of a period (default: the archive's last week), each cited."""
    pipeline = Pipeline.from_settings(settings)
    ensure_index(pipeline)
    show_or_print_json(pipeline.digest(since.date() if since else None, until.date() if until else None), as_json)


def show_or_print_json(answer: Answer, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
    else:
        print_view(view_of(answer), text_already_shown=False)


@app.command("chat")
@with_settings("index", "search", "answer", "llm")
def chat_command(
    settings: Settings,
    stream: Annotated[bool, typer.Option("--stream/--no-stream", help="Print answers as they are written.")] = True,
) -> None:
    """An interactive session: follow-up questions are rewritten from the conversation."""
    import readline  # noqa: F401  (line editing and history for input())

    pipeline = Pipeline.from_settings(settings)
    ensure_index(pipeline)
    pipeline.index.current()  # fail now on an embedder mismatch, not at the first question
    typer.secho(messages.CHAT_BANNER.format(answerer=pipeline.answerer_name, embedder=settings.embedder), bold=True)
    typer.echo(messages.CHAT_HELP)
    history: list[Turn] = []
    while True:
        try:
            question = input(messages.CHAT_PROMPT).strip()
        except (EOFError, KeyboardInterrupt):
            typer.echo()
            break
        if question in ("/exit", "/quit"):
            break
        if question == "/new":
            history.clear()
            typer.echo(messages.CHAT_RESTARTED)
            continue
        try:
            pipeline.check_question(question)
        except QuestionError as error:
            typer.secho(str(error), fg=typer.colors.YELLOW)
            continue
        standalone = pipeline.standalone_question(question, history)
        if standalone != question:
            typer.secho(messages.REWRITTEN_QUESTION.format(question=standalone), dim=True)
        answer = show_answer(pipeline.stream(standalone), stream)
        history.append(Turn(question=question, standalone=standalone, answer=answer.text))


@app.command("serve")
@with_settings("index", "search", "answer", "llm", "server")
def serve_command(settings: Settings) -> None:
    """The web chat UI (Gradio), the same as `python ui.py`."""
    from .webui import serve  # gradio loads in seconds: only for this command

    serve(Pipeline.from_settings(settings))


def _format_metric(value: object) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.3f}"
    return str(value)


def _write_results(out: Path, metrics: dict, details_key: str, details: list[dict]) -> None:
    """An evaluation's metrics, the package versions they were measured with, and its per-item details."""
    results = {"metrics": metrics, "measured_with": installed_versions(), details_key: details}
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


@app.command("eval-timeline")
@with_settings("index", "search")
def eval_timeline_command(
    settings: Settings,
    topics_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL topics (eval/timeline.jsonl format).")],
    out: Annotated[Optional[Path], typer.Option(help="Also write metrics and per-topic details to this JSON file.")] = None,
) -> None:
    """Timeline quality: post precision and recall against each topic's posts, and first-mention accuracy."""
    pipeline = Pipeline.from_settings(settings)
    ensure_index(pipeline)
    metrics, details = evaluate_timelines(pipeline, read_timeline_topics(topics_file))
    if out:
        _write_results(out, metrics, "topics", details)
    width = max(map(len, metrics))
    for key, value in metrics.items():
        typer.echo(f"{key:<{width}}  {_format_metric(value)}")
    for detail in details:
        if detail["missed"] or detail["extra"] or not detail["first_correct"]:
            typer.echo(f"  {detail['topic']}: missed {detail['missed']} extra {detail['extra']}")


@app.command("eval")
@with_settings("index", "search", "answer", "llm")
def eval_command(
    settings: Settings,
    questions_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL questions (eval/dev_questions.jsonl format).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as one JSON object.")] = False,
    out: Annotated[Optional[Path], typer.Option(help="Also write metrics and per-question details to this JSON file.")] = None,
) -> None:
    """Retrieval and answer quality on a question set (answers written by --llm)."""
    questions = read_questions(questions_file)
    pipeline = Pipeline.from_settings(settings)
    ensure_index(pipeline)
    metrics, details = evaluate(pipeline, questions, show_progress=True)
    if out:
        _write_results(out, metrics, "questions", details)
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False))
    else:
        by_type = metrics.pop("by_type")
        width = max(map(len, metrics))
        for key, value in metrics.items():
            typer.echo(f"{key:<{width}}  {_format_metric(value)}")
        if by_type:
            typer.echo("by type (answer_correct; refusal for unanswerable)")
        for kind, counts in by_type.items():
            typer.echo(f"  {kind:<{width - 2}}  {counts['rate']:.3f}  ({counts['correct']}/{counts['questions']})")
