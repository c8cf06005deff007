"""A damaged index is one message saying to run ingest, and ingest rebuilds it (real files, no model)."""

import shutil
from pathlib import Path

import pytest

from rag.embed import make_embeddings
from rag.errors import BrokenIndex
from rag.index import ArchiveIndex, ingest

pytestmark = pytest.mark.slow


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


BREAKAGES = {
    "truncated chunks.json": lambda generation: truncate(generation / "chunks.json"),
    "deleted Chroma folder": lambda generation: shutil.rmtree(generation / "chroma"),
    "corrupt BM25 file": lambda generation: [file.write_text("garbage") for file in (generation / "bm25").iterdir()],
    "overwritten sentence vectors": lambda generation: (generation / "sentence_vectors.npy").write_bytes(b"x"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_damaged_generation_is_reported_then_rebuilt_by_ingest(archive, breakage):
    settings = archive.model_copy(update={"embedder": "hash"})
    embeddings = make_embeddings("hash")
    ingest(settings, embeddings, show_progress=False)
    generation = ArchiveIndex(settings, embeddings).generation
    BREAKAGES[breakage](generation)

    with pytest.raises(BrokenIndex) as raised:
        ArchiveIndex(settings, embeddings)
    assert "is damaged" in raised.value.message and "run `python -m rag ingest`" in raised.value.message
    assert raised.value.setting == "RAG_INDEX_DIR" and "\n" not in raised.value.message

    report = ingest(settings, embeddings, show_progress=False)
    assert report.rebuilt_because and report.rebuilt_because.startswith("the index was damaged")
    reopened = ArchiveIndex(settings, embeddings)
    assert reopened.generation != generation and len(reopened.chunks) == report.chunks_embedded > 0
    assert reopened.keyword_search("AlphaFold", 3, None, None)


def test_current_naming_a_missing_generation_means_no_index_and_ingest_builds_one(archive):
    settings = archive.model_copy(update={"embedder": "hash"})
    embeddings = make_embeddings("hash")
    ingest(settings, embeddings, show_progress=False)
    (settings.index_dir / "CURRENT").write_text("gen-0")
    report = ingest(settings, embeddings, show_progress=False)
    assert len(report.added) == 2 and ArchiveIndex(settings, embeddings).chunks


def test_an_index_cut_by_older_chunking_rules_answers_until_ingest_rebuilds_it(archive, monkeypatch):
    """Sentences and chunks are cut at ingest: when the rules change (CHUNKER_VERSION), the index in use keeps
    answering, and the next ingest rebuilds every chunk instead of keeping the old cuts of unchanged posts."""
    settings = archive.model_copy(update={"embedder": "hash"})
    embeddings = make_embeddings("hash")
    monkeypatch.setattr("rag.index.CHUNKER_VERSION", 0)
    ingest(settings, embeddings, show_progress=False)
    monkeypatch.undo()
    assert ArchiveIndex(settings, embeddings).keyword_search("AlphaFold", 3, None, None)
    report = ingest(settings, embeddings, show_progress=False)
    assert report.rebuilt_because == "chunking settings or rules changed"
    assert sorted(report.added) == ["daily-20240504", "daily-20240509"] and not report.unchanged
