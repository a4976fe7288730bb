"""Reload without restart: `chsm index build` while the bot serves, or
SIGHUP, swaps in the new index with no failed request, workers included; a
broken new index leaves the old one serving.

One real bot process for the module, on the tiny corpus with the fake
encoder (fast to build and load): what is tested is the swap, not the model.
The tests run in file order on it, the one that breaks the index last; each
also passes alone."""

import json
import os
import shutil
import signal
import threading
import time

import pytest

from conftest import call_chsm
from fakes import SPEC, tiny_index
from slack_harness import BotProcess

pytestmark = [pytest.mark.slow, pytest.mark.shared_fake]  # a real bot process

NEW_RUNBOOK = (
    "# Tape runbook\n\n## Tape\n\n### Why does the tape library say \"drawer interlock open\"?\n\n"
    "The drawer was not latched. Close the drawer and reset the interlock:\n\n```bash\nsudo tapectl interlock reset\n```\n"
)
QUESTION = "tape library says drawer interlock open"
FAKE = {"CHSM_FAKE_ENCODER": SPEC.format("HashEncoder")}


@pytest.fixture(scope="module")
def bot(module_fake, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reload")
    corpus, index = tiny_index(tmp / "tiny")
    b = BotProcess(module_fake, index, tmp / "data", corpus, CHSM_USER_PER_MINUTE="0", CHSM_CHANNEL_PER_MINUTE="0", **FAKE)
    b.corpus, b.index = corpus, index
    yield b
    b.stop()


def _ask(bot, fake, channel: str, ts: str, text: str = QUESTION) -> dict:
    bot.event({"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": ts, "channel": channel}, f"Ev{channel}{ts}")
    [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel=channel, thread_ts=ts))
    return reply["body"]


def _reloads(bot) -> int:
    return sum(r.get("msg") == "index reloaded" for r in bot.records())


def _reloaded(bot, since: int, n: int = 1, timeout: float = 30) -> bool:
    """`n` more reloads than `since` (the bot is the module's: earlier tests reloaded it too)."""
    end = time.time() + timeout
    while time.time() < end:
        if _reloads(bot) >= since + n:
            return True
        time.sleep(0.1)
    return False


def _paste(bot, fake, channel: str) -> dict:
    """A pasted log in a DM: a job for a worker."""
    log = "\n".join(["2026-11-27T10:00:00Z lib01 tapectl[77]: drawer interlock open"] * 3 + ["2026-11-27T10:00:01Z lib01 kernel: ok"] * 2)
    bot.event({"type": "message", "channel_type": "im", "user": "U1", "text": log, "ts": "3.3", "channel": channel}, f"Ev{channel}")
    [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel=channel), timeout=60)
    return reply["body"]


def test_index_build_while_serving_is_picked_up(bot, fake):
    assert "tapectl" not in _ask(bot, fake, "CREL", "1.1")["text"]
    assert "tapectl interlock reset" not in json.dumps(_paste(bot, fake, "DREL0"))  # a worker on the old index
    (bot.corpus / "tape.md").write_text(NEW_RUNBOOK, encoding="utf-8")
    before = _reloads(bot)
    built = call_chsm("index", "build", "--corpus", str(bot.corpus), "--out", str(bot.index), env=FAKE)
    assert built.returncode == 0, built.stderr
    assert _reloaded(bot, before)
    assert "drawer interlock" in _ask(bot, fake, "CREL", "2.2")["text"].lower()
    # the workers reloaded too (old ones answer until the new ones are ready)
    assert fake.wait(lambda: any(r.get("msg") == "worker ready" and r.get("generation") == before + 1 for r in bot.records()), timeout=30)
    assert "tapectl interlock reset" in json.dumps(_paste(bot, fake, "DREL"))  # the new entry's fix, from a reloaded worker
    assert bot.http.get("/healthz").json()["status"] == "ok"


def test_sighup_under_load_fails_nothing(bot, fake):
    (bot.corpus / "tape.md").write_text(NEW_RUNBOOK, encoding="utf-8")
    before = _reloads(bot)
    assert call_chsm("index", "build", "--corpus", str(bot.corpus), "--out", str(bot.index), env=FAKE).returncode == 0
    assert _reloaded(bot, before)  # the watcher's reload; SIGHUPs below reload the same index again
    statuses, slow = [], []
    stop = threading.Event()

    def send():
        i = 0
        while not stop.is_set():
            i += 1
            t = time.perf_counter()
            r = bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> relay handshake refused by peer", "ts": f"9.{i:04d}", "channel": "CHUP"}, f"EvHup{i}")
            statuses.append(r.status_code)
            slow.append(time.perf_counter() - t)
            time.sleep(0.05)

    sender = threading.Thread(target=send)
    sender.start()
    for _ in range(3):
        time.sleep(1.0)
        os.kill(bot.proc.pid, signal.SIGHUP)
    assert _reloaded(bot, before, 2)
    time.sleep(0.5)
    stop.set()
    sender.join()
    n = len(statuses)
    assert n > 20 and set(statuses) == {200}
    assert fake.wait(lambda: len(fake.api("chat.postMessage", channel="CHUP")) == n, timeout=30)
    assert not any("failed" in r.get("msg", "") for r in bot.records())
    assert max(slow) < 1.0, f"slowest ack {max(slow):.2f}s"


def test_a_broken_new_index_keeps_the_old_one(bot, fake):
    """The index on disk is damaged and can't be rebuilt (its corpus is gone):
    the reload fails, is logged, and the loaded index goes on answering."""
    shutil.move(str(bot.corpus), str(bot.corpus) + ".away")
    manifest = json.loads((bot.index / "manifest.json").read_text())
    manifest["entries"] += 1  # a manifest that does not match its files
    (bot.index / "manifest.json").write_text(json.dumps(manifest))
    end = time.time() + 20  # the watcher sees the new manifest by itself
    while time.time() < end and not any(r.get("msg", "").startswith("index reload failed") for r in bot.records()):
        time.sleep(0.1)
    assert any(r.get("msg", "").startswith("index reload failed") for r in bot.records())
    reply = _ask(bot, fake, "CBRK", "5.5", "relay handshake refused by peer")
    assert "systemctl restart relay" in json.dumps(reply)
    time.sleep(5)  # the same broken manifest is not retried every poll
    assert sum(r.get("msg", "").startswith("index reload failed") for r in bot.records()) == 1
    assert bot.http.get("/healthz").json()["status"] == "ok"
