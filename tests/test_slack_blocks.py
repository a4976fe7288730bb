"""Replies stay within Slack's limits and read right."""

import json

import yaml

from bot.models import Answer, AskResult, Finding, LineRef, TriageResult
from bot.render.slack_blocks import format_ask, format_triage, mrkdwn

from conftest import call_chsm


def _answer(i: int, fix: str = "Do the thing.") -> Answer:
    return Answer(id=f"doc#e{i}", title=f"Entry {i}", section="S", url=f"https://x/doc#e{i}", score=0.95, matched_by=["regex"], evidence=["err"], fix=fix, commands=["sudo systemctl restart x"], why="Because.")


def _sizes_ok(blocks):
    assert len(blocks) <= 50
    assert len(json.dumps(blocks)) <= 40_000
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000


def test_mrkdwn_conversion():
    md = "#### Linux\n\nSee **this** [doc](https://x/y).\n\n1. Step\n\n   ```bash\n   cd /etc\n   ```"
    out = mrkdwn(md)
    assert "*Linux*" in out and "*this*" in out and "<https://x/y|doc>" in out
    assert "• Step" in out and "```\ncd /etc\n```" in out


def test_doc_and_log_text_is_escaped_for_slack():
    a = _answer(1, "The PIN is `<username>`:`<password>` & more.\n\n> **Note:** keep it safe.")
    _, blocks = format_ask(AskResult(query="q", abstained=False, redacted=0, answers=[a]), in_channel=True)
    dumped = json.dumps(blocks, ensure_ascii=False)
    assert "&lt;username&gt;" in dumped and "<username>" not in dumped and "&amp; more" in dumped
    assert "│ *Note:* keep it safe." in dumped
    r = TriageResult(source="x", lines=1, redacted=0, findings=[Finding(line=1, last_line=1, count=1, text="rc=<fail> for <@U123>", answer=a)], unmatched=[])
    _, blocks, _ = format_triage(r, described="x", in_channel=False)
    shown = json.dumps([b for b in blocks if b["type"] != "actions"])  # button values are never rendered
    assert "<@U123>" not in shown and "&lt;@U123&gt;" in shown


def test_huge_fix_is_split_and_fenced_properly():
    fix = "\n\n".join(f"Paragraph {i} " + "word " * 200 + f"\n\n```bash\necho {i}\n```" for i in range(40))
    text, blocks = format_ask(AskResult(query="q", abstained=False, redacted=0, answers=[_answer(1, fix)]), in_channel=True)
    _sizes_ok(blocks)
    for b in blocks:
        if b["type"] == "section":
            assert b["text"]["text"].count("```") % 2 == 0
    assert text.startswith("Cloud HSM: Entry 1")


def test_big_triage_is_summarised_with_attachment_flag():
    findings = [Finding(line=i, last_line=i, count=3, text=f"error {i} " + "x" * 400, answer=_answer(i)) for i in range(30)]
    unmatched = [LineRef(line=1000 + i, count=1, text="ERROR unknown " + "y" * 300) for i in range(40)]
    r = TriageResult(source="big.log", lines=10**6, redacted=2, findings=findings, unmatched=unmatched)
    text, blocks, attach = format_triage(r, described="big.log", in_channel=False)
    _sizes_ok(blocks)
    assert attach and "30 known problem(s)" in text and "Entry 0" in text
    assert "masked 2 secret(s)" in json.dumps(blocks)


def test_abstain_block_says_so_and_lists_suggestions_only():
    r = AskResult(query="q", abstained=True, redacted=0, answers=[_answer(1)])
    text, blocks = format_ask(r, in_channel=True)
    dumped = json.dumps(blocks)
    assert "No confident answer" in text and "/chsm help" in dumped and "suggestions only" in dumped
    assert "chsm_helpful" not in dumped  # nothing to vote on


def test_manifest_has_what_the_bot_uses():
    p = call_chsm("manifest")
    m = yaml.safe_load(p.stdout)
    assert m["settings"]["socket_mode_enabled"] is True
    assert {"app_mention", "message.im"} <= set(m["settings"]["event_subscriptions"]["bot_events"])
    assert {"chat:write", "commands", "files:read", "im:history", "app_mentions:read"} <= set(m["oauth_config"]["scopes"]["bot"])
    assert m["features"]["slash_commands"][0]["command"] == "/chsm"
    m = yaml.safe_load(call_chsm("manifest", "--http-url", "https://chsm.example.com").stdout)
    assert m["settings"]["socket_mode_enabled"] is False
    assert m["settings"]["event_subscriptions"]["request_url"] == "https://chsm.example.com/slack/events"
