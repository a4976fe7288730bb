import numpy as np
import pytest

from bot.errors import UsageError


def test_exact_error_is_a_rule_hit_with_evidence(engine):
    r = engine.ask("C_Login failed with error code: 0xa3")
    a = r.answers[0]
    assert not r.abstained
    assert "0xa3" in a.title and "regex" in a.matched_by
    assert a.evidence == ["C_Login failed with error code: 0xa3"]
    assert 0.9 <= a.score <= 1.0
    assert a.url.startswith("https://learn.microsoft.com/azure/cloud-hsm/troubleshoot#")


def test_paraphrase_found_semantically(engine):
    r = engine.ask("which environment variable points openssl at azcloudhsm_openssl_dynamic.conf")
    assert "azcloudhsm_openssl_conf" in r.answers[0].title
    assert "regex" not in r.answers[0].matched_by


def test_troubleshooting_entry_beats_article_section(engine):
    r = engine.ask("user does not exist on one node, login fails with RET_USER_LOGIN_FAILURE")
    assert r.answers[0].id.startswith("azure-cloud-hsm/troubleshoot#")


@pytest.mark.parametrize("q", ["what's the weather in Seattle tomorrow", "git merge conflict in package-lock.json"])
def test_off_topic_abstains_with_suggestions_only(engine, q):
    r = engine.ask(q)
    assert r.abstained
    assert all(a.score < 0.5 for a in r.answers)


def test_scores_are_calibrated_and_sorted(engine):
    r = engine.ask("how do I back up my cloud hsm", top=5)
    scores = [a.score for a in r.answers]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert len(r.answers) == 5


def test_secret_in_query_is_masked(engine):
    r = engine.ask("loginHSM CU cu1 Hunter2Pass then C_Login failed with error code: 0xa3")
    assert "Hunter2Pass" not in r.model_dump_json()
    assert r.redacted == 1
    assert "0xa3" in r.answers[0].title


def test_empty_query_is_a_usage_error(engine):
    with pytest.raises(UsageError):
        engine.ask("   \n")


def test_huge_paste_is_answered(engine):
    noise = "2026-11-27T10:00:00Z app INFO heartbeat ok\n" * 1000
    r = engine.ask(noise + "C_Initialize() failed with 00000005 (Failed to connect socket)\n" + noise)
    assert "C_Initialize" in r.answers[0].title


def test_batch_equals_single(engine):
    qs = ["C_Login failed with error code: 0xa3", "how to sync users across nodes", "lunch?"]
    many = engine.ask_many(qs)
    for q, r in zip(qs, many):
        assert r.model_dump() == engine.ask(q).model_dump()


def test_the_encoder_never_runs_a_huge_batch(engine, monkeypatch):
    """900 texts at once once took 16 GB (attention grows with rows x tokens^2):
    each ONNX run holds at most BATCH_TOKENS tokens, padding included; and
    the texts, run shortest first, come back in the order they were given."""
    from bot.search import embed

    shapes = []
    real = embed.OnnxEncoder._run
    monkeypatch.setattr(embed.OnnxEncoder, "_run", lambda self, enc: shapes.append((len(enc), max(len(e.ids) for e in enc))) or real(self, enc))
    # Short ones and long ones, interleaved; the last is past MAX_TOKENS.
    texts = [f"C_Login failed {i} " + "0xa3 " * (i % 3) * 8 for i in range(30)] + ["HSM " * 300]
    vecs = engine.encoder.encode(texts)
    assert vecs.shape == (len(texts), 384) and len(shapes) >= 3
    assert max(rows * width for rows, width in shapes) <= embed.BATCH_TOKENS
    assert max(width for _, width in shapes) == embed.MAX_TOKENS
    alone = np.stack([engine.encoder.encode([t])[0] for t in texts[::7]])
    assert np.abs(vecs[::7] - alone).max() < 1e-5


def test_a_huge_paste_is_encoded_from_its_first_tokens_only(engine, monkeypatch):
    """The model reads 256 tokens; the tokenizer is not made to split the
    rest of a 200,000-character paste first (0.23 s)."""
    from bot.search import embed

    seen = []
    real = engine.encoder.tokenizer

    class Counting:
        def encode_batch(self, texts):
            seen.extend(map(len, texts))
            return real.encode_batch(texts)

    huge, short = "C_Login failed 0xa3 " * 10_000, "C_Login failed 0xa3 " * 120  # both past 256 tokens
    [want] = engine.encoder.encode([short])
    monkeypatch.setattr(engine.encoder, "tokenizer", Counting())
    [vec] = engine.encoder.encode([huge])
    assert seen == [embed.TEXT_CHARS] and embed.TEXT_CHARS < len(huge) / 5
    assert np.abs(vec - want).max() < 1e-6
