"""Missing, stale and corrupt indexes rebuild themselves with a clear message."""

import shutil

import pytest

from bot.search import store

RUNBOOK = "# On-call\n\n## Relay\n\n### Why do I see \"relay handshake refused by peer\"?\n\nRestart the relay service.\n"


@pytest.fixture
def small_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "oncall.md").write_text(RUNBOOK, encoding="utf-8")
    return corpus


def test_missing_then_stale_then_corrupt(small_corpus, tmp_path):
    index = tmp_path / "index"
    said = []
    idx = store.ensure(small_corpus, index, log=said.append)
    assert any("no index yet" in s for s in said) and len(idx.entries) == 1

    said.clear()
    store.ensure(small_corpus, index, log=said.append)
    assert said == []  # fresh: loaded, not rebuilt

    (small_corpus / "more.md").write_text("# More\n\n## Disk\n\nDisk full: clean /var/log.\n", encoding="utf-8")
    idx = store.ensure(small_corpus, index, log=said.append)
    assert any("corpus hash changed" in s for s in said) and len(idx.entries) == 2

    said.clear()
    (index / "vectors.faiss").write_bytes(b"garbage")
    idx = store.ensure(small_corpus, index, log=said.append)
    assert any("corrupt" in s for s in said) and idx.vectors.ntotal > 0

    said.clear()
    shutil.rmtree(index / "bm25")
    store.ensure(small_corpus, index, log=said.append)
    assert any("corrupt" in s for s in said)


@pytest.mark.parametrize("what,patch", [("model fingerprint", "bot.search.embed.model_fingerprint"), ("rules hash", "bot.search.store.rules_hash")])
def test_model_or_rules_change_rebuilds(small_corpus, tmp_path, monkeypatch, what, patch):
    index = tmp_path / "index"
    store.ensure(small_corpus, index, log=lambda s: None)
    monkeypatch.setattr(patch, lambda *a: "something-else")
    said = []
    store.ensure(small_corpus, index, log=said.append)
    assert any(f"the {what} changed" in s for s in said)
    said.clear()
    store.ensure(small_corpus, index, log=said.append)
    assert said == []  # and fresh again afterwards
