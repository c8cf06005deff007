"""Where index generations live: a folder (the default) or a Chroma server (`RAG_CHROMA_URL`).

A generation is a folder of files (chunks.json, bm25/, keyword_tokens/, sentences, manifest.json —
rag/index.py writes and reads them) plus a Chroma collection of the chunks' vectors. Both stores give
the index the same two things — a local folder with the generation's files and a langchain-chroma
store of its vectors — and switch the live generation atomically, so the index code is one.

Folder (`index_dir`, one machine):

    CURRENT                   name of the live generation (replaced atomically)
    gen-<ns>/chroma/          Chroma persistent store: the generation's vectors, or the base that later
                              generations read (their manifest's `vector_base`) while they keep the
                              vectors of posts added since in a file of their own (rag/index.py)
    gen-<ns>/...              the files

Chroma server (`chroma_url`, replicas without a shared disk):

    collection digest_live             the pointer: metadata {generation, history}, history = JSON
                                       [[generation, switched_at], ...], newest last (modified atomically)
    collection digest_<gen>_chunks     the generation's chunk vectors (cosine)
    collection digest_<gen>_files      the generation's files, base64 in record metadata (1-dim zero vectors)
    index_dir/server-cache/<gen>/      each process's copy of those files, downloaded once per generation
    index_dir/gen-<ns>/                where an ingest writes a generation's files before uploading them

An ingest uploads everything first and moves the pointer last, so a killed ingest leaves the previous
generation answering; generations that stopped being live more than `GRACE_SECONDS` ago are deleted
(always keeping the previous one), so a replica mid-question is not cut off.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import ContextManager, Protocol
from urllib.parse import urlsplit

from langchain_core.embeddings import Embeddings

from .errors import ChromaUnavailable, IngestBusy
from .settings import Settings

COLLECTION = "digest_chunks"
"""The vectors' collection name inside a folder generation's own Chroma store."""
SERVER_PREFIX = "digest"
GRACE_SECONDS = 600.0
"""A generation replaced this long ago is deleted from the server (replicas re-read the pointer every second)."""
POINTER_TTL_SECONDS = 1.0
"""How long a replica trusts the pointer it read: one metadata request per second, not per question."""
FILE_PART_BYTES = 2_000_000
"""Bytes of a file per record on the server (Chroma keeps large metadata values cheaply, large documents not)."""
COPY_BATCH = 5000
"""Records per request when copying vectors between collections (Chroma's limit is 5461)."""


class Generations(Protocol):
    where: str
    """Where the index is, for messages: a folder or the Chroma server's URL."""
    setting: str
    """The env var that points at it."""

    def live(self, fresh: bool = False) -> Path | None:
        """The local folder with the live generation's files, or None when there is none."""

    def lock(self) -> ContextManager[None]: ...

    def stage(self) -> Path:
        """A new, empty local folder for the generation an ingest writes."""

    keeps_base: bool
    """Whether a new generation may read an earlier generation's vector store as its base (a folder: stores
    are never written once live); otherwise every generation starts from a copy of the live one's (a server)."""

    def copy_vectors(self, source: str, generation: Path) -> None:
        """Start `generation`'s vectors as a copy of the store of generation `source`, so only new chunks are embedded."""

    def open_vectors(self, name: str, embeddings: Embeddings):
        """The langchain-chroma store of the generation named `name` (created empty if new)."""

    def damage(self, generation: Path, base: str) -> str | None:
        """What is missing from the vector store `generation` reads (generation `base`'s), beyond the files
        the manifest checks."""

    def publish(self, generation: Path) -> None:
        """Make `generation` (complete) the live one, atomically."""

    def remove_stale(self, live: Path | None) -> None: ...

    def guard(self) -> ContextManager[None]:
        """Turns the store's connection and auth errors into one `RagError`."""


def vector_base(manifest: dict, generation: Path) -> str:
    """The generation whose Chroma store holds `generation`'s vectors, but those of posts added since."""
    return manifest.get("vector_base") or generation.name


def generations_for(settings: Settings) -> Generations:
    return ServerGenerations(settings) if settings.chroma_url else FolderGenerations(settings.index_dir)


def copy_collection(source, target) -> None:
    """Every record of one Chroma collection (vectors, documents, metadata) into another, a page at a time."""
    ids = source.get(include=[])["ids"]
    for start in range(0, len(ids), COPY_BATCH):
        page = source.get(ids=ids[start : start + COPY_BATCH], include=["embeddings", "documents", "metadatas"])
        target.add(ids=page["ids"], embeddings=page["embeddings"], documents=page["documents"], metadatas=page["metadatas"])


def _langchain_store(client, name: str, embeddings: Embeddings):
    from langchain_chroma import Chroma

    # Our embeddings always: Chroma's default embedding function would download a model.
    return Chroma(collection_name=name, embedding_function=embeddings, client=client,
                  collection_metadata={"hnsw:space": "cosine"})


class FolderGenerations:
    """Generations as folders of `index_dir`, each with its own persistent Chroma store."""

    setting = "RAG_INDEX_DIR"
    keeps_base = True

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.where = str(index_dir)

    def live(self, fresh: bool = False) -> Path | None:
        pointer = self.index_dir / "CURRENT"
        if not pointer.is_file():
            return None
        generation = self.index_dir / pointer.read_text(encoding="utf-8").strip()
        return generation if (generation / "manifest.json").is_file() else None

    @contextmanager
    def lock(self) -> Iterator[None]:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / "ingest.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IngestBusy(f"another ingest is running on {self.index_dir}", self.setting) from None
            yield

    def stage(self) -> Path:
        generation = self.index_dir / f"gen-{time.time_ns()}"
        generation.mkdir(parents=True)
        return generation

    def copy_vectors(self, source: str, generation: Path) -> None:
        shutil.copytree(self.index_dir / source / "chroma", generation / "chroma")

    def open_vectors(self, name: str, embeddings: Embeddings):
        import chromadb

        client = chromadb.PersistentClient(
            path=str(self.index_dir / name / "chroma"),
            settings=chromadb.Settings(anonymized_telemetry=False, allow_reset=False),
        )
        return _langchain_store(client, COLLECTION, embeddings)

    def damage(self, generation: Path, base: str) -> str | None:
        if (self.index_dir / base / "chroma" / "chroma.sqlite3").is_file():
            return None
        return "its Chroma folder is missing" if base == generation.name else f"the Chroma folder of {base} is missing"

    def publish(self, generation: Path) -> None:
        _replace_file(self.index_dir / "CURRENT", generation.name)

    def remove_stale(self, live: Path | None) -> None:
        """Keep the live generation and the one before it (a reader may still have it open), and the
        generations whose vector stores those two read."""
        generations = sorted(path for path in self.index_dir.glob("gen-*") if path.is_dir())
        keep = {live} if live else set()
        if live:
            keep.update([path for path in generations if path.name < live.name][-1:])
        for kept in list(keep):
            try:
                keep.add(self.index_dir / vector_base(json.loads((kept / "manifest.json").read_text(encoding="utf-8")), kept))
            except (OSError, ValueError, AttributeError):
                pass  # a damaged generation: its own folder is kept, ingest rebuilds it
        for path in generations:
            if path not in keep:
                shutil.rmtree(path, ignore_errors=True)

    def guard(self) -> ContextManager[None]:
        return nullcontext()


def _replace_file(path: Path, text: str) -> None:
    """Write `text` to `path` atomically and durably (temporary file, fsync, rename, fsync of the folder)."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class ServerGenerations:
    """Generations as collections of a Chroma server; the files are cached per process in `index_dir`."""

    setting = "RAG_CHROMA_URL"
    keeps_base = False  # replicas cache a generation's files, not earlier ones': each has its own collection

    def __init__(self, settings: Settings) -> None:
        self.url = settings.chroma_url or ""
        self.where = f"the Chroma server at {self.url}"
        self.token = settings.chroma_token.get_secret_value() if settings.chroma_token else None
        self.cache = settings.index_dir / "server-cache"
        self.staging = FolderGenerations(settings.index_dir)
        self._client = None
        self._pointer: tuple[float, str | None] = (0.0, None)
        self._downloading = threading.Lock()

    # --- connection -----------------------------------------------------------------------------
    @contextmanager
    def guard(self) -> Iterator[None]:
        import httpx
        from chromadb.errors import AuthorizationError, ChromaAuthError

        try:
            yield
        except (AuthorizationError, ChromaAuthError) as error:
            raise self._refused(error) from None
        except httpx.HTTPStatusError as error:
            if error.response.status_code in (401, 403):
                raise self._refused(error) from None
            raise
        except (httpx.TransportError, ConnectionError) as error:
            raise self._unreachable(error) from None
        except ValueError as error:  # chromadb's HttpClient reports a refused connection as a ValueError
            if "connect" in str(error).lower():
                raise self._unreachable(error) from None
            raise

    def _unreachable(self, error: Exception) -> ChromaUnavailable:
        self._client = None  # connect afresh next time: the server may come back
        return ChromaUnavailable(f"{self.where} does not answer: start it, or point "
                                 "RAG_CHROMA_URL / --chroma-url at a running one", "RAG_CHROMA_URL")

    def _refused(self, error: Exception) -> ChromaUnavailable:
        self._client = None
        state = "a token it does not accept" if self.token else "no token"
        return ChromaUnavailable(f"{self.where} refused the request ({state}): set RAG_CHROMA_TOKEN to the "
                                 "server's token", "RAG_CHROMA_TOKEN")

    @property
    def client(self):
        if self._client is None:
            import chromadb

            address = urlsplit(self.url if "://" in self.url else f"http://{self.url}")
            headers = {"X-Chroma-Token": self.token} if self.token else None
            with self.guard():
                self._client = chromadb.HttpClient(
                    host=address.hostname or "localhost", port=address.port or (443 if address.scheme == "https" else 8000),
                    ssl=address.scheme == "https", headers=headers,
                    settings=chromadb.Settings(anonymized_telemetry=False),
                )
        return self._client

    # --- names ----------------------------------------------------------------------------------
    @staticmethod
    def _chunks(name: str) -> str:
        return f"{SERVER_PREFIX}_{name}_chunks"

    @staticmethod
    def _files(name: str) -> str:
        return f"{SERVER_PREFIX}_{name}_files"

    _POINTER = f"{SERVER_PREFIX}_live"

    # --- the pointer ----------------------------------------------------------------------------
    def _read_pointer(self) -> dict:
        from chromadb.errors import NotFoundError

        with self.guard():
            try:
                return dict(self.client.get_collection(self._POINTER, embedding_function=None).metadata or {})
            except NotFoundError:
                return {}

    def live(self, fresh: bool = False) -> Path | None:
        read_at, name = self._pointer
        if fresh or time.monotonic() - read_at > POINTER_TTL_SECONDS:
            name = self._read_pointer().get("generation")
            self._pointer = (time.monotonic(), name)
        return self._download(name) if name else None

    def publish(self, generation: Path) -> None:
        with self.guard():
            self._upload(generation)
            pointer = self._read_pointer()
            history = json.loads(pointer.get("history", "[]")) + [[generation.name, time.time()]]
            metadata = {"generation": generation.name, "history": json.dumps(history[-20:])}
            collection = self.client.get_or_create_collection(self._POINTER, embedding_function=None)
            collection.modify(metadata=metadata)
        self._pointer = (time.monotonic(), generation.name)
        # The staged files become this process's cached copy: no download of what was just uploaded.
        self.cache.mkdir(parents=True, exist_ok=True)
        os.replace(generation, self.cache / generation.name)

    # --- ingest side ----------------------------------------------------------------------------
    def lock(self) -> ContextManager[None]:
        # One ingest job per server is the deployment's contract (compose.yaml runs one); the local lock
        # keeps two ingests on one machine apart.
        return self.staging.lock()

    def stage(self) -> Path:
        return self.staging.stage()

    def copy_vectors(self, source: str, generation: Path) -> None:
        with self.guard():
            old = self.client.get_collection(self._chunks(source), embedding_function=None)
            new = self.client.get_or_create_collection(
                self._chunks(generation.name), embedding_function=None, metadata={"hnsw:space": "cosine"})
            copy_collection(old, new)

    def open_vectors(self, name: str, embeddings: Embeddings):
        with self.guard():
            return _langchain_store(self.client, self._chunks(name), embeddings)

    def damage(self, generation: Path, base: str) -> str | None:
        return None  # a missing collection shows as a count that differs from the records (rag/index.py)

    def _upload(self, generation: Path) -> None:
        files = self.client.get_or_create_collection(self._files(generation.name), embedding_function=None)
        for path in sorted(p for p in generation.rglob("*") if p.is_file()):
            name = path.relative_to(generation).as_posix()
            with open(path, "rb") as handle:
                part, piece = 0, handle.read(FILE_PART_BYTES)
                while part == 0 or piece:  # an empty file is one empty part
                    files.upsert(ids=[f"{name}#{part}"], embeddings=[[0.0]], metadatas=[
                        {"path": name, "part": part, "data": base64.b64encode(piece).decode("ascii")}])
                    part, piece = part + 1, handle.read(FILE_PART_BYTES)

    def _download(self, name: str) -> Path:
        cached = self.cache / name
        if (cached / "manifest.json").is_file():
            return cached
        with self._downloading:
            if (cached / "manifest.json").is_file():
                return cached
            partial = self.cache / f"{name}.partial-{os.getpid()}"
            shutil.rmtree(partial, ignore_errors=True)
            with self.guard():
                files = self.client.get_collection(self._files(name), embedding_function=None)
                # In file order, part after part, appended as they arrive: memory holds one response, not the files.
                ids = sorted(files.get(include=[])["ids"], key=lambda i: (i.rsplit("#", 1)[0], int(i.rsplit("#", 1)[1])))
                for start in range(0, len(ids), 8):  # ~20 MB per response
                    page = files.get(ids=ids[start : start + 8], include=["metadatas"])
                    by_id = dict(zip(page["ids"], page["metadatas"]))
                    for record in ids[start : start + 8]:
                        target = partial / str(by_id[record]["path"])
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with open(target, "ab") as handle:
                            handle.write(base64.b64decode(str(by_id[record]["data"])))
            try:
                os.replace(partial, cached)
            except OSError:  # another process of this cache finished first
                shutil.rmtree(partial, ignore_errors=True)
            self._prune_cache(keep={name})
        return cached

    def _prune_cache(self, keep: set[str]) -> None:
        """Keep the cached generation in use and the newest other one (questions may still read it)."""
        others = sorted((p for p in self.cache.iterdir() if p.is_dir() and p.name not in keep and ".partial" not in p.name),
                        key=lambda p: p.name)
        for path in others[:-1]:
            shutil.rmtree(path, ignore_errors=True)

    def remove_stale(self, live: Path | None) -> None:
        """Delete the collections of generations that stopped being live more than GRACE_SECONDS ago (the
        previous one always stays), and of ingests killed before their switch."""
        self.staging.remove_stale(None)  # files staged by a killed ingest (a finished one moved them)
        with self.guard():
            history = json.loads(self._read_pointer().get("history", "[]"))
            keep = {name for name, _ in history[-2:]}
            for (name, _), (_, replaced_at) in zip(history, history[1:]):
                if time.time() - replaced_at < GRACE_SECONDS:
                    keep.add(name)
            now_ns = time.time_ns()
            for collection in self.client.list_collections():
                name = collection.name
                if not name.startswith(f"{SERVER_PREFIX}_gen-"):
                    continue
                generation = name[len(SERVER_PREFIX) + 1 :].rsplit("_", 1)[0]
                started_ns = int(generation.removeprefix("gen-")) if generation.removeprefix("gen-").isdigit() else 0
                if generation in keep or (now_ns - started_ns) / 1e9 < GRACE_SECONDS:
                    continue  # live, recent, or an ingest that may still be running
                self.client.delete_collection(name)
