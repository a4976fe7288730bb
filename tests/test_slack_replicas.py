"""Several `chsm serve --http` processes behind one Slack app, on one Redis:
an event delivered to every replica (a load balancer plus Slack's retries)
is answered once; limits are shared; Redis going away never silences them.

The bots run on the tiny corpus with the deterministic fake encoder, so a
replica starts in a couple of seconds; the real model is not what is tested."""

import json
import threading
import time

import pytest

from fakes import SPEC, tiny_index
from redis_server import RedisServer, need_redis
from slack_harness import BotProcess

pytestmark = pytest.mark.slow  # real processes

QUESTION = "<@UBOT> relay handshake refused by peer"
FAKE_ENV = {"CHSM_FAKE_ENCODER": SPEC.format("HashEncoder")}


@pytest.fixture
def tiny(tmp_path):
    return tiny_index(tmp_path / "tiny")


def _bots(fake, tiny, tmp_path, n: int, **env):
    corpus, index = tiny
    env = {**FAKE_ENV, **env}
    bots = []
    try:
        for i in range(n):
            bots.append(BotProcess(fake, index, tmp_path / f"data{i}", corpus, **env))
    except BaseException:
        for b in bots:
            b.stop()
        raise
    return bots


def _mention(i: int, channel: str = "CREP", user: str = "U1") -> dict:
    return {"type": "app_mention", "user": user, "text": QUESTION, "ts": f"100.{i:04d}", "channel": channel}


def _deliver_to_all(bots, events: list[tuple[dict, str]]) -> None:
    """Each event to every replica at the same moment, retries marked as Slack marks them."""
    def send(bot, retry: int):
        for event, event_id in events:
            headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} if retry else None
            assert bot.event(event, event_id, headers).status_code == 200

    threads = [threading.Thread(target=send, args=(b, i)) for i, b in enumerate(bots)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _replies_by_thread(fake, channel: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in fake.api("chat.postMessage", channel=channel):
        counts[call["body"]["thread_ts"]] = counts.get(call["body"]["thread_ts"], 0) + 1
    return counts


def test_two_replicas_on_redis_answer_each_event_once(fake, tiny, tmp_path, redis_server):
    redis_server.flush()
    bots = _bots(fake, tiny, tmp_path, 2, CHSM_REDIS_URL=redis_server.url, CHSM_USER_PER_MINUTE="0", CHSM_CHANNEL_PER_MINUTE="0")
    try:
        n = 60
        _deliver_to_all(bots, [(_mention(i), f"EvRep{i}") for i in range(n)])
        fake.wait(lambda: len(_replies_by_thread(fake, "CREP")) >= n, timeout=60)
        for b in bots:  # let any second reply land before counting
            b.settled(*[f"EvRep{i}" for i in range(n)])
        counts = _replies_by_thread(fake, "CREP")
        assert len(counts) == n and set(counts.values()) == {1}
        # and a retry after one replica restarted is still a duplicate
        bots[0].stop()
        bots[0] = _bots(fake, tiny, tmp_path / "again", 1, CHSM_REDIS_URL=redis_server.url)[0]
        bots[0].event(_mention(0), "EvRep0", {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "timeout"})
        assert bots[0].settled("EvRep0")["EvRep0"]["msg"] == "duplicate event ignored"
        assert _replies_by_thread(fake, "CREP")["100.0000"] == 1
    finally:
        for b in bots:
            b.stop()


def test_without_redis_each_replica_answers_alone(fake, tiny, tmp_path):
    """The embedded default keeps state per process: the reason CHSM_REDIS_URL exists."""
    bots = _bots(fake, tiny, tmp_path, 2)
    try:
        _deliver_to_all(bots, [(_mention(1, "CLOC"), "EvLoc1")])
        assert fake.wait(lambda: len(fake.api("chat.postMessage", channel="CLOC")) == 2)
    finally:
        for b in bots:
            b.stop()


def test_rate_limits_are_shared_and_polite(fake, tiny, tmp_path, redis_server):
    redis_server.flush()
    bots = _bots(fake, tiny, tmp_path, 2, CHSM_REDIS_URL=redis_server.url, CHSM_USER_PER_MINUTE="2")
    try:
        # Limits count per clock minute: a run that straddles two is run again
        # (with its own users and channel), rather than waiting for a fresh minute.
        for attempt in range(2):
            minute = int(time.time() // 60)
            channel, fast, slow = f"CLIM{attempt}", f"UFAST{attempt}", f"USLOW{attempt}"
            ids = [f"EvLim{attempt}-{i}" for i in range(5)]
            for i, event_id in enumerate(ids):  # alternating replicas: the limit is the team's, not the process's
                bots[i % 2].event(_mention(i, channel, fast), event_id)
            for i, b in enumerate(bots):
                b.settled(*ids[i::2])
            replies = len(fake.api("chat.postMessage", channel=channel))
            notes = fake.wait(lambda ch=channel: fake.api("chat.postEphemeral", channel=ch))
            # /chsm past the limit: the ack itself says so, only to the caller
            resp = bots[0].command("how do I rotate the partition owner certificate", f"{fake.url}/respond/rl{attempt}", user=fast)
            other = bots[1].command("how do I rotate the partition owner certificate", f"{fake.url}/respond/ok{attempt}", user=slow)
            if int(time.time() // 60) == minute:
                break
        assert replies == 2
        [note] = notes  # once, not three times
        assert note["body"]["user"] == fast and "a minute" in note["body"]["text"]
        assert not note["body"].get("thread_ts")  # a top-level mention: Slack shows the note in the channel
        assert resp.status_code == 200 and resp.json()["response_type"] == "ephemeral" and "more than 2 questions" in resp.json()["text"]
        assert other.status_code == 200
        assert fake.wait(lambda: fake.paths(f"/respond/ok{attempt}"))  # someone else is unaffected
    finally:
        for b in bots:
            b.stop()


def test_redis_going_away_never_silences_the_bot(fake, tiny, tmp_path):
    need_redis()
    server = RedisServer().start()
    bots = _bots(fake, tiny, tmp_path, 1, CHSM_REDIS_URL=server.url)
    try:
        bot = bots[0]
        bot.event(_mention(1, "CDOWN"), "EvDown1")
        assert fake.wait(lambda: fake.api("chat.postMessage", channel="CDOWN"))
        server.stop()
        for i in range(2, 6):
            bot.event(_mention(i, "CDOWN"), f"EvDown{i}")
        assert fake.wait(lambda: len(fake.api("chat.postMessage", channel="CDOWN")) == 5)
        health = bot.http.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "degraded"
        assert "redis" in json.dumps(health.json()["store"]).lower()
        assert 'kind="redis"' in bot.http.get("/metrics").text
        assert "chsm_store_degraded 1.0" in bot.http.get("/metrics").text
    finally:
        for b in bots:
            b.stop()
        server.stop()


def test_two_socket_mode_replicas_on_redis_answer_each_event_once(tiny, tmp_path, redis_server):
    """Socket Mode: 500 events, each pushed on a connection of both replicas
    (Slack spreads an app's events over every open connection, and re-sends
    one it thinks was lost): 500 replies, one per event."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from fake_socket import SocketRig

    redis_server.flush()
    corpus, index = tiny
    rig = SocketRig()
    procs = []
    try:
        replicas = []
        for i in range(2):
            env = {
                **os.environ, **FAKE_ENV, "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_APP_TOKEN": "xapp-1-A1-test",
                "SLACK_API_URL": rig.slack.api_url, "CHSM_INDEX_DIR": str(index), "CHSM_CORPUS_DIR": str(corpus),
                "CHSM_DATA_DIR": str(tmp_path / f"sock{i}"), "CHSM_REDIS_URL": redis_server.url,
                "CHSM_USER_PER_MINUTE": "0", "CHSM_CHANNEL_PER_MINUTE": "0", "CHSM_SOCKET_CONNECTIONS": "2",
            }
            log = open(tmp_path / f"sock{i}.log", "wb")
            procs.append(subprocess.Popen([str(Path(sys.executable).with_name("chsm")), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT))
            before = {c.number for c in rig.server.alive()}
            conns = rig.server.wait_alive(2 * (i + 1), timeout=60)
            assert len(conns) >= 2 * (i + 1), (tmp_path / f"sock{i}.log").read_text()[-2000:]
            replicas.append([c for c in conns if c.number not in before])
        # the index loads after the connections open: wait until a question is answered
        rig.server.send_event(_mention(9999, "CWARM"), replicas[0][0], event_id="EvWarm")
        assert rig.slack.wait(lambda: rig.slack.api("chat.postMessage", channel="CWARM"), timeout=60)
        n = 500
        for i in range(n):
            for r, conns in enumerate(replicas):
                rig.server.send_event(_mention(i, "CSOCK"), conns[(i + r) % 2], event_id=f"EvSock{i}")
        assert rig.slack.wait(lambda: len(_replies_by_thread(rig.slack, "CSOCK")) >= n, timeout=120)
        time.sleep(2)  # any second reply would land by now
        counts = _replies_by_thread(rig.slack, "CSOCK")
        assert len(counts) == n and set(counts.values()) == {1}
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                assert p.wait(40) == 0
            except subprocess.TimeoutExpired:
                p.kill()
        rig.close()
