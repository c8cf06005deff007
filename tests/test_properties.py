"""Property-based tests (hypothesis) of the loader and the chunker: whatever a file holds, the archive loads."""

import re
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_post
from rag.chunk import chunk_post, plain_text
from rag.load import load_posts
from rag.records import Post

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

words = st.text(alphabet=st.sampled_from("가나다라마바사아자차카타파하 abcxyzAI0123456789"), min_size=1, max_size=30)
paragraph = st.lists(words, min_size=1, max_size=8).map(" ".join).filter(lambda text: text.strip())


def load_with(content: bytes) -> tuple[list[str], list[str]]:
    """Loads an archive of one good post plus `content` as a second file; returns (slugs loaded, skip reasons)."""
    with tempfile.TemporaryDirectory() as folder:
        posts = Path(folder) / "posts"
        write_post(posts, "good", day="2024-05-01")
        (posts / "other.md").write_bytes(content)
        result = load_posts(posts, "https://example.org", max_bytes=50_000)
        return [post.slug for post in result.posts], [problem.reason for problem in result.skipped]


@FAST
@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_are_a_post_or_a_reported_problem(content):
    slugs, reasons = load_with(content)
    assert "good" in slugs
    assert ("other" in slugs) != bool(reasons) and all(reason.strip() for reason in reasons)


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40),
                         st.dates().map(date.isoformat))
frontmatter_values = st.recursive(yaml_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=8), inner, max_size=3), max_leaves=6)


@FAST
@given(st.dictionaries(st.sampled_from(["title", "date", "update", "tags", "description", "x"]), frontmatter_values),
       st.text(max_size=300), st.booleans())
def test_arbitrary_frontmatter_and_markdown_are_a_post_or_a_reported_problem(fields, body, raw_values):
    lines = [f"{key}: {value}" if raw_values else f"{key}: {value!r}" for key, value in fields.items()]
    slugs, reasons = load_with(("---\n" + "\n".join(lines) + "\n---\n" + body).encode("utf-8", "surrogatepass"))
    assert "good" in slugs and ("other" in slugs) != bool(reasons)


block = st.one_of(
    paragraph.map(lambda text: ("paragraph", text)),
    paragraph.map(lambda text: ("item", text)),
    st.tuples(st.integers(1, 4), paragraph).map(lambda heading: ("heading", heading)),
    st.tuples(paragraph, paragraph).map(lambda link: ("link", link)),
    paragraph.map(lambda text: ("code", text)),
)


def render(blocks) -> tuple[str, list[str]]:
    """Markdown of the blocks, and the paragraphs a reader sees in the body (headings name sections instead)."""
    markdown, visible = [], []
    for kind, value in blocks:
        if kind == "heading":
            markdown.append(f"{'#' * value[0]} {value[1]}")
        elif kind == "item":
            markdown.append(f"- {value}")
            visible.append(value)
        elif kind == "link":
            markdown.append(f"{value[0]} [{value[1]}](https://example.org/a_(b)) 끝")
            visible.append(f"{value[0]} {value[1]} 끝")
        elif kind == "code":
            markdown.append(f"```\n{value}\n```")
        else:
            markdown.append(value)
            visible.append(value)
        markdown.append("")
    return "\n".join(markdown), visible


def squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@FAST
@given(st.lists(block, min_size=1, max_size=25), st.integers(100, 800))
def test_every_paragraph_lands_in_a_chunk_and_chunk_ids_are_stable(blocks, max_chars):
    body, visible = render(blocks)
    post = Post(slug="p", path=Path("p.md"), title="제목", description="", date=date(2024, 5, 1), update=None,
                tags=[], permalink="https://example.org/p/", body=body, content_hash="h")
    chunks = chunk_post(post, max_chars)
    everything = squeezed(" ".join(plain_text(chunk.text) for chunk in chunks))
    for text in visible:
        assert squeezed(text) in everything
    assert "a_(b)" not in everything and ")" not in everything.replace("(", "")  # no link residue
    again = chunk_post(post, max_chars)
    assert [(c.id, c.section, c.text, c.links) for c in again] == [(c.id, c.section, c.text, c.links) for c in chunks]
    assert len({chunk.id for chunk in chunks}) == len(chunks)
