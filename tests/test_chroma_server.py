"""The index on a real Chroma server (`chroma run` on a free loopback port): ingest, ask, eval and serve
against it, replicas without a shared disk, a server that stops and comes back, and token errors."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import POSTS, ROOT, ask_api, free_port, wait_until_serving
from rag.errors import RagError
from rag.evaluate import read_questions
from rag.generations import POINTER_TTL_SECONDS, ServerGenerations
from rag.pipeline import Pipeline
from rag.settings import Settings

pytestmark = pytest.mark.slow  # real servers, real indexes

CHROMA = Path(sys.executable).with_name("chroma")


@contextmanager
def chroma_server(data: Path, port: int | None = None) -> Iterator[str]:
    """`chroma run` on loopback, storing in `data`; yields its URL."""
    port = port or free_port()
    log_path = data.with_suffix(".log")
    with log_path.open("a") as log:
        server = subprocess.Popen([str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(f"{url}/api/v2/heartbeat", server, log_path, seconds=60)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


def rag(*args: str, env: dict, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=cwd, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def server_index(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A Chroma server holding the five seed posts, ingested by the CLI; yields (URL, the ingest's cache dir)."""
    data = tmp_path_factory.mktemp("chroma") / "data"
    with chroma_server(data) as url:
        cache = data.parent / "ingest-cache"
        result = rag("ingest", "--content", str(ROOT / "content"), "--index", str(cache), env={"RAG_CHROMA_URL": url})
        assert result.returncode == 0, result.stderr
        assert "5 added" in result.stderr
        yield url, cache


def test_answers_from_the_server_are_the_answers_from_the_folder_for_every_dev_question(server_index, real_pipeline, tmp_path):
    url, _ = server_index
    replica = Pipeline.from_settings(Settings(content_dir=ROOT / "content", index_dir=tmp_path / "cache", chroma_url=url))
    questions = read_questions(ROOT / "eval" / "dev_questions.jsonl")
    for item in questions:
        from_server, from_folder = replica.ask(item.question), real_pipeline.ask(item.question)
        assert from_server.text == from_folder.text, item.question
        assert [(c.chunk.id, c.quotes, round(c.score, 3)) for c in from_server.citations] == \
               [(c.chunk.id, c.quotes, round(c.score, 3)) for c in from_folder.citations], item.question
    # Nothing but the generation's files (downloaded once) is on this replica's disk: no Chroma store.
    assert not list((tmp_path / "cache").rglob("chroma.sqlite3"))
    assert [p.name for p in (tmp_path / "cache" / "server-cache").iterdir()] == [replica.index.current().generation.name]


def test_cli_ask_and_eval_run_against_the_server(server_index, tmp_path):
    url, _ = server_index
    env = {"RAG_CHROMA_URL": url, "RAG_INDEX_DIR": str(tmp_path / "cache"), "RAG_CONTENT_DIR": str(ROOT / "content")}
    asked = rag("ask", "--json", "Kaggle 대회 상금이 얼마였어?", env=env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert "100,000" in answer["answer"] and answer["citations"][0]["slug"] == "daily-20240504"
    assert "building it first" not in asked.stderr  # the server's index was found, not rebuilt

    evaluated = rag("eval", str(ROOT / "eval" / "dev_questions.jsonl"), "--json", env=env)
    assert evaluated.returncode == 0, evaluated.stderr
    metrics = json.loads(evaluated.stdout)
    assert metrics["post_recall@5"] >= 0.9 and metrics["answer_correct"] >= 0.8

    unchanged = rag("ingest", env=env)  # a no-op ingest from another machine's cache: nothing is re-embedded
    assert unchanged.returncode == 0 and "0 added, 0 updated, 0 removed, 5 unchanged" in unchanged.stderr


def test_two_replicas_answer_alike_see_a_third_process_ingest_and_survive_a_server_restart(tmp_path):
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    for slug in ("daily-20240509", "daily-20240510"):
        shutil.copy(POSTS / f"{slug}.md", posts)
    data, port = tmp_path / "chroma", free_port()
    questions = ["AlphaFold 3에 대해 뭐라고 했어?", "Kaggle 대회 상금이 얼마였어?", "xLSTM은 언제부터 언급됐어?"]
    with chroma_server(data, port) as chroma:
        first = rag("ingest", "--content", str(tmp_path / "content"), "--index", str(tmp_path / "job"),
                    env={"RAG_CHROMA_URL": chroma})
        assert first.returncode == 0, first.stderr
        replicas, urls = [], []
        try:
            for name in ("a", "b"):  # each with its own cache folder: no shared disk
                app_port = free_port()
                log = tmp_path / f"replica-{name}.log"
                replicas.append(subprocess.Popen(
                    [sys.executable, "-m", "rag", "serve", "--port", str(app_port)], cwd=tmp_path, stdout=log.open("w"),
                    stderr=subprocess.STDOUT, env={**os.environ, "RAG_CHROMA_URL": chroma,
                                                   "RAG_INDEX_DIR": str(tmp_path / f"replica-{name}")}))
                urls.append(f"http://127.0.0.1:{app_port}/")
                wait_until_serving(urls[-1], replicas[-1], log)
            before = [[ask_api(url, q) for q in questions] for url in urls]
            assert before[0] == before[1]
            assert before[0][1]["refused"]  # the Kaggle post is not in yet

            shutil.copy(POSTS / "daily-20240504.md", posts)
            third = rag("ingest", "--content", str(tmp_path / "content"), "--index", str(tmp_path / "job"),
                        env={"RAG_CHROMA_URL": chroma})
            assert third.returncode == 0 and "1 added" in third.stderr, third.stderr
            after = [ask_api(url, "Kaggle 대회 상금이 얼마였어?") for url in urls]
            assert after[0] == after[1] and "100,000" in after[0]["answer"]
        except BaseException:
            for replica in replicas:
                replica.terminate()
            raise

    # The server is down: one message naming RAG_CHROMA_URL, no traceback, the replicas keep running.
    down = [ask_api(url, "Kaggle 대회 상금이 얼마였어?") for url in urls]
    assert all("RAG_CHROMA_URL" in answer["error"] and "\n" not in answer["error"] for answer in down)
    with chroma_server(data, port):
        back = [ask_api(url, "Kaggle 대회 상금이 얼마였어?") for url in urls]
        assert back == after
    for replica, name in zip(replicas, "ab"):
        replica.terminate()
        replica.wait(timeout=30)
        assert "Traceback" not in (tmp_path / f"replica-{name}.log").read_text()


@contextmanager
def token_proxy(upstream: str, token: str) -> Iterator[str]:
    """What hosted Chroma or an auth proxy does (the open-source `chroma run` has no token auth): forward
    requests that carry `X-Chroma-Token: <token>`, answer 401 to the others."""

    class Forward(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            if self.headers.get("X-Chroma-Token") != token:
                body = json.dumps({"error": "AuthorizationError", "message": "Unauthorized"}).encode()
                self.send_response(401)
            else:
                length = int(self.headers.get("Content-Length") or 0)
                request = urllib.request.Request(upstream + self.path, data=self.rfile.read(length) if length else None,
                                                 method=self.command, headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        status, body = response.status, response.read()
                except urllib.error.HTTPError as error:
                    status, body = error.code, error.read()
                self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = _forward

        def log_message(self, *args) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}"
    finally:
        proxy.shutdown()


def test_a_missing_or_wrong_token_is_one_message_naming_RAG_CHROMA_TOKEN(server_index, tmp_path):
    url, _ = server_index
    with token_proxy(url, "right-token") as guarded:
        env = {"RAG_CHROMA_URL": guarded, "RAG_INDEX_DIR": str(tmp_path / "cache"), "RAG_CONTENT_DIR": str(ROOT / "content")}
        for token in ("wrong-token", None):
            refused = rag("ask", "Kaggle 대회 상금이 얼마였어?", env={**env, "RAG_CHROMA_TOKEN": token or ""})
            assert refused.returncode == 1 and "Traceback" not in refused.stderr
            assert len(refused.stderr.strip().splitlines()) == 1 and "RAG_CHROMA_TOKEN" in refused.stderr
        accepted = rag("ask", "Kaggle 대회 상금이 얼마였어?", env={**env, "RAG_CHROMA_TOKEN": "right-token"})
        assert accepted.returncode == 0 and "100,000" in accepted.stdout, accepted.stderr


def test_a_server_that_does_not_answer_is_one_message_naming_RAG_CHROMA_URL(tmp_path):
    settings = Settings(content_dir=ROOT / "content", index_dir=tmp_path / "cache", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(RagError) as raised:
        Pipeline.from_settings(settings).index.current()
    assert raised.value.setting == "RAG_CHROMA_URL" and "RAG_CHROMA_URL" in str(raised.value)


def test_a_killed_ingest_leaves_the_previous_generation_answering_on_the_server(archive, tmp_path, monkeypatch):
    with chroma_server(tmp_path / "chroma") as url:
        settings = archive.model_copy(update={"chroma_url": url})
        Pipeline.from_settings(settings).ingest(show_progress=False)
        generations = ServerGenerations(settings)
        before = generations.live(fresh=True).name
        for copy in range(8):  # enough new posts that embedding takes a while, so the kill lands mid-way
            for source in sorted(POSTS.glob("*.md")):
                shutil.copy(source, archive.posts_dir / f"copy{copy}-{source.name}")
        env = {**os.environ, "RAG_CONTENT_DIR": str(archive.content_dir), "RAG_INDEX_DIR": str(tmp_path / "job"),
               "RAG_CHROMA_URL": url}
        process = subprocess.Popen([sys.executable, "-m", "rag", "ingest"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        started = time.monotonic()
        while len(generations.client.list_collections()) < 4 and time.monotonic() - started < 120:
            time.sleep(0.05)  # the new generation's vector collection exists: the ingest is writing it
        time.sleep(2.0)
        assert process.poll() is None, process.stdout.read().decode()
        process.send_signal(signal.SIGKILL)
        process.wait()

        assert generations.live(fresh=True).name == before
        replica = Pipeline.from_settings(settings.model_copy(update={"index_dir": tmp_path / "replica"}))
        answer = replica.ask("Kaggle 대회 상금이 얼마였어?")
        assert not answer.refused and answer.citations[0].chunk.slug == "daily-20240504"

        for extra in archive.posts_dir.glob("copy[1-9]-*.md"):
            extra.unlink()
        report = Pipeline.from_settings(settings).ingest(show_progress=False)
        assert len(report.added) == 5 and generations.live(fresh=True).name != before
        time.sleep(POINTER_TTL_SECONDS)
        assert "copy0-daily-20240510" in {c.slug for c in replica.index.current().chunks}  # seen without a restart

        # Past the grace period the next ingest deletes all but the live and the previous generation,
        # including the killed ingest's collections.
        previous, live = before, generations.live(fresh=True).name
        monkeypatch.setattr("rag.generations.GRACE_SECONDS", 0.0)
        generations.remove_stale(None)
        names = {collection.name for collection in generations.client.list_collections()}
        assert names == {"digest_live"} | {f"digest_{g}_{kind}" for g in (previous, live) for kind in ("chunks", "files")}
