from datetime import date
from pathlib import Path

from rag.chunk import chunk_post, clean_url, extract_links, plain_text
from rag.records import Post


def make_post(body: str) -> Post:
    return Post(slug="s", path=Path("s.md"), title="글 제목", description="", date=date(2024, 5, 3), update=None,
                tags=["t"], permalink="https://x.org/s/", body=body, content_hash="h")


BODY = """인트로 문단입니다. [링크](https://a.org/x?utm_source=ainews&id=7&utm_medium=email) ![image](https://img.org/p.png)

## Today's Preview
* 항목 하나 https://bare.org/path?utm_campaign=c.
### AI Viewpoint 🤖
관점 본문.

# Today's Overview
### 최신 리포트

#### **1. CUDA 디버깅 및 프로파일링 업데이트**
  - 내용 하나

**2.인공지능 기술의 향후 전망**
내용 둘

#### **3. 세 번째**
내용 셋
"""


def test_sections_and_paths():
    chunks = chunk_post(make_post(BODY), max_chars=1000)
    assert [c.section for c in chunks] == [
        "글 제목",
        "Today's Preview",
        "Today's Preview › AI Viewpoint",
        "Today's Overview › 최신 리포트 › 1. CUDA 디버깅 및 프로파일링 업데이트",
        "Today's Overview › 최신 리포트 › 1. CUDA 디버깅 및 프로파일링 업데이트 › 2.인공지능 기술의 향후 전망",
        "Today's Overview › 최신 리포트 › 3. 세 번째",
    ]
    assert chunks[0].text == "인트로 문단입니다. 링크"
    assert chunks[0].links == ["https://a.org/x?id=7"]
    assert chunks[1].links == ["https://bare.org/path"]
    assert [c.id for c in chunks] == [f"s#{n:03d}" for n in range(6)]
    assert all(c.slug == "s" and c.date == date(2024, 5, 3) and c.tags == ["t"] for c in chunks)


def test_bold_pseudo_heading_after_plain_heading_is_its_child():
    body = "## 개요\n### 리포트\n\n**1. 첫째**\n가\n\n**2. 둘째**\n나\n"
    assert [c.section for c in chunk_post(make_post(body), 1000)] == ["개요 › 리포트 › 1. 첫째", "개요 › 리포트 › 2. 둘째"]


def test_long_section_is_split_at_list_items_and_keeps_its_path():
    items = "\n".join(f"- 항목 {n}: " + "가나다라마바사 " * 10 for n in range(12))
    chunks = chunk_post(make_post(f"## 긴 절\n{items}\n"), max_chars=300)
    assert len(chunks) > 1
    assert all(c.section == "긴 절" for c in chunks)
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(c.text.startswith("- 항목") for c in chunks)  # cut only at item boundaries
    assert "\n".join(c.text for c in chunks) == plain_text(items)


def test_links_exclude_images_and_tracking():
    text = "[a](https://a.org/?utm_source=x) ![i](https://img.org/i.png) <b> https://b.org/p?q=1&utm_term=z, 그리고 [a again](https://a.org/)"
    assert extract_links(text) == ["https://a.org/", "https://b.org/p?q=1"]
    assert clean_url("https://x.org/p?utm_source=a&k=v#frag") == "https://x.org/p?k=v#frag"
    assert clean_url("https://x.org/p") == "https://x.org/p"
    assert extract_links("[js](javascript:alert(1))") == []
    assert extract_links("[사진](https://i.redd.it/abc.jpeg) [글](https://x.org/post)") == ["https://x.org/post"]


def test_each_link_keeps_the_text_it_is_attached_to():
    post = Post(slug="p", path=Path("p.md"), title="제목", description="", date=date(2024, 5, 1), update=None, tags=[],
                permalink="https://x/p/", body=(
                    "- **[AlphaFold 3 출시](https://blog.google/af3)**: 발표했습니다.\n"
                    "- [@omarsar0](https://x.com/omarsar0/1)가 xLSTM 논문을 공유했습니다. 자세히: https://arxiv.org/abs/2405.04517\n"),
                content_hash="h")
    [only] = chunk_post(post, 700)
    assert only.links == ["https://blog.google/af3", "https://x.com/omarsar0/1", "https://arxiv.org/abs/2405.04517"]
    assert only.anchors == ["AlphaFold 3 출시", "@omarsar0", "https://arxiv.org/abs/2405.04517"]
    assert all(anchor in only.text for anchor in only.anchors)


def test_real_seed_chunks_stay_within_limit_and_keep_links():
    from conftest import POSTS
    from rag.load import load_posts

    posts = load_posts(POSTS, "https://punknews.netlify.app").posts
    chunks = [c for p in posts for c in chunk_post(p, 700)]
    assert all(len(c.text) <= 700 for c in chunks)
    assert not any("utm_" in link for c in chunks for link in c.links)
    overview = [c for c in chunks if c.slug == "daily-20240503" and "CUDA" in c.section]
    assert overview[0].section == "Today's Overview › 최신 인공지능 기술 동향과 통찰 리포트 › 1. CUDA 디버깅 및 프로파일링 업데이트"


def test_markdown_is_read_as_a_renderer_sees_it():
    body = """인트로 [위키](https://en.wikipedia.org/wiki/Transformer_(deep_learning)) 문장과 [참조 링크][ref] 끝.

```python
# 주석은 제목이 아니다
x = 1
```

<div class="note">HTML 블록 <b>굵게</b></div>

Setext 제목
-----------

- 바깥 항목
  - 안쪽 항목 ![그림](https://img.org/a.png) `코드`

[ref]: https://example.org/ref?utm_source=x
"""
    chunks = chunk_post(make_post(body), 700)
    assert [chunk.section for chunk in chunks] == ["글 제목", "Setext 제목"]  # a heading path starts below the title
    intro, setext = (chunk.text for chunk in chunks)
    assert intro.splitlines()[0] == "인트로 위키 문장과 참조 링크 끝."
    assert "# 주석은 제목이 아니다" in intro and "```" not in intro
    assert "HTML 블록 굵게" in intro and "<" not in intro and "https://example.org/ref" not in intro
    assert setext == "- 바깥 항목\n  - 안쪽 항목  코드"
    assert chunks[0].links == ["https://en.wikipedia.org/wiki/Transformer_(deep_learning)", "https://example.org/ref"]
    assert chunks[1].links == []  # an image is not a source
