"""BM25 keyword search without a real index: the top-k shortcut and vocabulary checks."""

import bm25s
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.bm25 import EMPTY_TOKEN, KeywordIndex, TokenRows


def test_top_k_by_partition_is_the_full_stable_sort():
    """Many ties at the cut-off: the k rows must be those a full stable sort would give, in that order."""
    corpus = [["alpha", "beta"], ["alpha"], ["gamma"], ["alpha", "beta"], ["beta"], ["alpha"], ["delta"], ["alpha", "beta"]] * 5
    index = KeywordIndex.from_tokens(corpus, "kiwi")
    scores = index._bm25.get_scores(["alpha", "beta"])
    for k in (1, 3, 7, 12, 40, 100):
        expected = [int(row) for row in np.argsort(-scores, kind="stable")[:k] if scores[row] > 0]
        assert [row for row, _ in index.search("alpha beta", k)] == expected


def test_date_mask_and_vocabulary():
    index = KeywordIndex.from_tokens([["gguf", "변환"], ["xlstm"], []], "kiwi")
    assert [row for row, _ in index.search("GGUF 변환", 5)] == [0]
    assert index.search("GGUF", 5, allowed=np.array([False, True, True])) == []
    assert index.knows("XLSTM") and not index.knows("claude")


def test_names_are_found_in_the_other_script_by_how_they_sound():
    index = KeywordIndex.build(["메타의 카멜레온 모델과 프로젝트 아스트라", "NVIDIA가 발표했다", "자세한 설명과 실망"], "kiwi+bigram")
    assert index.spellings("Chameleon") == ["카멜레온"] and index.spellings("Astra") == ["아스트라"]
    assert index.spellings("엔비디아") == ["nvidia"]
    assert index.spellings("Suleyman") == []  # 설명 and 실망 sound alike but are far too short


def test_a_word_is_borrowed_when_the_archive_writes_one_of_its_glosses_as_a_loanword():
    """The glossary is the real dictionary: `시험` (test, exam, …) is in an archive saying `테스트`; `상대`
    (comparison, …) is not, though the archive says `비교`, a translation but no loanword."""
    index = KeywordIndex.build(["AI 리뷰가 튜링 테스트를 통과했습니다", "두 모델을 비교했습니다"], "kiwi+bigram")
    assert index.borrows("시험")
    assert not index.borrows("상대") and not index.borrows("금액") and not index.borrows("없는말")


def test_kept_rows_give_the_index_a_fresh_build_gives(tmp_path):
    """An ingest re-maps kept chunks' token ids instead of re-reading their tokens: the BM25 scores must be
    those of a build from the words, and words only a removed chunk had must be gone from the vocabulary."""
    first = TokenRows.assemble([["gguf", "변환"], ["xlstm", "논문"], ["claude"], []])
    first.save(tmp_path / "tokens")
    earlier = TokenRows.load(tmp_path / "tokens")
    kept_and_new = TokenRows.assemble([(earlier, 1), ["llama", "gguf"], (earlier, 0), (earlier, 3)])  # row 2 removed
    words = [["xlstm", "논문"], ["llama", "gguf"], ["gguf", "변환"], []]
    assert [[kept_and_new.vocabulary[i] for i in kept_and_new.row(n)] for n in range(4)] == [*words[:3], [EMPTY_TOKEN]]
    rebuilt, fresh = KeywordIndex.from_rows(kept_and_new, "kiwi"), KeywordIndex.from_tokens(words, "kiwi")
    for query in ("gguf", "xlstm 논문", "llama 변환"):
        assert rebuilt.search(query, 4) == fresh.search(query, 4)
    assert rebuilt.knows("llama") and not rebuilt.knows("claude")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["gguf", "변환", "xlstm", "논문", "llama", "모델", "#라마", "#마3"]), max_size=12),
                min_size=1, max_size=30))
def test_the_array_build_scores_as_bm25s_does(corpus):
    """Our whole-corpus numpy build must give bm25s's own index: the same matrix, the same scores for every word."""
    rows = TokenRows.assemble(corpus)
    ours = KeywordIndex.from_rows(rows, "kiwi")._bm25
    theirs = bm25s.BM25()
    theirs.index(([rows.row(n).tolist() for n in range(len(rows))], dict(zip(rows.vocabulary, range(len(rows.vocabulary))))),
                 show_progress=False)
    assert ours.vocab_dict == theirs.vocab_dict
    assert np.array_equal(ours.scores["indptr"], theirs.scores["indptr"])
    assert np.array_equal(ours.scores["indices"], theirs.scores["indices"])
    np.testing.assert_allclose(ours.scores["data"], theirs.scores["data"], rtol=1e-6)
    for word in rows.vocabulary:
        np.testing.assert_allclose(ours.get_scores([word]), theirs.get_scores([word]), rtol=1e-6)
