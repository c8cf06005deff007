"""Every error the pipeline reports to a person derives from `RagError`.

An interface catches `RagError` and shows its message (one line, no traceback); `setting`
names the flag/env var to change when there is one.
"""

from __future__ import annotations


class RagError(Exception):
    """A problem a person can fix; the message says how."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.setting = setting
        """The env var (e.g. RAG_INDEX_DIR) to change, when one setting is to blame."""

    def __str__(self) -> str:
        return self.message


class SettingsError(RagError):
    """An invalid flag or env var value."""


class QuestionError(RagError):
    """A question that cannot be asked as given (empty, too long, a bad date range)."""


class NoPosts(RagError):
    """The content dir is missing or holds no posts: nothing to index (and nothing is created)."""


class IndexNotFound(RagError):
    """No index yet: run ingest."""


class BrokenIndex(RagError):
    """A file of the live generation is missing or unreadable: `ingest` rebuilds it."""


class EmbedderMismatch(RagError):
    """The index was built with another embedder."""


class EmbedderError(RagError):
    """The configured embedder cannot be loaded."""


class ChromaUnavailable(RagError):
    """The Chroma server (RAG_CHROMA_URL) does not answer or refuses our token."""


class IngestBusy(RagError):
    """Another ingest holds the index lock."""


class LLMError(RagError):
    """The LLM cannot be built or called; the message names the setting to fix."""
