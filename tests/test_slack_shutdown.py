"""SIGTERM: stop taking events, finish what is in flight (at most
CHSM_DRAIN_SECONDS), tell users about anything that could not finish, exit 0."""

import json
import signal
import time

import httpx
import pytest

from slack_harness import TINY_FIX, TINY_LOG as LOG, file_share, tiny_bot

pytestmark = pytest.mark.slow  # real bot processes (on the tiny corpus, with the fake encoder)

def dm_with_file(bot, fake, dm: str, name: str, data: bytes, **kw) -> None:
    bot.event({"type": "message", "subtype": "file_share", "channel_type": "im", "user": "U1", "text": "", "ts": "100.1", "channel": dm,
               "files": [file_share(fake, name, data, **kw)]}, "Ev" + dm)


def exit_after_sigterm(bot) -> tuple[int | None, float]:
    t0 = time.monotonic()
    bot.proc.send_signal(signal.SIGTERM)
    try:
        code = bot.proc.wait(60)
    except Exception:
        code = None
    return code, time.monotonic() - t0


def test_sigterm_mid_triage_finishes_the_reply_then_exits_0(fake, tmp_path):
    bot = tiny_bot(fake, tmp_path)
    try:
        # A download that takes about 3 s, so the job is surely in flight when the signal comes.
        dm_with_file(bot, fake, "DTERM1", "app.log", LOG + b"#" * 20, trickle=0.035)
        assert fake.wait(lambda: fake.api("chat.postMessage", channel="DTERM1"))  # "Triaging 1 file(s)…"
        keep_alive = bot.http.get("/healthz")  # a connection that stays open across the signal
        assert keep_alive.status_code == 200
        t0 = time.monotonic()
        bot.proc.send_signal(signal.SIGTERM)
        # New connections are refused at once; a request on an open one gets 503.
        refused = fake.wait(lambda: _refused(bot), timeout=3)
        assert refused, "still accepting connections after SIGTERM"
        try:
            assert bot.http.get("/healthz").status_code == 503
        except httpx.TransportError:
            pass
        code = bot.proc.wait(40)
        took = time.monotonic() - t0
        [update] = fake.api("chat.update", channel="DTERM1")
        assert TINY_FIX in json.dumps(update["body"])  # the reply arrived
        assert fake.api("reactions.remove", channel="DTERM1")
        assert code == 0 and took < 35, (code, took)
        stopped = bot.wait_log("stopped")
        assert stopped and stopped[0]["unfinished"] == 0
    finally:
        bot.stop()


def _refused(bot) -> bool:
    try:
        httpx.get(bot.url + "/healthz", timeout=1)
        return False
    except httpx.ConnectError:
        return True
    except httpx.TransportError:
        return False


def test_sigterm_tells_users_about_work_it_cannot_finish(fake, tmp_path):
    bot = tiny_bot(fake, tmp_path, CHSM_DRAIN_SECONDS="5", CHSM_DOWNLOAD_SECONDS="300")
    try:
        dm_with_file(bot, fake, "DTERM2", "endless.log", LOG * 50, trickle=2.0)  # would take minutes
        assert fake.wait(lambda: fake.api("chat.postMessage", channel="DTERM2"))
        assert fake.wait(lambda: fake.paths("/files/endless.log"))
        code, took = exit_after_sigterm(bot)
        assert code == 0 and took < 5 + 2, (code, took)
        [update] = fake.api("chat.update", channel="DTERM2")
        assert "restarted before I could finish" in update["body"]["text"]
        assert "Triaging" not in json.dumps(update["body"])
        assert fake.api("reactions.remove", channel="DTERM2")
    finally:
        bot.stop()
