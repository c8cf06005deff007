"""Stage 1: read the markdown posts of the archive.

A post that cannot be used is reported as a `Problem` (path + reason) and skipped;
the others load. Nothing a file contains raises anything else: impossible dates, bytes
that are not text, a symlink loop, an unreadable file, a file over `max_post_bytes`.
Frontmatter that strict YAML rejects (real posts have titles with an unquoted ``: ``, or
``date: 2024-13-45`` that YAML's timestamp type refuses) is recovered line by line, with a
warning; Korean files saved as CP949/EUC-KR (many Windows editors) are decoded, with a
warning. Hidden files and editor leftovers (``.#x.md``, ``x.md~``, ``.x.md.swp``) are not posts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import frontmatter
import yaml

from .errors import RagError
from .records import Post, Problem

_FRONTMATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s?(.*)$")
_YAML_LIST_ITEM = re.compile(r"^\s*-\s+(.*)$")


class PostError(RagError):
    """A post file that cannot be used; the message is the reason."""


@dataclass
class LoadResult:
    posts: list[Post] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    """Slugs whose file has the hash the index already knows: not parsed again."""
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def slug_for(path: Path, posts_dir: Path) -> str:
    """`posts/a/b.md` -> `a/b`; Gatsby's `posts/a/index.md` -> `a`."""
    relative = path.relative_to(posts_dir).with_suffix("")
    if relative.name == "index" and relative.parent != Path("."):
        relative = relative.parent
    return relative.as_posix()


def is_post_path(path: Path, posts_dir: Path) -> bool:
    """A `.md` file under `posts_dir`, not hidden or in a hidden folder (editor lock files are `.#x.md`)."""
    try:
        parts = path.relative_to(posts_dir).parts
    except ValueError:
        return False
    return path.suffix == ".md" and not any(part.startswith(".") for part in parts)


def post_files(posts_dir: Path) -> list[Path]:
    """The post files under `posts_dir` (see `is_post_path`)."""
    return sorted(path for path in posts_dir.rglob("*.md") if is_post_path(path, posts_dir))


def load_posts(
    posts_dir: Path, site_url: str, known_hashes: dict[str, str] | None = None, max_bytes: int | None = None,
) -> LoadResult:
    """Every post under `posts_dir`; a file whose content hash is in `known_hashes` for its slug is only
    listed as unchanged (a re-ingest of a large archive reads bytes, it does not parse YAML)."""
    known_hashes = known_hashes or {}
    result = LoadResult()
    if not posts_dir.is_dir():
        result.skipped.append(Problem(posts_dir, "posts folder not found"))
        return result
    used_slugs: dict[str, Path] = {}
    for path in post_files(posts_dir):
        slug = slug_for(path, posts_dir)
        if slug in used_slugs:
            result.skipped.append(Problem(path, f"duplicate slug '{slug}' (already used by {used_slugs[slug]})"))
            continue
        try:
            raw = _read_bytes(path, max_bytes)
            if slug in known_hashes and hashlib.sha256(raw).hexdigest() == known_hashes[slug]:
                used_slugs[slug] = path
                result.unchanged.append(slug)
                continue
            post, warning = read_post(path, slug, site_url, raw)
        except PostError as error:
            result.skipped.append(Problem(path, str(error)))
            continue
        used_slugs[slug] = path
        result.posts.append(post)
        if warning:
            result.warnings.append(Problem(path, warning))
    return result


def _read_bytes(path: Path, max_bytes: int | None) -> bytes:
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise PostError(f"{size:,} bytes, over the {max_bytes:,}-byte limit (RAG_MAX_POST_BYTES)")
        return path.read_bytes()
    except OSError as error:  # a symlink loop, a broken link, no permission, a folder named x.md
        raise PostError(f"cannot read ({error.strerror or error})") from None


def read_post(path: Path, slug: str, site_url: str, raw: bytes | None = None) -> tuple[Post, str | None]:
    """Parse one post; returns it with an optional warning, or raises `PostError`."""
    raw = _read_bytes(path, None) if raw is None else raw
    text, encoding_warning = _decode(raw)
    metadata, body, warning = _split_frontmatter(text.replace("\r\n", "\n"))
    warning = "; ".join(part for part in (encoding_warning, warning) if part) or None

    title = _text_field(metadata, "title")
    if not title:
        raise PostError("frontmatter has no title")
    if metadata.get("date") in (None, ""):
        raise PostError("frontmatter has no date")
    post_date = _parse_date(metadata["date"], "date")
    update = _parse_date(metadata["update"], "update") if metadata.get("update") not in (None, "") else None
    if not body.strip():
        raise PostError("empty body")

    post = Post(
        slug=slug,
        path=path,
        title=title,
        description=_text_field(metadata, "description"),
        date=post_date,
        update=update,
        tags=_tags(metadata.get("tags")),
        permalink=f"{site_url.rstrip('/')}/{slug}/",
        body=body,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )
    return post, warning


def _decode(raw: bytes) -> tuple[str, str | None]:
    """UTF-8 (a byte-order mark is dropped), else CP949 — the superset of EUC-KR that Korean Windows saves."""
    if b"\x00" in raw:
        raise PostError("contains NUL bytes: not a text file")
    try:
        text = raw.decode("utf-8")
        if text.startswith("\ufeff"):
            return text[1:], "UTF-8 with a byte-order mark (BOM): read as UTF-8"
        return text, None
    except UnicodeDecodeError as error:
        utf8_problem = f"byte 0x{raw[error.start]:02x} at offset {error.start}"
    try:
        return raw.decode("cp949"), "not UTF-8: decoded as CP949/EUC-KR (save it as UTF-8 to silence this)"
    except UnicodeDecodeError:
        raise PostError(f"neither UTF-8 ({utf8_problem}) nor CP949/EUC-KR text") from None


def _split_frontmatter(text: str) -> tuple[dict, str, str | None]:
    match = _FRONTMATTER.match(text)
    if not match:
        if text.startswith("---"):
            raise PostError("frontmatter block is not closed (no second '---' line)")
        raise PostError("no frontmatter (the file must start with a '---' block)")
    try:
        parsed = frontmatter.loads(text)
        if isinstance(parsed.metadata, dict):
            return dict(parsed.metadata), parsed.content, None
        problem = "not a mapping of keys to values"
    # YAML's own errors, and the ValueError its timestamp type raises for `date: 2024-13-45`
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
        problem = str(error).splitlines()[0] if str(error) else type(error).__name__
    metadata = _parse_frontmatter_lines(match.group(1))
    if not metadata:
        raise PostError(f"broken frontmatter ({problem})")
    return metadata, match.group(2), f"frontmatter is not valid YAML ({problem}); recovered it line by line"


def _parse_frontmatter_lines(block: str) -> dict:
    """Lenient `key: value` reader: the value is everything after the first colon."""
    metadata: dict[str, object] = {}
    list_key: str | None = None
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _YAML_LIST_ITEM.match(line)
        if item and list_key is not None:
            metadata.setdefault(list_key, [])
            metadata[list_key].append(_unquote(item.group(1)))  # type: ignore[union-attr]
            continue
        pair = _KEY_VALUE.match(line)
        if not pair:
            continue
        key, value = pair.group(1), pair.group(2).strip()
        if value:
            metadata[key] = _unquote(value)
            list_key = None
        else:
            list_key = key
    return metadata


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _text_field(metadata: dict, key: str) -> str:
    value = metadata.get(key)
    return "" if value is None else str(value).strip()


def _parse_date(value: object, key: str) -> date:
    """A date, or a date with a time and timezone (`2024-05-03T09:00:00+09:00`): the calendar day is kept."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise PostError(f"impossible or unparsable {key} {text!r} (expected YYYY-MM-DD)") from None


def _tags(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\[\]]", value)]
    return [str(tag).strip().strip("\"'") for tag in value if str(tag).strip().strip("\"'")]  # type: ignore[union-attr]
