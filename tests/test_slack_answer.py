"""bot/answer.py, the surface-neutral seam, with the real engine; and how the
Slack renderer shows what it returns."""

import io
import json

from bot import answer
from bot.models import AskResult, Scope
from bot.render.slack_blocks import format_ask, format_reply
from bot.triage import Budget


def test_empty_text_is_help(engine):
    r = answer.answer(engine, "   ")
    assert r.kind == "help" and not r.entries
    text, blocks, attach = format_reply(r, in_channel=True)
    assert "/chsm" in json.dumps(blocks) and attach is None


def test_question_is_asked(engine):
    r = answer.answer(engine, "C_Login failed with error code: 0xa3")
    assert r.kind == "ask" and r.ask is not None and not r.abstained
    assert r.entries == [r.ask.answers[0].id] and "0xa3" in r.entries[0]


def test_pasted_log_is_triaged_once(engine):
    paste = "10:00 INFO boot\n10:01 ERROR environment variable azcloudhsm_openssl_conf is not set\n10:02 ERROR C_Login failed with error code: 0xa3\n"
    r = answer.answer(engine, paste, budget=Budget(seconds=30))
    assert r.kind == "triage" and r.described == answer.PASTE_NAME
    assert len(r.triage.findings) == 2 and len(r.entries) == 2 and not r.abstained


def test_followup_is_retried_with_thread_context(engine):
    alone = answer.answer(engine, "still failing, any idea?")
    assert alone.kind == "ask" and alone.abstained
    r = answer.answer(engine, "still failing, any idea?", context="C_Login failed with error code: 0xa3")
    assert r.kind == "ask" and not r.abstained and "0xa3" in r.entries[0]
    assert r.ask.query == alone.ask.query  # the user's words, not the context, are what we echo


def test_files_and_text_are_one_triage(engine, tmp_path):
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_bytes(b"INFO x\nC_Initialize() failed with 00000005 (Failed to connect socket)\n")
    b.write_bytes(b"C_Initialize() failed with 00000005 (Failed to connect socket)\nINFO y\n")
    r = answer.triage_files(engine, [("a.log", str(a)), ("b.log", str(b))], text="", notes=["skipped c.png: not a text log"])
    assert r.kind == "triage" and r.described == "a.log, b.log"
    [finding] = r.triage.findings  # seen in both files, folded once by triage itself
    assert finding.count == 2
    assert r.triage.notes[0] == "skipped c.png: not a text log"


def test_nothing_readable_is_a_notice(engine):
    r = answer.triage_sources(engine, [], notes=["skipped x.png: not a text log"])
    assert r.kind == "notice" and "x.png" in r.notice
    r = answer.triage_sources(engine, [("core.log", io.BytesIO(bytes(range(256)) * 4))])
    assert r.kind == "notice" and "core.log" in r.notice


def test_heavy_texts_are_told_apart():
    assert answer.is_heavy("a\nb\nc\n") and answer.is_heavy("x" * 5000)
    assert not answer.is_heavy("C_Login failed with error code: 0xa3")


def test_neighbouring_product_is_named_in_one_line():
    r = AskResult(query="aws cloudhsm cluster", abstained=True, scope=Scope(product="AWS CloudHSM", url="https://docs.aws.amazon.com/cloudhsm/"), redacted=0, answers=[])
    text, blocks = format_ask(r, in_channel=True)
    assert text == "This looks like AWS CloudHSM; these docs cover Azure Cloud HSM."
    first = blocks[0]["text"]["text"]
    assert first == "This looks like *AWS CloudHSM*; these docs cover Azure Cloud HSM. See <https://docs.aws.amazon.com/cloudhsm/|its docs>."


def test_neighbour_question_end_to_end(engine):
    r = answer.answer(engine, "my AWS CloudHSM cluster can't be initialized with key_mgmt_util")
    assert r.kind == "ask" and r.abstained and r.ask.scope is not None
    text, _, _ = format_reply(r, in_channel=True)
    assert text.startswith(f"This looks like {r.ask.scope.product}")


def test_user_file_names_cannot_ping_anyone():
    from bot.models import TriageResult

    r = TriageResult(source="x", lines=1, redacted=0, findings=[], unmatched=[], notes=["skipped <!here>.png: not a text log"])
    text, blocks, _ = format_reply(answer.Reply("triage", triage=r, described="<!channel>.log"), in_channel=False)
    shown = text + json.dumps(blocks)
    assert "<!channel>" not in shown and "<!here>" not in shown and "&lt;!channel&gt;" in shown
