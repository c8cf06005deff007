"""BM25 keyword search without a real index: the top-k shortcut and vocabulary checks."""

import numpy as np

from rag.bm25 import KeywordIndex


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
