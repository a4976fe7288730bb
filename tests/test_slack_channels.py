"""Per-channel settings (CHSM_CHANNELS_FILE): a bad file is one line at
start; where the bot answers, follow-ups, ephemeral answers and the
channel's on-call, through the real listeners against the fake Slack."""

import json
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from bot.slack import actions, followup, mention, replies
from bot.slack.app import web_client
from bot.slack.channels import CHANNEL_OFF, FOLLOWUPS_OFF, ChannelSettings, Channels
from bot.slack.services import Services

from conftest import ROOT, call_chsm
from fake_slack import BOT_TOKEN, FakeSlack
from fakes import tiny_index, use_fake_encoder

EXAMPLE = ROOT / "docs" / "channels.example.yml"
QUESTION = "C_Login failed with error code: 0xa3"


def write(tmp_path: Path, text: str, name: str = "channels.yml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


# -- loading ---------------------------------------------------------------------------


def test_no_file_is_todays_behaviour():
    for path in (None, Path(".")):  # Path("."): CHSM_CHANNELS_FILE set but empty
        c = Channels.load(path)
        assert c.get("C123") == c.get(None) == ChannelSettings()
    s = ChannelSettings()
    assert s.answer and s.followups and s.replies == "thread" and s.oncall is None
    assert s.refusal("mention") is None and s.refusal("followup") is None and not s.ephemeral


def test_the_documented_example_loads():
    c = Channels.load(EXAMPLE)
    assert c.get("CUNLISTED") == c.default and c.default.oncall == "S0123ONCALL"
    assert c.get("C0123HSMSUP").oncall == "S0456HSMTEAM" and c.get("C0123HSMSUP").answer
    assert c.get("C0789GENERAL").refusal("mention") == CHANNEL_OFF
    plat = c.get("C0AB12PLATFORM")
    assert plat.ephemeral and plat.refusal("mention") is None and plat.refusal("followup") == FOLLOWUPS_OFF
    assert plat.oncall == "S0123ONCALL"  # not set there: from defaults


def test_a_listed_channel_takes_what_it_does_not_set_from_defaults(tmp_path):
    text = """
defaults:
  answer: false      # only the channels below
  oncall: U0DEFAULT
channels:
  C0ON:
    answer: true
    replies: ephemeral
  G0PRIV:
    answer: yes
    oncall: S0PRIV
  C0QUIET:            # listed with nothing: the defaults
"""
    c = Channels.load(write(tmp_path, text))
    assert c.get("C0OTHER").refusal("mention") == CHANNEL_OFF
    assert c.get("C0OTHER").refusal("followup") == CHANNEL_OFF  # off means follow-ups too
    assert c.get("C0ON") == ChannelSettings(answer=True, followups=True, replies="ephemeral", oncall="U0DEFAULT")
    assert c.get("G0PRIV") == ChannelSettings(answer=True, oncall="S0PRIV")
    assert c.get("C0QUIET") == c.default
    assert c.get("C0ON").oncall_or("U0GLOBAL") == "U0DEFAULT"
    assert Channels.load(write(tmp_path, "channels:\n  C1: {answer: true}\n")).get("C1").oncall_or("U0GLOBAL") == "U0GLOBAL"


def test_yaml_anchors_and_merge_keys_work(tmp_path):
    text = "defaults: &d\n  replies: ephemeral\n  oncall: S0A\nchannels:\n  C1:\n    <<: *d\n    oncall: S0B\n"
    assert Channels.load(write(tmp_path, text)).get("C1") == ChannelSettings(replies="ephemeral", oncall="S0B")


BAD = [
    ("channels:\n  C123:\n    replies: threaded\n", "channels.C123.replies: must be 'thread' or 'ephemeral', not 'threaded'"),
    ("channels:\n  C123:\n    anwser: false\n", "channels.C123.anwser: unknown setting; did you mean 'answer'?"),
    ("defaults:\n  follow_ups: false\n", "defaults.follow_ups: unknown setting; did you mean 'followups'?"),
    ("default:\n  answer: false\n", "default: unknown setting; did you mean 'defaults'?"),
    ("channels:\n  C123:\n    answer: maybe\n", "channels.C123.answer: must be true or false, not 'maybe'"),
    ("channels:\n  C123:\n    oncall: 12345\n", "channels.C123.oncall: must be text, not 12345"),
    ("channels:\n  C123:\n    oncall: '  '\n", "channels.C123.oncall: must not be empty"),
    ("channels:\n  general:\n    answer: false\n", "channels.general: not a Slack channel id"),
    ("channels:\n  '#hsm':\n    answer: false\n", "channels.#hsm: not a Slack channel id"),
    ("channels:\n  D0DM:\n    answer: false\n", "channels.D0DM: not a Slack channel id"),
    ("channels:\n  C1:\n    answer: true\n  C1:\n    answer: false\n", "line 4: 'C1' is given twice"),
    ("channels:\n  C1: answer: true\n", "line 2, column 13: not valid YAML: mapping values are not allowed here"),
    ("channels:\n  C1: {answer: true\n", "not valid YAML: expected ',' or '}'"),
    ("channels:\n\tC1: {}\n", "not valid YAML"),
    ("- C1\n- C2\n", "must be a mapping with `defaults:` and/or `channels:`, not a list"),
    ("just words\n", "must be a mapping"),
    ("channels:\n  - C1\n", "channels: must be a block of channel ids, each with its settings, not a list"),
    ("channels:\n  C1: [answer]\n", "channels.C1: must be a block of settings"),
    ("channels:\n  C1:\n    replies: ephemeral\n    answer: 3x\n    oncall: 5\n", "(and 1 more problem)"),
]


@pytest.mark.parametrize("text,words", BAD)
def test_a_bad_file_is_one_line_naming_the_place(tmp_path, text, words):
    with pytest.raises(ConfigError) as e:
        Channels.load(write(tmp_path, text))
    msg = str(e.value)
    assert msg.startswith("channels file channels.yml: ") and words in msg, msg
    assert "\n" not in msg and str(tmp_path) not in msg and "pydantic" not in msg


@pytest.mark.parametrize("text", ["", "# only comments\n\n", "---\n"])
def test_an_empty_file_is_an_error(tmp_path, text):
    with pytest.raises(ConfigError, match=r"^channels file channels.yml: is empty; .*unset CHSM_CHANNELS_FILE$"):
        Channels.load(write(tmp_path, text))


def test_a_missing_or_unreadable_file_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match=r"^channels file nope.yml: not found at .*nope.yml \(CHSM_CHANNELS_FILE\)$"):
        Channels.load(tmp_path / "nope.yml")
    with pytest.raises(ConfigError, match="is a folder"):
        Channels.load(tmp_path)
    (tmp_path / "bin.yml").write_bytes(b"\xff\xfe\x00channels")
    with pytest.raises(ConfigError, match="not UTF-8"):
        Channels.load(tmp_path / "bin.yml")


def test_serve_stops_with_one_line_before_anything_else(tmp_path):
    bad = write(tmp_path, "channels:\n  C123:\n    replies: threaded\n")
    env = {"CHSM_CHANNELS_FILE": str(bad), "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "x", "SLACK_API_URL": "http://127.0.0.1:9/api/"}
    p = call_chsm("serve", "--http", env=env, timeout=60)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines() == ["chsm: channels file channels.yml: channels.C123.replies: must be 'thread' or 'ephemeral', not 'threaded'"]
    p = call_chsm("serve", "--http", env={**env, "CHSM_CHANNELS_FILE": str(tmp_path / "gone.yml")}, timeout=60)
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and "channels file gone.yml: not found" in p.stderr


# -- through the listeners, against the fake Slack ---------------------------------------

CHANNELS = """
defaults:
  oncall: S0DEFAULT
channels:
  C0OFF:
    answer: false
  C0EPH:
    replies: ephemeral
  C0NOFU:
    followups: false
  C0TEAM:
    oncall: U0TEAMLEAD
"""


@pytest.fixture(autouse=True)
def _fast_engine(monkeypatch):
    """The fake encoder, and any index build in this process: an engine with
    no index fails at once instead of after a child build process."""
    use_fake_encoder(monkeypatch, in_process=True)


def services(tmp_path: Path, fake: FakeSlack, channels: str | None = CHANNELS, *, corpus: Path | None = None, index: Path | None = None, **over) -> Services:
    cfg = Settings(
        slack_bot_token=BOT_TOKEN, slack_api_url=fake.api_url, chsm_data_dir=tmp_path / "data",
        chsm_channels_file=write(tmp_path, channels) if channels is not None else None, **over,
    )
    svc = Services(cfg, corpus or tmp_path / "no-corpus", index or tmp_path / "no-index")
    svc.load_engine()  # with no index: fails at once, and answers are a plain notice (same posting path)
    return svc


def mention_event(channel: str, ts: str = "100.1", thread_ts: str | None = None, text: str = QUESTION) -> dict:
    e = {"type": "app_mention", "user": "U0ASKER", "text": f"<@UBOT> {text}", "ts": ts, "channel": channel}
    if thread_ts:
        e["thread_ts"] = thread_ts
    return e


def thread_reply(channel: str, thread_ts: str = "100.1", ts: str = "100.5") -> dict:
    return {"type": "message", "channel_type": "channel", "user": "U0OTHER", "text": "still failing after that", "ts": ts, "thread_ts": thread_ts, "channel": channel}


def posted(fake: FakeSlack, method: str, channel: str) -> list[dict]:
    return [c["body"] for c in fake.api(method, channel=channel)]


def count(svc: Services, metric: str, **labels) -> float:
    return svc.metrics.registry.get_sample_value(f"{metric}_total", labels) or 0


def test_without_a_file_mentions_are_threaded_as_today(tmp_path, fake):
    svc = services(tmp_path, fake, channels=None)
    client = web_client(BOT_TOKEN, fake.api_url)
    mention.on_mention(svc, mention_event("C0ANY"), {"event_id": "Ev1"}, client)
    [reply] = posted(fake, "chat.postMessage", "C0ANY")
    assert reply["thread_ts"] == "100.1" and fake.api("chat.postEphemeral") == []


def test_a_channel_turned_off_gets_no_answer_only_a_private_pointer(tmp_path, fake):
    svc = services(tmp_path, fake)
    client = web_client(BOT_TOKEN, fake.api_url)
    mention.on_mention(svc, mention_event("C0OFF"), {"event_id": "Ev1"}, client)
    mention.on_mention(svc, mention_event("C0OFF", ts="100.9", thread_ts="100.1"), {"event_id": "Ev2"}, client)
    assert posted(fake, "chat.postMessage", "C0OFF") == [] and fake.api("files.getUploadURLExternal") == []
    top, in_thread = posted(fake, "chat.postEphemeral", "C0OFF")
    assert top["user"] == in_thread["user"] == "U0ASKER" and top["text"] == mention.OFF_HERE and "/chsm" in top["text"]
    assert "thread_ts" not in top and in_thread["thread_ts"] == "100.1"
    assert count(svc, "chsm_ignored_events", reason=CHANNEL_OFF) == 2
    assert count(svc, "chsm_requests", surface="mention") == 0  # never answered
    assert svc.store.thread_context("C0OFF", "100.1") is None  # nothing answered, nothing to follow up
    followup.handle(svc, thread_reply("C0OFF"), {"event_id": "Ev3"}, client, "UBOT")
    assert posted(fake, "chat.postMessage", "C0OFF") == [] and len(fake.api("chat.postEphemeral")) == 2


def test_an_ephemeral_channel_answers_only_the_asker_in_the_thread(tmp_path, fake):
    svc = services(tmp_path, fake)
    client = web_client(BOT_TOKEN, fake.api_url)
    mention.on_mention(svc, mention_event("C0EPH", ts="200.5", thread_ts="200.1"), {"event_id": "Ev1"}, client)
    [reply] = posted(fake, "chat.postEphemeral", "C0EPH")
    assert reply["user"] == "U0ASKER" and reply["thread_ts"] == "200.1"
    assert reply["text"] and reply["blocks"]  # the answer itself (here: the index is not there)
    assert posted(fake, "chat.postMessage", "C0EPH") == [] and fake.api("reactions.add") == []
    # A top-level mention has no thread yet, and Slack shows an ephemeral reply
    # in a thread only once it exists: beside the question, to the asker alone.
    mention.on_mention(svc, mention_event("C0EPH", ts="300.1"), {"event_id": "Ev2"}, client)
    top = posted(fake, "chat.postEphemeral", "C0EPH")[1]
    assert top["user"] == "U0ASKER" and "thread_ts" not in top
    assert posted(fake, "chat.postMessage", "C0EPH") == []
    # Follow-ups in an ephemeral channel go to their own author only.
    followup.handle(svc, thread_reply("C0EPH", thread_ts="300.1", ts="300.4"), {"event_id": "Ev3"}, client, "UBOT")
    fu = posted(fake, "chat.postEphemeral", "C0EPH")[2]
    assert fu["user"] == "U0OTHER" and fu["thread_ts"] == "300.1"
    assert posted(fake, "chat.postMessage", "C0EPH") == []


def test_an_ephemeral_answer_never_uploads_the_long_report(tmp_path, fake):
    svc = services(tmp_path, fake)
    client = web_client(BOT_TOKEN, fake.api_url)
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": "The full report is attached as a file."}]}
    post = replies.poster(svc, client, svc.channels.get("C0EPH"), channel="C0EPH", thread_ts="1.1", user="U0ASKER", thread_exists=True)
    post("Triage of pasted text: …", [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}, note], "the full report")
    [reply] = posted(fake, "chat.postEphemeral", "C0EPH")
    shown = json.dumps(reply["blocks"])
    assert "attached as a file" not in shown and replies.TOO_LONG_HERE in shown
    assert fake.paths("/upload/") == [] and fake.api("files.getUploadURLExternal") == []


def test_follow_ups_off_means_no_reply_to_an_unmentioned_thread_message(tmp_path, fake):
    svc = services(tmp_path, fake)
    client = web_client(BOT_TOKEN, fake.api_url)
    for ch in ("C0NOFU", "C0ANY"):
        svc.store.remember_thread(ch, "100.1", QUESTION, masked=False)  # the bot answered both threads
        followup.handle(svc, thread_reply(ch), {"event_id": f"Ev-{ch}"}, client, "UBOT")
    assert posted(fake, "chat.postMessage", "C0NOFU") == [] and fake.api("chat.postEphemeral") == []
    assert count(svc, "chsm_ignored_events", reason=FOLLOWUPS_OFF) == 1
    [other] = posted(fake, "chat.postMessage", "C0ANY")  # follow-ups on elsewhere: answered as before
    assert other["thread_ts"] == "100.1"
    mention.on_mention(svc, mention_event("C0NOFU", ts="100.7", thread_ts="100.1"), {"event_id": "Ev3"}, client)
    [answered] = posted(fake, "chat.postMessage", "C0NOFU")  # a mention there is still answered
    assert answered["thread_ts"] == "100.1"


def stuck_body(fake: FakeSlack, channel: str, message: dict | None, container: dict | None = None) -> dict:
    body = {
        "type": "block_actions", "user": {"id": "U0ASKER"}, "channel": {"id": channel}, "response_url": f"{fake.url}/respond/r1",
        "container": container or {"type": "message", "channel_id": channel, "message_ts": "1.1"},
        "actions": [{"action_id": "chsm_stuck", "value": json.dumps({"q": QUESTION, "e": "x", "t": "C_Login entry"})}],
    }
    if message is not None:
        body["message"] = message
    return body


def test_still_stuck_pings_the_channels_own_oncall(tmp_path, fake):
    svc = services(tmp_path, fake, chsm_oncall="S0GLOBAL")
    client = web_client(BOT_TOKEN, fake.api_url)
    told: list[dict] = []
    actions.stuck(svc, stuck_body(fake, "C0TEAM", {"ts": "5.2", "thread_ts": "5.1"}), client, lambda **kw: told.append(kw))
    actions.stuck(svc, stuck_body(fake, "C0ELSE", {"ts": "6.1"}), client, lambda **kw: told.append(kw))
    [team] = posted(fake, "chat.postMessage", "C0TEAM")
    assert team["text"].startswith("<@U0TEAMLEAD>: <@U0ASKER> is still stuck") and team["thread_ts"] == "5.1"
    [other] = posted(fake, "chat.postMessage", "C0ELSE")
    assert other["text"].startswith("<!subteam^S0DEFAULT>") and other["thread_ts"] == "6.1"  # the file's defaults before CHSM_ONCALL
    assert [t["text"] for t in told] == ["I've pinged on-call in the thread."] * 2


def test_still_stuck_under_an_ephemeral_answer_goes_to_its_thread(tmp_path, fake):
    svc = services(tmp_path, fake, channels="channels:\n  C0EPH:\n    replies: ephemeral\n", chsm_oncall="S0GLOBAL")
    client = web_client(BOT_TOKEN, fake.api_url)
    box = {"type": "message", "channel_id": "C0EPH", "message_ts": "7.9", "is_ephemeral": True, "thread_ts": "7.1"}
    actions.stuck(svc, stuck_body(fake, "C0EPH", None, box), client, lambda **kw: None)
    [post] = posted(fake, "chat.postMessage", "C0EPH")
    assert post["text"].startswith("<!subteam^S0GLOBAL>") and post["thread_ts"] == "7.1"


def test_oncall_handles_that_are_not_ids_are_posted_as_written():
    assert actions._oncall_mention("S0ONCALL") == "<!subteam^S0ONCALL>" and actions._oncall_mention(" U0AB ") == "<@U0AB>"
    assert actions._oncall_mention("<!subteam^S1|hsm>") == "<!subteam^S1|hsm>"
    assert actions._oncall_mention("Security on-call") == "Security on-call"  # was "<!subteam^Security on-call>"
    assert actions._oncall_mention("Use #hsm-help") == "Use #hsm-help"


def test_an_ephemeral_channel_gets_the_real_answer(tmp_path, fake):
    corpus, index = tiny_index(tmp_path / "tiny")  # four runbooks, the fake encoder
    svc = services(tmp_path, fake, corpus=corpus, index=index)
    client = web_client(BOT_TOKEN, fake.api_url)
    mention.on_mention(svc, mention_event("C0EPH", ts="9.5", thread_ts="9.1", text="relay handshake refused by peer"), {"event_id": "Ev1"}, client)
    [reply] = posted(fake, "chat.postEphemeral", "C0EPH")
    assert reply["user"] == "U0ASKER" and reply["thread_ts"] == "9.1" and "relay handshake refused by peer" in reply["text"]
    assert any(b["type"] == "actions" for b in reply["blocks"])  # Helpful / Still stuck still there
    assert posted(fake, "chat.postMessage", "C0EPH") == []
    assert svc.store.thread_context("C0EPH", "9.1")  # remembered for follow-ups
