"""Settings <-> CLI flags <-> README: declared once, mapped by field, errors in one line (no model loading)."""

import re

import pytest
import typer
from typer.testing import CliRunner

from conftest import ROOT
from rag.cli import app, main, with_settings
from rag.settings import Settings, env_var, flag_of, group_of, settings_table

COMMAND_GROUPS = {
    "ingest": {"index"}, "ask": {"index", "search", "answer", "llm"}, "chat": {"index", "search", "answer", "llm"},
    "eval": {"index", "search", "answer", "llm"}, "serve": {"index", "search", "answer", "llm", "server"},
}


@pytest.mark.parametrize("command", sorted(COMMAND_GROUPS))
def test_help_shows_each_setting_of_the_command_with_its_env_var(command):
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    help_text = re.sub(r"\s+", " ", result.output)
    for name in Settings.model_fields:
        offered = group_of(name) in COMMAND_GROUPS[command] and flag_of(name)
        assert (f"{flag_of(name)} " in help_text) == bool(offered), name
        if offered:
            assert env_var(name) in help_text


def probe_app(captured: list) -> typer.Typer:
    probe = typer.Typer()

    @probe.command()
    @with_settings("search", "index")
    def run(settings: Settings, word: str = "x") -> None:
        captured.append((settings, word))

    @probe.command()
    def other() -> None: ...

    return probe


def test_flags_reach_their_settings_fields_and_win_over_env_vars(monkeypatch, tmp_path):
    captured: list = []
    monkeypatch.setenv("RAG_TOP_K", "9")
    monkeypatch.setenv("RAG_RETRIEVAL", "dense")
    result = CliRunner().invoke(probe_app(captured), ["run", "--top-k", "7", "--index", str(tmp_path), "--word", "y"])
    assert result.exit_code == 0, result.output
    settings, word = captured[0]
    assert (settings.top_k, settings.retrieval, settings.index_dir, word) == (7, "dense", tmp_path, "y")


def run_main(args, capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    return exit_info.value.code, capsys.readouterr().err


def test_an_invalid_value_is_one_line_naming_the_flag_and_env_var(capsys):
    code, err = run_main(["ask", "--top-k", "abc", "질문"], capsys)
    assert code == 1 and err.count("\n") == 1
    assert "--top-k / RAG_TOP_K" in err and "integer" in err


def test_an_invalid_env_var_is_one_line_too(capsys, monkeypatch):
    monkeypatch.setenv("RAG_RETRIEVAL", "fuzzy")
    code, err = run_main(["ask", "질문"], capsys)
    assert code == 1 and err.count("\n") == 1 and "--retrieval / RAG_RETRIEVAL" in err


def test_a_flag_typo_is_one_line_with_the_right_flag(capsys):
    code, err = run_main(["ask", "--tpo-k", "3", "질문"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "--tpo-k" in err and "--top-k" in err and "Traceback" not in err


def test_readme_settings_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, "regenerate README's table: python -c 'from rag.settings import settings_table; print(settings_table())'"
