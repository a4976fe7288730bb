"""The bot's state, the same tests against both implementations: LocalState
(this process + SQLite, the embedded default) and RedisState (a real
redis-server, shared by replicas). Then what only Redis promises (replicas
share dedupe and limits) and what it must survive (Redis going away)."""

import time

import pytest

from bot.config import Settings
from bot.redact import MASK
from bot.slack.redis_state import RedisState
from bot.slack.state import LocalState, open_state

SECRET = "hunter2-S3cret!"


@pytest.fixture(params=["local", "redis"])
def replica(request, tmp_path):
    """A factory of replicas over one store: each call is another process's view."""
    if request.param == "local":
        return lambda **kw: LocalState(tmp_path / "data", **kw)
    server = request.getfixturevalue("redis_server")
    server.flush()
    return lambda **kw: RedisState(server.url, **kw)


def test_an_event_is_handled_once(replica):
    s = replica()
    assert s.first_time("Ev1") and not s.first_time("Ev1") and s.first_time("Ev2")


def test_limits_count_per_key_and_window(replica):
    now = [1000.0]
    s = replica(clock=lambda: now[0])
    assert [s.hit("user:U1", 60) for _ in range(3)] == [1, 2, 3]
    assert s.hit("user:U2", 60) == 1
    now[0] += 60
    assert s.hit("user:U1", 60) == 1  # a new window


def test_thread_context_is_masked_appended_and_shared(replica):
    a, b = replica(), replica()
    assert a.thread_context("C1", "1.1") is None
    a.remember_thread("C1", "1.1", f"C_Login failed, password {SECRET}")
    b.remember_thread("C1", "1.1", "still failing after the reset")
    ctx = a.thread_context("C1", "1.1")
    assert SECRET not in ctx and MASK in ctx and ctx.endswith("still failing after the reset")
    assert len(a.thread_context("C1", "1.1") or "") <= 6000


def test_stashed_queries_round_trip_across_replicas(replica):
    key = replica().stash_query("how do I back up my hsm " * 3)
    assert key and replica().stashed_query(key).startswith("how do I back up")
    assert replica().stashed_query("no-such-key") is None


def test_votes_and_unanswered_feed_the_summary_and_report(replica):
    s = replica()
    t0 = time.time() - 1
    assert s.vote("U1", "e1", "helpful", "q1", "button")
    assert s.vote("U2", "e1", "not_helpful", f"C_Login failed pin crypto_user:{SECRET}", "button")
    assert s.vote("U3", "e2", "stuck", "openssl engine not found", "button")
    s.record_unanswered("how do I bake bread", "mention")
    rows = {r["entry"]: r for r in replica().summary()}
    assert (rows["e1"]["helpful"], rows["e1"]["not_helpful"], rows["e1"]["votes"]) == (1, 1, 2)
    assert rows["e2"]["stuck"] == 1
    items = replica().report_items(since=t0)
    assert sorted(i["kind"] for i in items) == ["not_helpful", "stuck", "unanswered"]
    assert all(SECRET not in i["query"] for i in items)
    assert replica().report_items(since=time.time() + 60) == []


def test_status_names_the_backend(replica):
    st = replica().status()
    assert st["status"] == "ok" and st["backend"] in ("local", "redis")


def test_settings_pick_the_backend(tmp_path, redis_server):
    assert open_state(Settings(chsm_data_dir=tmp_path)).backend == "local"
    assert open_state(Settings(chsm_data_dir=tmp_path, chsm_redis_url=redis_server.url)).backend == "redis"


def test_replicas_on_redis_share_dedupe_and_limits(redis_server):
    redis_server.flush()
    a, b = RedisState(redis_server.url), RedisState(redis_server.url)
    firsts = [a.first_time(f"Ev{i}") for i in range(50)] + [b.first_time(f"Ev{i}") for i in range(50)]
    assert firsts.count(True) == 50
    assert [a.hit("user:U1", 60), b.hit("user:U1", 60), a.hit("user:U1", 60)] == [1, 2, 3]


def test_a_bad_redis_url_is_one_line():
    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="CHSM_REDIS_URL"):
        RedisState("http://not-redis:80")


def test_redis_down_keeps_answering_and_says_degraded():
    """Nothing listens on the port: every call falls back to memory at once,
    is counted, and nothing raises."""
    from redis_server import free_port

    errors = []
    s = RedisState(f"redis://127.0.0.1:{free_port()}/0", on_error=errors.append)
    started = time.perf_counter()
    assert s.first_time("Ev1") and not s.first_time("Ev1")  # this process still never answers twice
    assert s.hit("user:U1", 60) == 1
    s.remember_thread("C1", "1.1", "context kept in memory")
    assert s.thread_context("C1", "1.1") == "context kept in memory"
    key = s.stash_query("a long question")
    assert key and s.stashed_query(key) == "a long question"
    assert s.vote("U1", "e1", "helpful", "q", "button") is False  # not saved: the user is told so
    assert time.perf_counter() - started < 2.0
    assert errors and s.status()["status"] == "degraded"


def test_redis_outage_and_recovery(tmp_path, monkeypatch):
    from redis_server import RedisServer, need_redis

    from bot.slack import redis_state

    need_redis()
    monkeypatch.setattr(redis_state, "RETRY_SECONDS", 0.3)  # 2 s in the product
    server = RedisServer().start()
    try:
        s = RedisState(server.url)
        assert s.first_time("Ev1")
        server.stop()
        assert s.first_time("Ev2")  # answered, from memory
        assert s.status()["status"] == "degraded"
        server.start()
        time.sleep(0.4)  # RETRY_SECONDS
        assert s.first_time("Ev3") and not RedisState(server.url).first_time("Ev3")  # back on Redis
    finally:
        server.stop()


def test_two_copies_racing_on_one_replica_are_answered_once(redis_server):
    """Slack's retry and the original reach the same process at the same
    moment: exactly one of them is answered (never none)."""
    import threading

    redis_server.flush()
    s = RedisState(redis_server.url)
    for i in range(200):
        results = []
        go = threading.Barrier(2)

        def copy(event_id=f"EvRace{i}", go=go, results=results):
            go.wait()
            results.append(s.first_time(event_id))

        threads = [threading.Thread(target=copy) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [False, True], i
