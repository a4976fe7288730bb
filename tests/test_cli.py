"""The console script as a user runs it: output shapes, exit codes, stdin."""

import json

import pytest

from conftest import run_chsm


def test_ask_json_contract(index_dir):
    p = run_chsm("ask", "--json", "C_Login failed with error code: 0xa3")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert set(d) == {"query", "abstained", "scope", "redacted", "answers"} and d["scope"] is None
    a = d["answers"][0]
    assert set(a) == {"id", "title", "section", "url", "score", "matched_by", "evidence", "fix", "commands"}
    assert "0xa3" in a["title"] and len(d["answers"]) == 3


def test_ask_text_and_stdin_and_top(index_dir):
    p = run_chsm("ask", "-", stdin=b"C_Initialize() failed with 00000005 (Failed to connect socket)")
    assert p.returncode == 0 and "C_Initialize" in p.stdout and "sudo systemctl start azure-cloud-hsm.service" in p.stdout
    assert "\033[" not in p.stdout  # no colour when not on a TTY
    d = json.loads(run_chsm("ask", "--json", "--top", "1", "backup").stdout)
    assert len(d["answers"]) == 1


def test_index_and_corpus_flags_after_the_subcommand(index_dir, tmp_path):
    env = {"CHSM_INDEX_DIR": str(tmp_path / "nowhere"), "CHSM_CORPUS_DIR": str(tmp_path / "nothing")}
    p = run_chsm("ask", "--json", "--index", str(index_dir), "--corpus", "corpus", "C_Login failed with error code: 0xa3", env=env)
    assert p.returncode == 0, p.stderr
    p = run_chsm("--index", str(index_dir), "--corpus", "corpus", "ask", "--json", "C_Login failed with error code: 0xa3", env=env)
    assert p.returncode == 0, p.stderr


def test_binary_stdin_is_refused(index_dir):
    p = run_chsm("ask", "-", stdin=b"\x7fELF\x00\x00\x01binary")
    assert p.returncode == 1 and "binary" in p.stderr and "Traceback" not in p.stderr


def test_ask_abstains_honestly(index_dir):
    p = run_chsm("ask", "what is the capital of Australia")
    assert p.returncode == 0 and "No confident answer" in p.stdout


def test_batch(index_dir):
    lines = [json.dumps({"query": q}) for q in ["C_Login failed with error code: 0xa3", "multi\nline\nC_Initialize failed with 0x5", "lunch?"]]
    p = run_chsm("ask", "--json", "--batch", "-", stdin="\n".join(lines).encode())
    assert p.returncode == 0, p.stderr
    out = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(out) == 3
    assert "0xa3" in out[0]["answers"][0]["title"] and "C_Initialize" in out[1]["answers"][0]["title"]
    assert out[2]["abstained"]


def test_usage_errors_exit_2_without_traceback(index_dir):
    for args in (["ask"], ["ask", "--top", "0", "x"], ["nope"], ["ask", "--batch", "-"]):
        p = run_chsm(*args, stdin=b"not json\n")
        assert p.returncode == 2, (args, p.stderr)
        assert "Traceback" not in p.stderr


def test_runtime_errors_exit_1_with_one_line(index_dir, tmp_path):
    p = run_chsm("triage", str(tmp_path / "missing.log"))
    assert p.returncode == 1 and "Traceback" not in p.stderr and "cannot read" in p.stderr
    binary = tmp_path / "core.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    p = run_chsm("triage", str(binary))
    assert p.returncode == 1 and "binary" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_triage_json_and_secret_masking(index_dir, tmp_path):
    log = tmp_path / "app.log"
    log.write_text("INFO ok\nloginHSM CU cu1 Pa55word!\nC_Login failed with error code: 0xa3\n")
    p = run_chsm("triage", "--json", str(log))
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["source"] == str(log) and d["lines"] == 3 and d["redacted"] == 1
    assert d["findings"][0]["line"] == 3 and "Pa55word" not in p.stdout
    p = run_chsm("triage", "-", stdin=log.read_bytes())
    assert p.returncode == 0 and "C_Login" in p.stdout


@pytest.mark.slow
def test_corrupt_index_is_rebuilt_with_a_message(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "runbook.md").write_text('# Ops\n\n## Relay\n\n### "relay handshake refused by peer"\n\nRestart the relay.\n')
    env = {"CHSM_CORPUS_DIR": str(corpus), "CHSM_INDEX_DIR": str(tmp_path / "idx")}
    assert run_chsm("index", "build", env=env).returncode == 0
    (tmp_path / "idx" / "entries.jsonl").write_text("{broken")
    p = run_chsm("ask", "--json", "relay handshake refused by peer", env=env)
    assert p.returncode == 0 and "corrupt" in p.stderr and "Traceback" not in p.stderr
    assert json.loads(p.stdout)["answers"][0]["matched_by"][0] == "regex"


def test_batch_bad_lines_get_their_own_error_and_exit_2(index_dir):
    lines = [
        '{"query": "C_Login failed with error code: 0xa3"}',
        "not json",
        '{"query": null}',
        '["C_Login"]',
        '{"query": "environment variable azcloudhsm_openssl_conf is not set"}',
    ]
    p = run_chsm("ask", "--json", "--batch", "-", stdin="\n".join(lines).encode())
    assert p.returncode == 2
    out = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(out) == 5
    assert "0xa3" in out[0]["answers"][0]["title"] and "azcloudhsm_openssl_conf" in out[4]["answers"][0]["title"]
    assert all(set(o) == {"error"} for o in out[1:4])


def test_neighbour_product_is_named_with_its_docs(index_dir):
    p = run_chsm("ask", "--json", "cloudhsm_mgmt_util says loginHSM failed for my crypto user on AWS")
    d = json.loads(p.stdout)
    assert d["abstained"] is True and d["scope"]["product"] == "AWS CloudHSM" and d["scope"]["url"].startswith("https://")
    p = run_chsm("ask", "cloudhsm_mgmt_util says loginHSM failed for my crypto user on AWS")
    assert "AWS CloudHSM" in p.stdout and "Azure Cloud HSM" in p.stdout
    both = json.loads(run_chsm("ask", "--json", "we are migrating from AWS CloudHSM to Azure Cloud HSM, how do I back up the cluster").stdout)
    assert both["scope"] is None


def test_feedback_on_an_unusable_data_dir_fails_with_one_line(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    p = run_chsm("feedback", env={"CHSM_DATA_DIR": str(blocker / "data")})
    assert p.returncode == 1 and p.stderr.startswith("chsm: cannot read the feedback database") and "Traceback" not in p.stderr
    ok = run_chsm("feedback", env={"CHSM_DATA_DIR": str(tmp_path / "fresh")})
    assert ok.returncode == 0 and "No feedback recorded yet." in ok.stdout
