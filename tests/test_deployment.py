"""compose.yaml (Chroma server + app replicas + ingest job) is consistent with the code it deploys."""

import re
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from rag.settings import Settings, env_var, flag_of

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]


def test_the_chroma_image_is_the_version_of_the_installed_client():
    image, tag = SERVICES["chroma"]["image"].split(":")
    assert image == "chromadb/chroma" and tag == version("chromadb")


def test_replicas_and_the_ingest_job_point_at_the_chroma_service_and_keep_no_shared_index():
    assert SERVICES["app"]["deploy"]["replicas"] >= 2
    for name in ("app", "ingest"):
        environment = SERVICES[name]["environment"]
        assert urlsplit(environment["RAG_CHROMA_URL"]).hostname in SERVICES
        assert SERVICES[name]["depends_on"]["chroma"]["condition"] == "service_healthy"
    app_volumes = SERVICES["app"].get("volumes", [])
    assert not any("chroma-data" in volume or "ingest-cache" in volume for volume in app_volumes)
    assert SERVICES["ingest"]["command"][-2:] == ["rag", "ingest"] and "job" in SERVICES["ingest"]["profiles"]


def test_every_setting_and_flag_used_exists():
    known_env = {env_var(field) for field in Settings.model_fields}
    known_flags = {flag_of(field) for field in Settings.model_fields} - {None}
    for service in ("app", "ingest"):
        assert set(SERVICES[service]["environment"]) <= known_env
        flags = [arg for arg in SERVICES[service]["command"] if arg.startswith("--")]
        assert set(flags) <= known_flags, flags


def test_the_image_copies_files_that_exist():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for line in re.findall(r"^COPY (.+)$", dockerfile, flags=re.MULTILINE):
        for source in line.split()[:-1]:
            assert (ROOT / source).exists(), source
