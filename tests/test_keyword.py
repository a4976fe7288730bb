"""BM25: bm25s builds and saves it; our reader scores from the saved arrays
with numpy alone, and must score exactly as bm25s does."""

import json

import numpy as np
import pytest

from bot.search.keyword import Keyword, tokenize

DOCS = [
    "C_Login failed with error code: 0xa3 when the crypto user logs in",
    "environment variable azcloudhsm_openssl_conf is not set",
    "PO.crt is missing from the admin VM; copy the partition owner certificate",
    "back up the cluster to a storage account",
    "",
    "azcloudhsm_client cannot connect to the HSM on port 2224",
]
QUERIES = [
    "C_Login failed 0xa3",
    "azcloudhsm_openssl_conf not set not set",  # a token twice
    "PO.crt missing admin vm",
    "nothing here matches zzzz",
    "0x000000a3",
    "",
]


def test_scores_match_bm25s_after_a_save_and_load(tmp_path):
    built = Keyword.build(DOCS)
    built.save(tmp_path / "bm25")
    loaded = Keyword.load(tmp_path / "bm25")
    reference = built._retriever
    for q in QUERIES:
        ids = reference.get_tokens_ids(tokenize(q))
        want = reference.get_scores(ids) if ids else np.zeros(len(DOCS), dtype=np.float32)
        assert np.allclose(loaded.scores(q), want, atol=1e-6), q
        assert np.array_equal(loaded.scores(q), built.scores(q))
    assert loaded.scores("C_Login failed 0xa3").argmax() == 0 and loaded.scores("azcloudhsm_openssl_conf").argmax() == 1


@pytest.mark.parametrize("damage", ["indptr", "vocab", "method"])
def test_a_saved_index_that_does_not_hold_together_is_refused(tmp_path, damage):
    Keyword.build(DOCS).save(tmp_path / "bm25")
    folder = tmp_path / "bm25"
    if damage == "indptr":
        np.save(folder / "indptr.csc.index.npy", np.load(folder / "indptr.csc.index.npy")[:-3])
    elif damage == "vocab":
        (folder / "vocab.index.json").write_text(json.dumps(["a", "list"]))
    else:
        params = json.loads((folder / "params.index.json").read_text())
        (folder / "params.index.json").write_text(json.dumps({**params, "method": "bm25+"}))
    with pytest.raises(ValueError):
        Keyword.load(folder)
