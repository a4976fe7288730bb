"""Button values, the store when the disk misbehaves, pruning, and what users
see when the bot itself is broken. Unit tests where the logic lives; the
real bot over HTTP where users would notice."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from bot.models import Answer, AskResult
from bot.render.slack_blocks import format_ask
from bot.slack import buttons
from bot.slack.feedback import FeedbackStore

from slack_harness import BotProcess, tiny_bot

LONG_QUERIES = {
    "emoji": "C_Login failed 🔥" + "😀" * 180,
    "cyrillic": "Ошибка C_Login: " + "ж" * 570,
    "quotes and newlines": 'a "quoted" \\ back\nslash ' * 200,
    "plain": "x" * 5000,
}


def _answer() -> Answer:
    return Answer(id="doc#e1", title="Entry 1", section="S", url="https://x/doc#e1", score=0.9, matched_by=["regex"], evidence=[], fix="Fix.", commands=[])


def _values(blocks) -> list[str]:
    return [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def _units(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


@pytest.mark.parametrize("kind", LONG_QUERIES)
def test_button_values_are_whole_json_within_slacks_limit(kind):
    query = LONG_QUERIES[kind]
    _, blocks = format_ask(AskResult(query=query, abstained=False, redacted=0, answers=[_answer()]), in_channel=True, share=True)
    for v in _values(blocks):
        assert _units(v) <= 2000
        data = json.loads(v)  # the old code cut the JSON text itself: invalid for these
        assert query.startswith(data["q"]) and data["e"] == "doc#e1"


@pytest.mark.parametrize("kind", LONG_QUERIES)
def test_long_queries_are_kept_server_side_behind_a_key(tmp_path, kind):
    store = FeedbackStore(tmp_path)
    query = LONG_QUERIES[kind]
    _, blocks = format_ask(AskResult(query=query, abstained=False, redacted=0, answers=[_answer()]), in_channel=True, share=True, stash=store.stash_query)
    values = _values(blocks)
    for v in values:
        assert _units(v) <= 2000
        got = buttons.decode(v, store.stashed_query)
        assert got.query == query and got.entry == "doc#e1"  # whole, never cut
    keys = {json.loads(v).get("k") for v in values}
    if _units(json.dumps({"q": query}, ensure_ascii=False)) > 1900:  # too long to carry: one key for all buttons
        assert len(keys) == 1 and None not in keys and store.counts()["queries"] == 1
    else:  # 180 emoji or 570 Cyrillic letters fit once they are not \u-escaped
        assert keys == {None} and store.counts()["queries"] == 0


def test_malformed_button_values_read_as_empty():
    for v in (None, 3, "", "{", "[1]", '{"q": ["x"], "e": 5}', '{"k": "nope"}'):
        d = buttons.decode(v, lambda k: None)
        assert d.query == "" and d.entry is None


def test_threads_and_stashed_queries_are_pruned(tmp_path):
    now = [1_000_000.0]
    store = FeedbackStore(tmp_path, thread_days=7, max_threads=3, clock=lambda: now[0])
    store.remember_thread("C1", "1.0", "old question")
    key = store.stash_query("old long query")
    now[0] += 8 * 86400
    for i in range(5):
        store.remember_thread("C2", f"{i}.0", f"question {i}")
        now[0] += 1
    store.prune()
    assert store.thread_context("C1", "1.0") is None and store.stashed_query(key) is None
    assert store.counts()["threads"] == 3  # capped, the newest kept
    assert store.thread_context("C2", "4.0") == "question 4" and store.thread_context("C2", "1.0") is None


def test_a_full_database_degrades_and_recovers(tmp_path):
    store = FeedbackStore(tmp_path, max_mb=0)  # 64 pages: fills fast, like a full disk (SQLITE_FULL)
    ok = [store.vote("U1", "e", "helpful", "q" * 1500, "button") for _ in range(400)]
    assert ok[0] and not all(ok)
    assert store.status()["status"] == "degraded" and "full" in store.status()["reason"]
    store.remember_thread("C1", "9.0", "first")  # falls back to memory
    store.remember_thread("C1", "9.0", "second")
    assert store.thread_context("C1", "9.0") == "first\nsecond"


def test_an_unusable_data_folder_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = FeedbackStore(blocker / "data")
    assert store.status()["status"] == "degraded" and str(tmp_path) not in store.status()["reason"]
    assert store.vote("U1", "e", "helpful", "q", "button")  # in memory, until restart
    store.remember_thread("C", "1.0", "hello")
    assert store.thread_context("C", "1.0") == "hello"


# -- the real bot, with storage that fails ------------------------------------------

def _mount(target: Path, opts: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(target)], capture_output=True).returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.mark.slow  # a real bot process (tiny corpus, fake encoder)
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a small tmpfs")
def test_a_full_disk_still_thanks_votes_and_answers_followups(fake, tmp_path):
    data = tmp_path / "full"
    if not _mount(data, "size=256k"):
        pytest.skip("cannot mount tmpfs here")
    bot = None
    try:
        bot = tiny_bot(fake, tmp_path, data)
        ch, ev = "CFULL", "EvFull1"
        bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> our openssl engine setup is broken", "ts": "10.1", "channel": ch}, ev)
        assert bot.settled(ev)
        _fill(data)
        rid = "rfull"
        for _ in range(60):  # until a write hits the full disk
            bot.action(buttons.HELPFUL, json.dumps({"q": "C_Login failed " + "x" * 1500, "e": "e1"}), f"{fake.url}/respond/{rid}")
        resps = fake.wait(lambda: len(fake.paths(f"/respond/{rid}")) >= 60 and fake.paths(f"/respond/{rid}"))
        assert all("Thanks" in r["body"]["text"] for r in resps)
        assert any("couldn't save" in r["body"]["text"] for r in resps)
        assert bot.http.get("/healthz").json()["store"]["status"] == "degraded"
        assert bot.http.get("/healthz").status_code == 200  # answers still work
        bot.event({"type": "message", "channel_type": "channel", "user": "U1", "text": "now it says environment variable azcloudhsm_openssl_conf is not set", "ts": "10.2", "thread_ts": "10.1", "channel": ch}, "EvFull2")
        bot.event({"type": "message", "channel_type": "channel", "user": "U1", "text": "still failing, any idea?", "ts": "10.3", "thread_ts": "10.1", "channel": ch}, "EvFull3")
        done = bot.settled("EvFull2", "EvFull3")
        assert {r["msg"] for r in done.values()} == {"replied"}  # follow-ups keep working
    finally:
        if bot:
            bot.stop()
        _umount(data)


def _fill(folder: Path) -> None:
    try:
        with open(folder / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
    except OSError:
        pass


@pytest.mark.slow  # a real bot process (tiny corpus, fake encoder)
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a read-only tmpfs")
def test_a_read_only_empty_data_folder_still_starts_and_answers(fake, tmp_path):
    data = tmp_path / "ro"
    if not _mount(data, "ro,size=64k"):
        pytest.skip("cannot mount tmpfs here")
    bot = None
    try:
        bot = tiny_bot(fake, tmp_path, data)  # the old code exited: "internal error"
        health = bot.http.get("/healthz").json()
        assert health["store"]["status"] == "degraded" and str(data) not in json.dumps(health)
        bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> relay handshake refused by peer", "ts": "11.1", "channel": "CRO"}, "EvRo1")
        [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel="CRO"))
        assert "relay handshake refused by peer" in reply["body"]["text"]  # the answer's title
        rid = "rro"
        bot.action(buttons.NOT_HELPFUL, json.dumps({"q": "C_Login failed", "e": "e1"}), f"{fake.url}/respond/{rid}")
        [resp] = fake.wait(lambda: fake.paths(f"/respond/{rid}"))
        assert "Thanks" in resp["body"]["text"]
    finally:
        if bot:
            bot.stop()
        _umount(data)


@pytest.mark.slow  # a real bot process
def test_a_broken_index_never_shows_users_a_path(fake, tmp_path):
    """The corpus folder is gone and the index can't be built: every reply says
    so plainly, without the server's paths or the exception's text."""
    missing = tmp_path / "srv" / "missing-corpus"
    index = tmp_path / "srv" / "index"
    bot = BotProcess(fake, index, tmp_path / "data", missing, ready="loaded")
    try:
        bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Login failed with error code: 0xa3", "ts": "12.1", "channel": "CIDX"}, "EvIdx1")
        rid = "ridx"
        bot.command("how do I back up my hsm", f"{fake.url}/respond/{rid}")
        [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel="CIDX"))
        [resp] = fake.wait(lambda: fake.paths(f"/respond/{rid}"))
        for shown in (json.dumps(reply["body"]), json.dumps(resp["body"])):
            assert str(tmp_path) not in shown and "srv" not in shown and "Error" not in shown
            assert "docs index" in shown
        health = bot.http.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "error"
    finally:
        bot.stop()
