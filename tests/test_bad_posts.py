"""Every kind of broken post a real archive holds: reported with its path and reason, the rest load."""

import os
from datetime import date
from pathlib import Path

import pytest

from conftest import write_post
from rag.load import load_posts

GOOD_BODY = "## Today's Preview\n\n- 좋은 글의 본문입니다.\n"


def post_text(frontmatter: str, body: str = GOOD_BODY) -> str:
    return f"---\n{frontmatter}\n---\n\n{body}"


def load_one(tmp_path: Path, name: str, content: str | bytes):
    posts = tmp_path / "posts"
    write_post(posts, "good", day="2024-05-01")
    path = posts / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    result = load_posts(posts, "https://example.org", max_bytes=100_000)
    assert "good" in [post.slug for post in result.posts], "the rest of the archive must still load"
    return result, path


@pytest.mark.parametrize(("frontmatter", "reason"), [
    ("title: 글\ndate: 2024-13-45", "impossible or unparsable date '2024-13-45'"),  # YAML's timestamp raises ValueError
    ('title: 글\ndate: "2024-13-45"', "impossible or unparsable date '2024-13-45'"),
    ("title: 글\ndate: 2024-02-30", "impossible or unparsable date '2024-02-30'"),
    ('title: 글\ndate: "2024-02-30"', "impossible or unparsable date '2024-02-30'"),
    ("title: ''\ndate: 2024-05-02", "frontmatter has no title"),
    ("date: 2024-05-02", "frontmatter has no title"),
])
def test_impossible_dates_and_missing_titles_are_skipped_with_a_reason(tmp_path, frontmatter, reason):
    result, path = load_one(tmp_path, "bad.md", post_text(frontmatter))
    assert [(problem.path, problem.reason.removesuffix(" (expected YYYY-MM-DD)")) for problem in result.skipped] \
        == [(path, reason)]


@pytest.mark.parametrize(("frontmatter", "expected"), [
    ("title: 글\ndate: 2024-05-02T09:30:00+09:00", date(2024, 5, 2)),
    ('title: 글\ndate: "2024-05-02 09:30"', date(2024, 5, 2)),
    ("title: 글\ndate: 2024-05-02 09:30:00", date(2024, 5, 2)),
])
def test_dates_with_a_time_or_timezone_are_accepted(tmp_path, frontmatter, expected):
    result, _ = load_one(tmp_path, "timed.md", post_text(frontmatter))
    assert result.skipped == [] and {p.slug: p.date for p in result.posts}["timed"] == expected


@pytest.mark.parametrize(("frontmatter", "title", "tags"), [
    ("title: 2024\ndate: 2024-05-02\ntags: 에이전트, LLM", "2024", ["에이전트", "LLM"]),
    ("title: 글\ndate: 2024-05-02", "글", []),
    ("title: 글\ndate: 2024-05-02\ntags: [a, b]", "글", ["a", "b"]),
])
def test_numeric_titles_and_string_or_missing_tags_load(tmp_path, frontmatter, title, tags):
    result, _ = load_one(tmp_path, "odd.md", post_text(frontmatter))
    post = {p.slug: p for p in result.posts}["odd"]
    assert (post.title, post.tags) == (title, tags)


@pytest.mark.parametrize(("encoding", "warning"), [("cp949", "CP949/EUC-KR"), ("euc-kr", "CP949/EUC-KR")])
def test_korean_windows_encodings_are_decoded_with_a_warning(tmp_path, encoding, warning):
    result, path = load_one(tmp_path, "windows.md", post_text("title: 한글 제목\ndate: 2024-05-02").encode(encoding))
    post = {p.slug: p for p in result.posts}["windows"]
    assert post.title == "한글 제목" and "좋은 글의 본문" in post.body
    assert [(w.path, warning in w.reason) for w in result.warnings] == [(path, True)]


def test_a_byte_order_mark_and_crlf_line_endings_are_read(tmp_path):
    text = "\ufeff" + post_text("title: 윈도 글\ndate: 2024-05-02").replace("\n", "\r\n")
    result, path = load_one(tmp_path, "crlf.md", text)
    post = {p.slug: p for p in result.posts}["crlf"]
    assert result.skipped == [] and post.title == "윈도 글" and "\r" not in post.body
    assert [(w.path, "byte-order mark" in w.reason) for w in result.warnings] == [(path, True)]


@pytest.mark.parametrize(("content", "reason"), [
    ("---\ntitle: 글\ndate: 2024-05-02\n\n본문만 있고 닫는 줄이 없다\n", "frontmatter block is not closed"),
    (post_text("title: 글\ndate: 2024-05-02", body=""), "empty body"),
    (b"---\ntitle: x\x00\ndate: 2024-05-02\n---\nbody\n", "contains NUL bytes"),
    (bytes(range(128, 256)) * 3, "neither UTF-8"),
    ("---\n- 목록\n- 만\n---\n본문\n", "frontmatter has no title"),
])
def test_unusable_files_are_skipped_with_a_reason(tmp_path, content, reason):
    result, path = load_one(tmp_path, "broken.md", content)
    assert len(result.skipped) == 1 and result.skipped[0].path == path
    assert result.skipped[0].reason.startswith(reason), result.skipped[0].reason


def test_a_post_over_the_size_limit_is_skipped_before_it_is_read(tmp_path):
    result, path = load_one(tmp_path, "huge.md", post_text("title: 큰 글\ndate: 2024-05-02", "가" * 60_000))
    assert [problem.path for problem in result.skipped] == [path]
    assert "over the 100,000-byte limit (RAG_MAX_POST_BYTES)" in result.skipped[0].reason


def test_a_symlink_loop_and_an_unreadable_file_are_reported(tmp_path, monkeypatch):
    posts = tmp_path / "posts"
    write_post(posts, "good", day="2024-05-01")
    os.symlink("b.md", posts / "a.md")
    os.symlink("a.md", posts / "b.md")
    os.symlink("..", posts / "loop")  # a folder loop: the walk must not follow it forever
    locked = write_post(posts, "locked", day="2024-05-02")
    real_read_bytes = Path.read_bytes

    def read_bytes(path):  # root can read a chmod-000 file, so the permission error is simulated
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = load_posts(posts, "https://example.org")
    assert [post.slug for post in result.posts] == ["good"]
    reasons = {problem.path.name: problem.reason for problem in result.skipped}
    assert reasons["a.md"].startswith("cannot read (Too many levels of symbolic links")
    assert reasons["locked.md"] == "cannot read (Permission denied)"


def test_hidden_files_and_editor_leftovers_are_not_posts(tmp_path):
    posts = tmp_path / "posts"
    write_post(posts, "good", day="2024-05-01")
    for name in (".#good.md", "good.md~", ".good.md.swp", ".hidden.md", ".drafts/draft.md"):
        (posts / name).parent.mkdir(parents=True, exist_ok=True)
        (posts / name).write_text(post_text("title: 숨김\ndate: 2024-05-02"), encoding="utf-8")
    result = load_posts(posts, "https://example.org")
    assert [post.slug for post in result.posts] == ["good"] and result.skipped == [] and result.warnings == []
