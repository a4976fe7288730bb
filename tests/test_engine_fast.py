"""The engine and triage on a tiny corpus with a deterministic fake encoder:
no model, milliseconds. The real model's behaviour is in test_engine.py."""

import io

import pytest

from bot.search import store
from bot.search.engine import Engine
from bot.triage import triage
from fakes import HashEncoder, tiny_index


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    corpus, index = tiny_index(tmp_path_factory.mktemp("tiny"))
    return Engine(store.load(index), encoder=HashEncoder())


def test_quoted_error_in_a_runbook_is_a_rule(tiny):
    r = tiny.ask("relay handshake refused by peer")
    assert not r.abstained and r.answers[0].title.startswith("Why do I see") and r.answers[0].matched_by[0] == "regex"


def test_prepare_masks_once_and_matches_rules_once(tiny):
    q = tiny.prepare("user login failed with code 0x123, password=Sup3rS3cret!")
    assert "Sup3rS3cret" not in q.masked and q.redacted == 1 and q.hits
    assert tiny.rank([q])[0].answers[0].title.startswith('"user login failed')


def test_triage_calls_the_redactor_and_rules_once_per_template(tiny, monkeypatch):
    import bot.search.engine as eng
    import bot.triage as tri

    calls = {"redact": 0, "match": 0}
    real_redact, real_match = tri.redact, eng.match

    def counting_redact(text):
        calls["redact"] += 1
        return real_redact(text)

    def counting_match(rules, text):
        calls["match"] += 1
        return real_match(rules, text)

    monkeypatch.setattr(tri, "redact", counting_redact)
    monkeypatch.setattr(eng, "match", counting_match)
    log = b"""ERROR relay handshake refused by peer
ERROR user login failed with code 0x00000123
ERROR the disk is full
ERROR relay handshake refused by peer
ERROR cannot open /etc/x.conf
INFO all good
FATAL kernel panic
"""
    r = triage(tiny, [("x.log", io.BytesIO(log))])
    assert calls == {"redact": 5, "match": 5}
    assert r.lines == 7 and sum(f.count for f in r.findings) + sum(u.count for u in r.unmatched) == 6


def test_empty_and_non_text_queries_are_usage_errors(tiny):
    from bot.errors import UsageError

    for bad in ("", "  \n", None):
        with pytest.raises(UsageError):
            tiny.prepare(bad)


def test_no_raw_line_outlives_its_triage(tiny):
    """Lines and tokens are cached within a triage (logs repeat them); the
    caches hold raw text, secrets included, so each triage empties them."""
    import bot.triage as tri

    log = b"ERROR relay handshake refused by peer\nERROR loginHSM -u CU -s cu1 -p Pa55word!\n" * 3
    r = triage(tiny, [("x.log", io.BytesIO(log))])
    assert r.redacted and "Pa55word" not in repr(r)
    assert tri._facts.cache_info().currsize == 0 and tri._token.cache_info().currsize == 0
