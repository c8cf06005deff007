"""Stage 2: cut a post into section chunks.

Sections start at markdown headings `#`-`####` and at the bold numbered
pseudo-headings these posts use (a line that is only `**1. 제목**` or `**2.제목**`).
The text before the first heading is a section named after the post title. A heading
with no body of its own is merged into its first child. A section longer than
`max_chars` is split at list-item or paragraph boundaries; every part keeps the path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .records import Chunk, Post

PATH_SEPARATOR = " › "

_HEADING = re.compile(r"^(#{1,4})[ \t]+(.+?)[ \t#]*$")
_PSEUDO_HEADING = re.compile(r"^\*\*\s*(\d+\.\s*[^*]+?)\s*\*\*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]\"']+")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
"""A markdown list item's marker (`- `, `* `, `1. `, `2) `)."""
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)")
# Emoji and pictographs (plus variation selectors / joiners) do not belong in a heading path.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U000e0020-\U000e007f]"
)


@dataclass
class _Section:
    path: list[str]
    lines: list[str]

    def has_body(self) -> bool:
        return any(line.strip() for line in self.lines)


def clean_heading(text: str) -> str:
    """`#### **3. 제목** 🤖` -> `3. 제목`."""
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = _EMOJI.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def clean_url(url: str) -> str:
    """Drop `utm_*` tracking parameters; keep everything else as written."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if not key.lower().startswith("utm_")]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


def extract_links(markdown: str) -> list[str]:
    """Markdown links and bare URLs, tracking parameters removed, images excluded, in order."""
    without_images = _IMAGE.sub(" ", markdown)
    found: list[str] = []
    for match in _LINK.finditer(without_images):
        found.append(match.group(2))
    for match in _BARE_URL.finditer(_LINK.sub(" ", without_images)):
        found.append(match.group(0).rstrip(".,;:!?"))
    links: list[str] = []
    for url in found:
        if url.startswith(("http://", "https://")):
            cleaned = clean_url(url)
            if cleaned not in links:
                links.append(cleaned)
    return links


def plain_text(markdown: str) -> str:
    """Markdown as a reader sees it: images dropped, links reduced to their text."""
    text = _IMAGE.sub("", markdown)
    text = _LINK.sub(r"\1", text)
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def split_sections(post: Post) -> list[_Section]:
    sections = [_Section(path=[post.title], lines=[])]
    stack: list[tuple[int, str]] = []  # (level, heading) of the current path
    last_markdown_level = 0
    in_fence = False
    for line in post.body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _heading(line, last_markdown_level)
        if heading is None:
            sections[-1].lines.append(line)
            continue
        level, name, is_markdown = heading
        if is_markdown:
            last_markdown_level = level
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, name))
        sections.append(_Section(path=[name for _, name in stack], lines=[]))
    return _merge_bodiless(sections)


def _heading(line: str, last_markdown_level: int) -> tuple[int, str, bool] | None:
    match = _HEADING.match(line)
    if match:
        name = clean_heading(match.group(2))
        return (len(match.group(1)), name, True) if name else None
    match = _PSEUDO_HEADING.match(line.strip())
    if match:
        # A bold numbered line sits one level below the markdown heading it follows.
        return (last_markdown_level + 1, clean_heading(match.group(1)), False)
    return None


def _merge_bodiless(sections: list[_Section]) -> list[_Section]:
    """Drop empty headings: their child's path already names them."""
    kept = [section for section in sections[1:] if section.has_body()]
    if sections[0].has_body():
        kept.insert(0, sections[0])
    return kept


def _split_long(text: str, max_chars: int) -> list[str]:
    """Pack list items / paragraphs into parts of at most `max_chars` of plain text (a longer unit stays whole)."""
    units: list[list[str]] = []
    for line in text.splitlines():
        starts_unit = not units or not line.strip() or LIST_ITEM.match(line) or not units[-1][-1].strip()
        if starts_unit:
            units.append([line])
        else:
            units[-1].append(line)
    parts: list[str] = []
    current, current_chars = "", 0
    for unit in units:
        unit_text = "\n".join(unit)
        unit_chars = len(plain_text(unit_text))
        if current.strip() and current_chars + unit_chars > max_chars:
            parts.append(current.strip())
            current, current_chars = "", 0
        current = f"{current}\n{unit_text}" if current else unit_text
        current_chars += unit_chars + 1
    if current.strip():
        parts.append(current.strip())
    return parts


def chunk_post(post: Post, max_chars: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in split_sections(post):
        markdown = "\n".join(section.lines).strip("\n")
        text = plain_text(markdown)
        if not text:
            continue
        pieces = [markdown] if len(text) <= max_chars else _split_long(markdown, max_chars)
        for piece in pieces:
            piece_text = plain_text(piece)
            if not piece_text:
                continue
            chunks.append(
                Chunk(
                    id=f"{post.slug}#{len(chunks):03d}",
                    slug=post.slug,
                    title=post.title,
                    date=post.date,
                    permalink=post.permalink,
                    tags=list(post.tags),
                    section=PATH_SEPARATOR.join(section.path),
                    text=piece_text,
                    links=extract_links(piece),
                )
            )
    return chunks
