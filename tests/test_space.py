"""The Hugging Face Space: README header and the files its build needs."""

import re
import tomllib

import gradio
import yaml

from conftest import ROOT


def space_header() -> dict:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("---\n"), "README.md must begin with the Spaces YAML header"
    return yaml.safe_load(readme.split("---\n")[1])


def test_readme_header_describes_a_gradio_space_running_ui_py():
    header = space_header()
    assert {"title", "emoji", "sdk", "sdk_version", "app_file", "python_version"} <= set(header)
    assert header["sdk"] == "gradio" and header["app_file"] == "ui.py" and (ROOT / "ui.py").is_file()
    assert str(header["python_version"]) == "3.11"
    assert header["sdk_version"].split(".")[0] == gradio.__version__.split(".")[0]


def requirement_names(lines: list[str]) -> set[str]:
    return {re.split(r"[<>=\[ ]", line.strip())[0].lower() for line in lines if line.strip() and not line.startswith("#")}


def test_space_requirements_follow_the_package_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needed = requirement_names(project["dependencies"]) - {"gradio"}  # the Space installs gradio from sdk_version
    listed = requirement_names((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())
    assert needed <= listed
    assert "torch" not in listed and "llama-cpp-python" not in listed  # the Space builds fast and offline
    assert (ROOT / "content" / "posts").is_dir()  # the archive ships with the app; the index is built at start
