from datetime import date
from pathlib import Path

from conftest import POSTS, write_post
from rag.load import load_posts


def test_seed_archive_loads_with_recovered_frontmatter():
    result = load_posts(POSTS, "https://punknews.netlify.app")
    assert result.skipped == []
    assert sorted(p.slug for p in result.posts) == [
        "daily-20240503", "daily-20240504", "daily-20240504-2", "daily-20240509", "daily-20240510"]
    recovered = {p.slug: p for p in result.posts}["daily-20240504-2"]
    # The unquoted colon that strict YAML rejects survives the line-wise fallback.
    assert recovered.title == "AI 분야의 최신 동향: $100k Kaggle 대회와 LLM의 인간 선호 예측"
    assert recovered.tags == ["Kaggle 대회", "인간 선호도 예측", "LLM"]
    assert recovered.date == date(2024, 5, 4)
    assert recovered.permalink == "https://punknews.netlify.app/daily-20240504-2/"
    assert [str(w.path.name) for w in result.warnings] == ["daily-20240504-2.md"]
    assert "not valid YAML" in result.warnings[0].reason


def test_broken_posts_are_reported_and_the_rest_load(tmp_path: Path):
    posts = tmp_path / "posts"
    write_post(posts, "good")
    write_post(posts, "nested/deep", day="2024-06-02")
    (posts / "no-frontmatter.md").write_text("그냥 본문\n", encoding="utf-8")
    (posts / "no-title.md").write_text("---\ndate: 2024-06-01\n---\n본문\n", encoding="utf-8")
    (posts / "no-date.md").write_text("---\ntitle: 제목\n---\n본문\n", encoding="utf-8")
    (posts / "bad-date.md").write_text("---\ntitle: 제목\ndate: 어제\n---\n본문\n", encoding="utf-8")
    (posts / "empty-body.md").write_text("---\ntitle: 제목\ndate: 2024-06-01\n---\n\n  \n", encoding="utf-8")
    (posts / "latin1.md").write_bytes("---\ntitle: caf\xe9\ndate: 2024-06-01\n---\nbody\n".encode("latin-1"))
    write_post(posts, "good/index", day="2024-06-03")  # Gatsby: good/index.md is also slug "good"

    result = load_posts(posts, "https://example.org/")
    assert sorted(p.slug for p in result.posts) == ["good", "nested/deep"]
    reasons = {problem.path.relative_to(posts).as_posix(): problem.reason for problem in result.skipped}
    assert reasons["no-frontmatter.md"].startswith("no frontmatter")
    assert reasons["no-title.md"] == "frontmatter has no title"
    assert reasons["no-date.md"] == "frontmatter has no date"
    assert "unparsable date '어제'" in reasons["bad-date.md"]
    assert reasons["empty-body.md"] == "empty body"
    assert reasons["latin1.md"].startswith("neither UTF-8 (byte 0xe9")
    duplicates = [path for path, reason in reasons.items() if reason.startswith("duplicate slug 'good' (already used by")]
    assert len(duplicates) == 1 and duplicates[0] in ("good.md", "good/index.md")
    assert {p.slug: p.permalink for p in result.posts}["nested/deep"] == "https://example.org/nested/deep/"


def test_missing_posts_folder_is_a_problem_not_a_crash(tmp_path: Path):
    result = load_posts(tmp_path / "nowhere", "https://example.org")
    assert result.posts == [] and "not found" in result.skipped[0].reason


def test_files_the_index_already_knows_are_listed_unchanged_without_parsing(tmp_path: Path):
    import hashlib

    posts = tmp_path / "posts"
    kept = write_post(posts, "kept", day="2024-06-01")
    write_post(posts, "changed", day="2024-06-02")
    known = {"kept": hashlib.sha256(kept.read_bytes()).hexdigest(), "changed": "an older hash"}
    result = load_posts(posts, "https://x", known)
    assert result.unchanged == ["kept"] and [post.slug for post in result.posts] == ["changed"]
