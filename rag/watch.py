"""Keep the index in step with the content dir while serving (`serve --watch`).

watchfiles reports changed files; a change to a post (`.md`, not hidden, not an editor
leftover) starts an ingest, which writes a new generation and switches `CURRENT`. The
running `LiveIndex` then opens the new generation for the next question, while questions
in flight finish on the one they started with.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import watch

from .errors import IngestBusy, RagError
from .index import IngestReport
from .load import is_post_path
from .present import ingest_lines, plan_lines

SETTLE_MS = 1500
"""Changes are collected until the folder has been quiet this long: an editor's save or a copied batch is one ingest."""


def watch_posts(
    ingest: Callable[..., IngestReport], posts_dir: Path, say: Callable[[str], None], stop: threading.Event,
) -> None:
    """Run `ingest` after each settled batch of post changes until `stop` is set; problems are said, never raised."""
    posts_dir = posts_dir.resolve()  # watchfiles reports absolute paths; the setting may be relative
    for changes in watch(posts_dir, stop_event=stop, debounce=SETTLE_MS, raise_interrupt=False,
                         watch_filter=lambda change, path: is_post_path(Path(path), posts_dir)):
        say(f"watch: {len(changes)} post file(s) changed; ingesting")
        try:
            report = ingest(show_progress=False, on_plan=lambda plan: [say(line) for _, line in plan_lines(plan)])
        except IngestBusy:
            say("watch: another ingest is running; its index will be picked up when it finishes")
            continue
        except RagError as error:
            say(f"watch: {error}")
            continue
        for _, line in ingest_lines(report):
            say(line)


def start_watching(ingest: Callable[..., IngestReport], posts_dir: Path, say: Callable[[str], None]) -> threading.Event:
    """Watch in a daemon thread; setting the returned event stops it."""
    stop = threading.Event()
    threading.Thread(target=watch_posts, args=(ingest, posts_dir, say, stop), name="watch-posts", daemon=True).start()
    return stop
