"""LLM failures seen by a user: real HTTP through the openai client to servers that misbehave."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT, free_port
from openai_stub import start_failing_server
from rag.pipeline import Pipeline


@pytest.fixture
def server_that():
    servers = []

    def start(behaviour: str) -> str:
        base_url, server = start_failing_server(behaviour)
        servers.append(server)
        return base_url

    yield start
    for server in servers:
        server.shutdown()


def openai_pipeline(real_pipeline, base_url: str, **settings) -> Pipeline:
    return Pipeline.from_settings(real_pipeline.settings.model_copy(update={"llm": "openai", "llm_base_url": base_url, **settings}))


@pytest.mark.parametrize(
    ("behaviour", "setting"),
    [("reject-key", "RAG_LLM_API_KEY"), ("no-model", "RAG_LLM_MODEL"), ("hang", "RAG_LLM_TIMEOUT")],
)
def test_server_failures_name_the_setting_and_keep_the_sources(real_pipeline, server_that, behaviour, setting):
    pipeline = openai_pipeline(real_pipeline, server_that(behaviour), llm_timeout=1.0)
    answer = pipeline.ask("Kaggle 대회 상금이 얼마였어?")
    assert setting in answer.error
    assert answer.retrieved and answer.citations == [] and not answer.refused


def test_cli_reports_an_unreachable_server_without_a_traceback(real_pipeline):
    env = {**os.environ, "RAG_INDEX_DIR": str(real_pipeline.settings.index_dir), "RAG_CONTENT_DIR": str(ROOT / "content")}
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = subprocess.run(
        [sys.executable, "-m", "rag", "ask", "--llm", "openai", "--llm-base-url", url, "xLSTM이 뭐야?"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1
    assert f"LLM 서버({url})에 연결할 수 없습니다" in result.stderr and "RAG_LLM_BASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert "검색된 자료 (답변에 인용되지 않음)" in result.stdout and "https://punknews.netlify.app/" in result.stdout


def test_missing_model_file_names_the_setting(real_pipeline, tmp_path):
    pipeline = Pipeline.from_settings(real_pipeline.settings.model_copy(update={"llm": "llamacpp", "llm_model_path": tmp_path / "none.gguf"}))
    answer = pipeline.ask("xLSTM이 뭐야?")
    assert "RAG_LLM_MODEL_PATH" in answer.error and answer.retrieved
