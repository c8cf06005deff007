"""Synthetic archives for scale runs, made from the 19 real posts.

Post i takes the frontmatter and intro of real post i mod 19, a date i days after
2020-01-01, a numbered title, and each of its `## ` sections from a real post picked at
random (seeded), so that posts differ while reading like the real ones.

    python benchmarks/synthetic.py 1000 /tmp/archive-1000     # writes <dir>/posts/synth-00000.md ...
"""

from __future__ import annotations

import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import frontmatter

ROOT = Path(__file__).resolve().parent.parent
REAL_POSTS = ROOT / "eval" / "archive" / "posts"
_SECTION = re.compile(r"^## ", re.MULTILINE)


def _split(body: str) -> tuple[str, list[str]]:
    """(intro, top-level sections each starting with '## ')."""
    starts = [match.start() for match in _SECTION.finditer(body)]
    if not starts:
        return body, []
    return body[: starts[0]], [body[a:b] for a, b in zip(starts, starts[1:] + [len(body)])]


def make_archive(size: int, out_dir: Path, seed: int = 0) -> Path:
    real = [frontmatter.loads(_read(path)) for path in sorted(REAL_POSTS.glob("*.md"))]
    parts = [_split(post.content) for post in real]
    pool = [section for _, sections in parts for section in sections]
    rng = random.Random(seed)
    posts_dir = out_dir / "posts"
    posts_dir.mkdir(parents=True, exist_ok=True)
    for number in range(size):
        base = real[number % len(real)]
        intro, sections = parts[number % len(real)]
        body = intro + "".join(rng.choice(pool) for _ in sections or [None])
        day = date(2020, 1, 1) + timedelta(days=number)
        metadata = {**base.metadata, "title": f"{base.metadata.get('title', '')} #{number}", "date": day.isoformat(),
                    "update": day.isoformat()}
        text = frontmatter.dumps(frontmatter.Post(body, **metadata))
        (posts_dir / f"synth-{number:05d}.md").write_text(text + "\n", encoding="utf-8")
    return out_dir


def _read(path: Path) -> str:
    """Real posts have titles with an unquoted ': ' that strict YAML rejects: quote the title line."""
    text = path.read_text(encoding="utf-8")
    return re.sub(r"^(title|description):[ \t]*(.*)$", lambda m: f"{m.group(1)}: {_quote(m.group(2))}",
                  text, count=2, flags=re.MULTILINE)


def _quote(value: str) -> str:
    if value[:1] in ("'", '"'):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    count, target = int(sys.argv[1]), Path(sys.argv[2])
    make_archive(count, target)
    print(f"{count} posts in {target / 'posts'}")
