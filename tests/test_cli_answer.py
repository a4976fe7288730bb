"""`chsm ask -` makes the same decision as Slack (bot/answer.py): a pasted
log is triaged, a question is asked; `--json` keeps the ask shape.

main() in this process (call_chsm), on the tiny corpus with the fake
encoder: what is tested is the decision, not the real model."""

import json

import pytest

from conftest import call_chsm
from fakes import tiny_index
from slack_harness import FAKE_ENCODER

LOG = (
    b"Nov 27 10:00:01 host app[1]: ERROR relay handshake refused by peer\n"
    b"Nov 27 10:00:02 host app[1]: retrying\n"
    b"Nov 27 10:00:03 host app[1]: ERROR relay handshake refused by peer\n"
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict:
    corpus, index = tiny_index(tmp_path_factory.mktemp("tiny"))
    return {"CHSM_CORPUS_DIR": str(corpus), "CHSM_INDEX_DIR": str(index), **FAKE_ENCODER}


def test_a_pasted_log_is_triaged_like_in_slack(tiny):
    p = call_chsm("ask", "-", stdin=LOG, env=tiny)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("Triage of your paste") and "(x2)" in p.stdout and "relay handshake refused by peer" in p.stdout
    assert "sudo systemctl restart relay.service" in p.stdout  # the entry's fix, not only the line


def test_json_keeps_the_ask_shape_for_a_pasted_log(tiny):
    p = call_chsm("ask", "--json", "-", stdin=LOG, env=tiny)
    out = json.loads(p.stdout)
    assert set(out) >= {"query", "abstained", "answers"} and "relay handshake refused by peer" in out["answers"][0]["title"]
