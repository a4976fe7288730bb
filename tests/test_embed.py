"""The fast query path must encode as the reference does."""

import numpy as np

from bot.search import embed

TEXTS = [
    "C_Login failed with error code: 0xa3",
    "how do I back up my Cloud HSM to a storage account in a private virtual network?",
    "x",
    "Why am I getting the error message \"environment variable azcloudhsm_openssl_conf is not set\"? " * 20,  # > 256 tokens
]


def test_onnx_query_encoder_matches_sentence_transformers(index_dir):
    ref = embed.encode_reference(embed.load_reference(), TEXTS)
    fast = embed.QueryEncoder(index_dir / embed.ONNX_FILE).encode(TEXTS)
    assert fast.shape == ref.shape == (len(TEXTS), 384)
    cos = (fast * ref).sum(axis=1)
    assert np.all(cos >= 0.999), cos
