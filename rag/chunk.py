"""Stage 2: cut a post into section chunks.

The body is read by a markdown parser (markdown-it-py, CommonMark) as a renderer sees it:
headings, code fences, HTML blocks and reference definitions from the block parse; links
(URLs with parentheses, reference-style links), images and emphasis from the inline parse
of each line, with the document's link references. Each line becomes plain text (link →
its text, image and HTML tags dropped, `**bold**` kept for labels) plus the links it holds.

Sections start at markdown headings `#`-`####` and at the bold numbered
pseudo-headings these posts use (a line that is only `**1. 제목**` or `**2.제목**`).
The text before the first heading is a section named after the post title. A heading
with no body of its own is merged into its first child. A section longer than
`max_chars` is split at list-item or paragraph boundaries; every part keeps the path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from markdown_it import MarkdownIt

from .records import Chunk, Post

PATH_SEPARATOR = " › "

MAX_SECTION_LEVEL = 4
"""`#`-`####` start sections; deeper headings are text."""
_MARKDOWN = MarkdownIt("commonmark")
_PSEUDO_HEADING = re.compile(r"^\*\*\s*(\d+\.\s*[^*]+?)\s*\*\*\s*$")
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]\"']+")
_HTML_TAG = re.compile(r"<[^>]*>")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
"""A markdown list item's marker (`- `, `* `, `1. `, `2) `)."""
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)")
# Emoji and pictographs (plus variation selectors / joiners) do not belong in a heading path.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U000e0020-\U000e007f]"
)


@dataclass(frozen=True)
class _Line:
    """One line of the body as a reader sees it: plain text, the links in it, or a heading."""

    text: str
    links: tuple[tuple[str, str], ...] = ()
    """(URL, the text it is attached to) of each link and bare URL of the line."""
    heading: tuple[int, str] | None = None
    """(level, name) of a markdown heading line."""


@dataclass
class _Section:
    path: list[str]
    lines: list[_Line]

    def has_body(self) -> bool:
        return _has_text(self.lines)


def clean_heading(text: str) -> str:
    """`#### **3. 제목** 🤖` -> `3. 제목`."""
    text = _inline(text, {})[0]
    text = _EMPHASIS.sub("", text)
    text = _EMOJI.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


_IMAGE_FILE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|bmp|avif)(?:$|[?#])", re.IGNORECASE)


def clean_url(url: str) -> str:
    """Drop `utm_*` tracking parameters; keep everything else as written."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if not key.lower().startswith("utm_")]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


def read_lines(markdown: str) -> list[_Line]:
    """Every line of `markdown` as plain text with its links; headings marked; fence markers, reference
    definitions and setext underlines (not text a reader sees) left out."""
    env: dict = {}
    tokens = _MARKDOWN.parse(markdown, env)
    raw = markdown.splitlines()
    role: dict[int, str] = {}
    headings: dict[int, tuple[int, str]] = {}
    covered: set[int] = set()
    for position, token in enumerate(tokens):
        if not token.map:
            continue
        first, last = token.map
        covered.update(range(first, last))
        if token.type == "heading_open":
            headings[first] = (int(token.tag[1:]), tokens[position + 1].content)
            role.update({line: "underline" for line in range(first + 1, last)})  # a setext heading's ---
        elif token.type in ("fence", "code_block"):
            role.update({line: "code" for line in range(first, last)})
            if token.type == "fence":
                role[first] = role[last - 1] = "marker"
        elif token.type == "html_block":
            role.update({line: "html" for line in range(first, last)})
    lines: list[_Line] = []
    for number, line in enumerate(raw):
        kind = role.get(number)
        if number in headings and headings[number][0] <= MAX_SECTION_LEVEL:
            lines.append(_Line("", heading=(headings[number][0], clean_heading(headings[number][1]))))
        elif number in headings:
            lines.append(_Line(_inline(headings[number][1], env)[0]))
        elif kind in ("underline", "marker") or (line.strip() and number not in covered):  # reference definitions
            continue
        elif kind == "code":
            lines.append(_Line(line))
        elif kind == "html":
            lines.append(_Line(_HTML_TAG.sub("", line)))
        else:
            text, links = _inline(line, env)
            lines.append(_Line(text, links))
    return lines


def _inline(line: str, env: dict) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A line's inline markdown as text (link -> its text, image and HTML dropped, `**` kept) and its links,
    each with the text it is attached to (a bare URL is its own text)."""
    if not line.strip():
        return "", ()
    parts: list[str] = []
    links: list[list[str]] = []
    inside_link = False
    for token in _MARKDOWN.parseInline(line, env)[0].children or []:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
            if inside_link:
                links[-1][1] += token.content
        elif token.type in ("strong_open", "strong_close"):
            parts.append(token.markup)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "link_open":
            links.append([str(token.attrs.get("href", "")), ""])
            inside_link = True
        elif token.type == "link_close":
            inside_link = False
    text = "".join(parts).rstrip()
    found = [(url, anchor.strip()) for url, anchor in links]
    found.extend((url, url) for url in (match.group(0).rstrip(".,;:!?") for match in _BARE_URL.finditer(text)))
    return text, tuple(found)


def _web_links(found: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(URL, text) of http(s) links only (no `javascript:`, `data:`, image files: a picture is not a source),
    tracking parameters removed, each URL once (with the text it first appears with), in order."""
    links: dict[str, str] = {}
    for url, anchor in found:
        if url.startswith(("http://", "https://")) and not _IMAGE_FILE.search(url):
            links.setdefault(clean_url(url), anchor)
    return list(links.items())


def extract_links(markdown: str) -> list[str]:
    """Links and bare URLs of `markdown`, images excluded, tracking parameters removed, in order."""
    return [url for url, _ in _web_links(link for line in read_lines(markdown) for link in line.links)]


def plain_text(markdown: str) -> str:
    """Markdown as a reader sees it: images dropped, links reduced to their text."""
    return _joined(read_lines(markdown))


def _joined(lines: list[_Line]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.text for line in lines)).strip()


def split_sections(post: Post) -> list[_Section]:
    sections = [_Section(path=[post.title], lines=[])]
    stack: list[tuple[int, str]] = []  # (level, heading) of the current path
    last_markdown_level = 0
    for line in read_lines(post.body):
        heading = _heading(line, last_markdown_level)
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


def _heading(line: _Line, last_markdown_level: int) -> tuple[int, str, bool] | None:
    if line.heading:
        level, name = line.heading
        return (level, name, True) if name else None
    match = _PSEUDO_HEADING.match(line.text.strip())
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


def _split_long(lines: list[_Line], max_chars: int) -> list[list[_Line]]:
    """Pack list items / paragraphs into parts of at most `max_chars` of plain text (a longer unit stays whole)."""
    units: list[list[_Line]] = []
    for line in lines:
        starts_unit = not units or not line.text.strip() or LIST_ITEM.match(line.text) or not units[-1][-1].text.strip()
        if starts_unit:
            units.append([line])
        else:
            units[-1].append(line)
    parts: list[list[_Line]] = []
    current: list[_Line] = []
    current_chars = 0
    for unit in units:
        unit_chars = len(_joined(unit))
        if _has_text(current) and current_chars + unit_chars > max_chars:
            parts.append(current)
            current, current_chars = [], 0
        current = current + unit
        current_chars += unit_chars + 1
    if _has_text(current):
        parts.append(current)
    return parts


def _has_text(lines: list[_Line]) -> bool:
    return any(line.text.strip() for line in lines)


def chunk_post(post: Post, max_chars: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in split_sections(post):
        text = _joined(section.lines)
        if not text:
            continue
        pieces = [section.lines] if len(text) <= max_chars else _split_long(section.lines, max_chars)
        for piece in pieces:
            piece_text = _joined(piece)
            if not piece_text:
                continue
            links = _web_links(link for line in piece for link in line.links)
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
                    links=[url for url, _ in links],
                    anchors=[anchor for _, anchor in links],
                )
            )
    return chunks
