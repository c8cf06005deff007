"""How well the consonant skeletons (rag/korean.py) pair Korean spellings with the Latin words they render.

    python benchmarks/loanwords.py [--pairs eval/loanword_pairs.tsv] [--index .rag-archive --content eval/archive]

`eval/loanword_pairs.tsv` holds 75 common English tech words and names with their usual Korean spelling
(`discord	디스코드`), written from general usage, not from the dev questions. Reports how many pairs sound
alike, and lists the ones that do not; with an index, also how many (Hangul, Latin) word pairs of the
archive's vocabulary sound alike by the archive's own spelling search — the matches a Korean-spelled name
may be taken for. Writes benchmarks/results/loanwords.json.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from rag.korean import consonant_skeletons
from rag.pipeline import Pipeline
from rag.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "loanwords.json"


def archive_sound_alikes(index_dir: str, content_dir: str) -> int:
    """(Hangul word, Latin word) pairs of the archive that `KeywordIndex.spellings` ties together: the Latin
    spellings a Korean word would be searched with if a question used it for a name the archive writes in Latin."""
    pipeline = Pipeline.from_settings(load_settings(index_dir=index_dir, content_dir=content_dir))
    pipeline.ensure_index(show_progress=False)
    keywords = pipeline.index.current().keywords
    vocabulary = keywords.words()
    hangul = [word for word in vocabulary if re.fullmatch(r"[가-힣]{2,}", word)]
    return sum(len(keywords.spellings(word, limit=len(vocabulary))) for word in hangul)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", default=str(ROOT / "eval" / "loanword_pairs.tsv"))
    parser.add_argument("--index", help="an archive index, to count its sound-alike word pairs")
    parser.add_argument("--content", default="eval/archive")
    args = parser.parse_args()
    pairs = [line.split("\t") for line in Path(args.pairs).read_text(encoding="utf-8").splitlines() if line.strip()]
    missed = [(latin, korean) for latin, korean in pairs if not consonant_skeletons(latin) & consonant_skeletons(korean)]
    result = {"pairs": len(pairs), "sound_alike": len(pairs) - len(missed), "missed": missed}
    print(f"loanword pairs that sound alike: {result['sound_alike']}/{len(pairs)}")
    for latin, korean in missed:
        print(f"  missed: {latin} / {korean}")
    if args.index:
        result["archive_sound_alike_pairs"] = archive_sound_alikes(args.index, args.content)
        print(f"(Hangul, Latin) word pairs of the archive that sound alike: {result['archive_sound_alike_pairs']}")
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
