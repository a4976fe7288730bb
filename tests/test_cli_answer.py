"""`chsm ask -` makes the same decision as Slack (bot/answer.py): a pasted
log is triaged, a question is asked; `--json` keeps the ask shape."""

import json

from conftest import run_chsm

LOG = (
    b"Nov 27 10:00:01 host app[1]: C_Login failed with error code: 0xa3\n"
    b"Nov 27 10:00:02 host app[1]: retrying\n"
    b"Nov 27 10:00:03 host app[1]: C_Login failed with error code: 0xa3\n"
)


def test_a_pasted_log_is_triaged_like_in_slack(index_dir):
    p = run_chsm("ask", "-", stdin=LOG)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("Triage of your paste") and "(x2)" in p.stdout and "0xa3" in p.stdout


def test_json_keeps_the_ask_shape_for_a_pasted_log(index_dir):
    p = run_chsm("ask", "--json", "-", stdin=LOG)
    out = json.loads(p.stdout)
    assert set(out) >= {"query", "abstained", "answers"} and "0xa3" in out["answers"][0]["title"]
