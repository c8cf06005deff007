"""A running server sees new posts: after an ingest by another process, and by itself with `serve --watch`.
Real processes on loopback; questions keep being answered while generations switch."""

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import POSTS, ask_api, free_port, wait_until_serving

pytestmark = pytest.mark.slow

NEW_POST = "daily-20240504"
QUESTION = "Kaggle 대회 상금이 얼마였어?"  # answered only by the new post


def ask(url: str, question: str = QUESTION) -> dict:
    return ask_api(url, question)


def cited_slugs(answer: dict) -> set[str]:
    return {citation["slug"] for citation in answer["citations"]}


def wait_for(condition, seconds: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            pytest.fail(f"not within {seconds} s: {what}")
        time.sleep(0.5)
    return time.monotonic() - started


@pytest.fixture
def served(tmp_path):
    """`python -m rag serve` over two posts (not the Kaggle one); yields (url, content dir, env, log)."""
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    for slug in ("daily-20240509", "daily-20240510"):
        shutil.copy(POSTS / f"{slug}.md", posts)
    # Relative paths, as a user in the archive's folder gives them (watchfiles reports absolute ones).
    env = {**os.environ, "RAG_CONTENT_DIR": "content", "RAG_INDEX_DIR": "index"}
    servers = []

    def start(*flags: str) -> str:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        server = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port), *flags], cwd=tmp_path,
                                  env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        servers.append(server)
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url, server, log)
        return url

    yield start, posts, env, tmp_path
    for server in servers:
        server.terminate()
        server.wait(timeout=30)


def test_an_ingest_by_another_process_is_served_without_a_restart_and_answers_never_fail(served):
    start, posts, env, tmp_path = served
    url = start()
    assert ask(url)["refused"]

    shutil.copy(POSTS / f"{NEW_POST}.md", posts)
    ingest = subprocess.Popen([sys.executable, "-m", "rag", "ingest"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    answers: list[dict] = []
    with ThreadPoolExecutor(max_workers=20) as pool:  # 20 readers at once while the generation switches
        while ingest.poll() is None:
            answers.extend(pool.map(lambda _: ask(url, "AlphaFold 3에 대해 뭐라고 했어?"), range(20)))
    assert ingest.returncode == 0, ingest.stderr.read()
    answers.extend(ask(url, "AlphaFold 3에 대해 뭐라고 했어?") for _ in range(20))
    assert len(answers) >= 20 and [a["error"] for a in answers if a["error"]] == []
    assert all(a["citations"] for a in answers)

    waited = wait_for(lambda: NEW_POST in cited_slugs(ask(url)), 10, "the new generation answers")
    assert waited < 10


def test_serve_watch_ingests_added_and_removed_posts(served):
    start, posts, _, tmp_path = served
    url = start("--watch")
    assert ask(url)["refused"]

    shutil.copy(POSTS / f"{NEW_POST}.md", posts)
    wait_for(lambda: NEW_POST in cited_slugs(ask(url)), 180, "an added post is answered from")
    (posts / f"{NEW_POST}.md").unlink()
    wait_for(lambda: NEW_POST not in cited_slugs(ask(url)), 180, "a removed post is no longer cited")
    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert "watch: 1 post file(s) changed; ingesting" in log and "1 added" in log and "1 removed" in log
