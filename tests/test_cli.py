"""The CLI as a user runs it: output shapes, exit codes, stdin.

main() in this process (call_chsm), on the tiny corpus with the fake encoder
(tests/fakes.py) unless the real corpus is the point; the console script
itself in a child process (run_chsm, about a second of imports) once for
each way a user reaches it: arguments, stdin, a usage error."""

import json

import pytest

from conftest import call_chsm, run_chsm
from fakes import tiny_index
from slack_harness import FAKE_ENCODER

ASK = "relay handshake refused by peer"  # the tiny corpus's known error: a rule hit
OTHER = "user login failed with code 0x00000123"  # and its other one


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict:
    """The environment of a `chsm` on the tiny corpus and its index."""
    corpus, index = tiny_index(tmp_path_factory.mktemp("tiny"))
    return {"CHSM_CORPUS_DIR": str(corpus), "CHSM_INDEX_DIR": str(index), **FAKE_ENCODER}


@pytest.mark.slow
def test_ask_json_contract(tiny):
    p = run_chsm("ask", "--json", "why is the relay refusing the handshake", env=tiny)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert set(d) == {"query", "abstained", "scope", "redacted", "answers"} and d["scope"] is None and not d["abstained"]
    a = d["answers"][0]
    assert set(a) == {"id", "title", "section", "url", "score", "matched_by", "evidence", "fix", "commands"}
    assert ASK in a["title"] and len(d["answers"]) == 3


def test_ask_text_and_stdin_and_top(tiny):
    p = call_chsm("ask", "-", stdin=f"Why do I see {ASK}?".encode(), env=tiny)
    assert p.returncode == 0 and ASK in p.stdout and "sudo systemctl restart relay.service" in p.stdout
    assert "\033[" not in p.stdout  # no colour when not on a TTY
    d = json.loads(call_chsm("ask", "--json", "--top", "1", "disk", env=tiny).stdout)
    assert len(d["answers"]) == 1


def test_index_and_corpus_flags_after_the_subcommand(tiny, tmp_path):
    index, corpus = tiny["CHSM_INDEX_DIR"], tiny["CHSM_CORPUS_DIR"]
    env = {**tiny, "CHSM_INDEX_DIR": str(tmp_path / "nowhere"), "CHSM_CORPUS_DIR": str(tmp_path / "nothing")}
    p = call_chsm("ask", "--json", "--index", index, "--corpus", corpus, ASK, env=env)
    assert p.returncode == 0, p.stderr
    p = call_chsm("--index", index, "--corpus", corpus, "ask", "--json", ASK, env=env)
    assert p.returncode == 0, p.stderr
    assert not (tmp_path / "nowhere").exists()  # the flags won, not the environment


@pytest.mark.slow
def test_binary_stdin_is_refused(tiny):
    p = run_chsm("ask", "-", stdin=b"\x7fELF\x00\x00\x01binary", env=tiny)
    assert p.returncode == 1 and "binary" in p.stderr and "Traceback" not in p.stderr


def test_ask_abstains_honestly(tiny):
    p = call_chsm("ask", "what is the capital of Australia", env=tiny)
    assert p.returncode == 0 and "No confident answer" in p.stdout


def test_batch(tiny):
    lines = [json.dumps({"query": q}) for q in [ASK, f"multi\nline\n{OTHER}", "lunch?"]]
    p = call_chsm("ask", "--json", "--batch", "-", stdin="\n".join(lines).encode(), env=tiny)
    assert p.returncode == 0, p.stderr
    out = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(out) == 3
    assert ASK in out[0]["answers"][0]["title"] and OTHER in out[1]["answers"][0]["title"]
    assert out[2]["abstained"]


def test_usage_errors_exit_2_without_traceback(tiny):
    for args in (["ask"], ["ask", "--top", "0", "x"], ["nope"], ["ask", "--batch", "-"]):
        p = call_chsm(*args, stdin=b"not json\n", env=tiny)
        assert p.returncode == 2, (args, p.stderr)
        assert "Traceback" not in p.stderr


@pytest.mark.slow
def test_the_console_script_exits_2_on_a_usage_error():
    p = run_chsm("ask", "--top", "0", "x")
    assert p.returncode == 2 and "--top" in p.stderr and "Traceback" not in p.stderr


def test_runtime_errors_exit_1_with_one_line(tiny, tmp_path):
    p = call_chsm("triage", str(tmp_path / "missing.log"), env=tiny)
    assert p.returncode == 1 and "Traceback" not in p.stderr and "cannot read" in p.stderr
    binary = tmp_path / "core.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    p = call_chsm("triage", str(binary), env=tiny)
    assert p.returncode == 1 and "binary" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_triage_json_and_secret_masking(tiny, tmp_path):
    log = tmp_path / "app.log"
    log.write_text(f"INFO ok\nloginHSM CU cu1 Pa55word!\nERROR {ASK}\n")
    p = call_chsm("triage", "--json", str(log), env=tiny)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["source"] == str(log) and d["lines"] == 3 and d["redacted"] == 1
    assert d["findings"][0]["line"] == 3 and "Pa55word" not in p.stdout
    p = call_chsm("triage", "-", stdin=log.read_bytes(), env=tiny)
    assert p.returncode == 0 and "sudo systemctl restart relay.service" in p.stdout


@pytest.mark.slow  # the rebuild runs in a child process
def test_corrupt_index_is_rebuilt_with_a_message(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "runbook.md").write_text('# Ops\n\n## Relay\n\n### "relay handshake refused by peer"\n\nRestart the relay.\n')
    env = {"CHSM_CORPUS_DIR": str(corpus), "CHSM_INDEX_DIR": str(tmp_path / "idx"), **FAKE_ENCODER}
    assert call_chsm("index", "build", env=env).returncode == 0
    (tmp_path / "idx" / "entries.jsonl").write_text("{broken")
    p = call_chsm("ask", "--json", "relay handshake refused by peer", env=env)
    assert p.returncode == 0 and "corrupt" in p.stderr and "Traceback" not in p.stderr
    assert json.loads(p.stdout)["answers"][0]["matched_by"][0] == "regex"


def test_batch_bad_lines_get_their_own_error_and_exit_2(tiny):
    lines = [
        json.dumps({"query": ASK}),
        "not json",
        '{"query": null}',
        '["C_Login"]',
        json.dumps({"query": OTHER}),
    ]
    p = call_chsm("ask", "--json", "--batch", "-", stdin="\n".join(lines).encode(), env=tiny)
    assert p.returncode == 2
    out = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(out) == 5
    assert ASK in out[0]["answers"][0]["title"] and OTHER in out[4]["answers"][0]["title"]
    assert all(set(o) == {"error"} for o in out[1:4])


def test_neighbour_product_is_named_with_its_docs(index_dir):  # the real corpus's scope file
    p = call_chsm("ask", "--json", "cloudhsm_mgmt_util says loginHSM failed for my crypto user on AWS")
    d = json.loads(p.stdout)
    assert d["abstained"] is True and d["scope"]["product"] == "AWS CloudHSM" and d["scope"]["url"].startswith("https://")
    p = call_chsm("ask", "cloudhsm_mgmt_util says loginHSM failed for my crypto user on AWS")
    assert "AWS CloudHSM" in p.stdout and "Azure Cloud HSM" in p.stdout
    both = json.loads(call_chsm("ask", "--json", "we are migrating from AWS CloudHSM to Azure Cloud HSM, how do I back up the cluster").stdout)
    assert both["scope"] is None


def test_feedback_on_an_unusable_data_dir_fails_with_one_line(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    p = call_chsm("feedback", env={"CHSM_DATA_DIR": str(blocker / "data")})
    assert p.returncode == 1 and p.stderr.startswith("chsm: cannot read the feedback database") and "Traceback" not in p.stderr
    ok = call_chsm("feedback", env={"CHSM_DATA_DIR": str(tmp_path / "fresh")})
    assert ok.returncode == 0 and "No feedback recorded yet." in ok.stdout
