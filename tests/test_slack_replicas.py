"""Several `chsm serve --http` processes behind one Slack app, on one Redis:
an event delivered to every replica (a load balancer plus Slack's retries)
is answered once; limits are shared; Redis going away never silences them.

The bots run on the tiny corpus with the deterministic fake encoder, so a
replica starts in a couple of seconds; the real model is not what is tested."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fakes import SPEC, tiny_index
from redis_server import RedisServer, need_redis
from slack_harness import BotProcess, stop_all

pytestmark = pytest.mark.slow  # real processes

QUESTION = "<@UBOT> relay handshake refused by peer"
FAKE_ENV = {"CHSM_FAKE_ENCODER": SPEC.format("HashEncoder")}
PAIR_ENV = {"CHSM_USER_PER_MINUTE": "2", "CHSM_CHANNEL_PER_MINUTE": "0"}


@pytest.fixture
def tiny(tmp_path):
    return tiny_index(tmp_path / "tiny")


def _bots(fake, tiny, tmp_path, n: int, **env):
    """n replicas, started side by side (each waits for its own /healthz)."""
    corpus, index = tiny
    env = {**FAKE_ENV, **env}
    with ThreadPoolExecutor(n) as pool:
        started = [pool.submit(BotProcess, fake, index, tmp_path / f"data{i}", corpus, **env) for i in range(n)]
    bots = [f.result() for f in started if not f.exception()]
    if len(bots) < n:
        stop_all(bots)
        raise next(f.exception() for f in started if f.exception())
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


def _settled(log: Path) -> int:
    """Events of the 500 a replica has settled: its one final log line each."""
    done = set()
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{") and '"EvSock' in line:
            r = json.loads(line)
            if r.get("msg") in ("replied", "ignored", "duplicate event ignored"):
                done.add(r.get("event_id"))
    return len(done)


def _replies_by_thread(fake, channel: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in fake.api("chat.postMessage", channel=channel):
        counts[call["body"]["thread_ts"]] = counts.get(call["body"]["thread_ts"], 0) + 1
    return counts


@pytest.fixture(scope="module")
def pair(module_fake, tmp_path_factory, redis_server):
    """Two replicas on one Redis, for the tests marked shared_fake: a user may
    ask 2 questions a minute, a channel any number."""
    tmp = tmp_path_factory.mktemp("pair")
    tiny = tiny_index(tmp / "tiny")
    bots = _bots(module_fake, tiny, tmp, 2, **PAIR_ENV, CHSM_REDIS_URL=redis_server.url)
    yield {"bots": bots, "tiny": tiny, "tmp": tmp}
    stop_all(bots)


@pytest.mark.shared_fake
def test_two_replicas_on_redis_answer_each_event_once(fake, pair, redis_server):
    redis_server.flush()
    bots = pair["bots"]
    n = 60
    _deliver_to_all(bots, [(_mention(i, user=f"URep{i}"), f"EvRep{i}") for i in range(n)])
    fake.wait(lambda: len(_replies_by_thread(fake, "CREP")) >= n, timeout=60)
    for b in bots:  # let any second reply land before counting
        b.settled(*[f"EvRep{i}" for i in range(n)])
    counts = _replies_by_thread(fake, "CREP")
    assert len(counts) == n and set(counts.values()) == {1}
    # and a retry after one replica restarted is still a duplicate
    bots[0].stop()
    bots[0] = _bots(fake, pair["tiny"], pair["tmp"] / "again", 1, **PAIR_ENV, CHSM_REDIS_URL=redis_server.url)[0]
    bots[0].event(_mention(0, user="URep0"), "EvRep0", {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "timeout"})
    assert bots[0].settled("EvRep0")["EvRep0"]["msg"] == "duplicate event ignored"
    assert _replies_by_thread(fake, "CREP")["100.0000"] == 1


def test_without_redis_each_replica_answers_alone(fake, tiny, tmp_path):
    """The embedded default keeps state per process: the reason CHSM_REDIS_URL exists."""
    bots = _bots(fake, tiny, tmp_path, 2)
    try:
        _deliver_to_all(bots, [(_mention(1, "CLOC"), "EvLoc1")])
        assert fake.wait(lambda: len(fake.api("chat.postMessage", channel="CLOC")) == 2)
    finally:
        stop_all(bots)


@pytest.mark.shared_fake
def test_rate_limits_are_shared_and_polite(fake, pair, redis_server):
    redis_server.flush()
    bots = pair["bots"]
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
        stop_all(bots)
        server.stop()


def test_two_socket_mode_replicas_on_redis_answer_each_event_once(tiny, tmp_path, redis_server):
    """Socket Mode: 500 events, each pushed on a connection of both replicas
    (Slack spreads an app's events over every open connection, and re-sends
    one it thinks was lost): 500 replies, one per event."""
    import os
    import subprocess
    import sys

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
        # each replica has settled every event (replied or ignored it): any second reply has landed
        assert rig.slack.wait(lambda: all(_settled(tmp_path / f"sock{i}.log") >= n for i in range(2)), timeout=30)
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
