"""Socket Mode wiring: same app, same listeners, Web API through SLACK_API_URL;
and connections that survive the network (tests/fake_socket.py: a fake Socket
Mode server behind a proxy that can drop a connection silently)."""

import logging
import os
import threading
import time
from pathlib import Path

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.config import Settings
from bot.errors import ConfigError
from bot.slack.app import build_app, web_client
from bot.slack.services import Services
from bot.slack.socket import socket_handler

from conftest import CORPUS
from fake_slack import BOT_TOKEN, FakeSlack
from fake_socket import SocketRig

APP_TOKEN = "xapp-1-A1-test"
# A keepalive that notices a silent drop in about 1.5 s, for tests about what
# happens after one: the default's timing is tested once, on its own.
QUICK = {"ping_interval": 0.5, "ping_timeout": 1.0, "close_timeout": 0.3}


@pytest.fixture
def fake():
    f = FakeSlack()
    yield f
    f.close()


@pytest.fixture
def rig():
    r = SocketRig()
    yield r
    r.close()


@pytest.fixture
def handlers():
    """Handlers made by a test; closed at its end whatever happens."""
    made = []
    yield made
    for h in made:
        h.close()


def _services(fake, index_dir, tmp_path, **over) -> Services:
    cfg = Settings(
        slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN, slack_api_url=fake.api_url, chsm_data_dir=tmp_path, **over
    )
    return Services(cfg, CORPUS, index_dir)


def _app(rig) -> App:
    """A Bolt app with one trivial listener: a mention gets a reply in its thread."""
    app = App(client=web_client(BOT_TOKEN, rig.slack.api_url), signing_secret="unused", request_verification_enabled=False)

    @app.event("app_mention")
    def mention(event, client):
        client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text="pong")

    return app


def _connect(rig, handlers, connections: int, **options):
    h = socket_handler(_app(rig), APP_TOKEN, connections=connections, **options)
    handlers.append(h)
    h.connect()
    assert h.wait_connected(timeout=10), h.status()
    assert len(rig.server.wait_alive(connections, timeout=10)) == connections
    return h


def _mention(channel: str) -> dict:
    return {"type": "app_mention", "user": "U1", "text": "<@UBOT> ping", "ts": f"{time.time():.6f}", "channel": channel}


def _answered(rig, conn, channel: str) -> dict:
    """An event on `conn` is acked on that connection and answered by the app."""
    env = rig.server.send_event(_mention(channel), conn)
    ack = rig.server.wait_ack(env, timeout=10)
    assert ack and ack["_conn"] == conn.number
    [reply] = rig.slack.wait(lambda: rig.slack.api("chat.postMessage", channel=channel), timeout=10)
    return reply


def _last(rig) -> int:
    return max(c.number for c in rig.server.conns)


class CpuMeter:
    """CPU seconds of the threads started after it was made (Linux: per-thread
    figures from /proc, so that other tests' leftovers don't count); the whole
    process elsewhere."""

    def __init__(self):
        self.tasks = Path("/proc/self/task")
        self.before = self._tids()

    def _tids(self) -> set[str]:
        return set(os.listdir(self.tasks)) if self.tasks.exists() else set()

    def seconds(self) -> float:
        if not self.tasks.exists():
            return time.process_time()
        total = 0.0
        for tid in self._tids() - self.before:
            try:
                fields = (self.tasks / tid / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # the thread ended meanwhile
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def mark(self) -> None:
        """From now on, `share()` measures."""
        self._c0, self._t0 = self.seconds(), time.monotonic()

    def share(self) -> float:
        """Cores used since `mark()` (0.05: 5% of one core)."""
        return (self.seconds() - self._c0) / (time.monotonic() - self._t0)


# -- the existing wiring, on the real app -------------------------------------
def test_socket_mode_handler_uses_our_client_and_dispatches(fake, index_dir, tmp_path):
    svc = _services(fake, index_dir, tmp_path)
    app = build_app(svc, http=False)
    svc.load_engine()
    handler = socket_handler(app, APP_TOKEN)
    assert handler.app is app
    assert handler.client.issue_new_wss_url() == "ws://127.0.0.1:9/socket"
    [opened] = fake.api("apps.connections.open")
    assert opened["auth"] == f"Bearer {APP_TOKEN}"

    payload = {
        "type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvSock1",
        "event": {"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Login failed with error code: 0xa3", "ts": "5.5", "channel": "CSOCK"},
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
    }
    resp = run_bolt_app(app, SocketModeRequest(type="events_api", envelope_id="env-1", payload=payload))
    assert resp.status == 200
    [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel="CSOCK"))
    assert reply["body"]["thread_ts"] == "5.5" and "0xa3" in reply["body"]["text"]
    time.sleep(0.2)


def test_the_real_app_answers_over_a_socket_after_a_silent_drop(rig, handlers, index_dir, tmp_path):
    svc = _services(rig.slack, index_dir, tmp_path)
    app = build_app(svc, http=False)
    svc.load_engine()
    handler = socket_handler(app, APP_TOKEN, connections=1, **QUICK)
    handlers.append(handler)
    handler.connect()
    assert rig.server.wait_alive(1)
    last = _last(rig)
    rig.proxy.blackhole()
    new = rig.server.wait_new(last, timeout=10)
    assert new is not None, handler.status()
    env = rig.server.send_event({"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Login failed with error code: 0xa3",
                                 "ts": "7.7", "channel": "CSOCKE2E"}, new)
    assert rig.server.wait_ack(env, timeout=10)
    [reply] = rig.slack.wait(lambda: rig.slack.api("chat.postMessage", channel="CSOCKE2E"), timeout=30)
    assert reply["body"]["thread_ts"] == "7.7" and "0xa3" in reply["body"]["text"]
    time.sleep(0.2)


@pytest.mark.parametrize("token,msg", [("", "SLACK_APP_TOKEN is not set"), ("xoxb-wrong-kind", "does not look like an app-level token")])
def test_socket_mode_needs_an_app_token(fake, index_dir, tmp_path, token, msg):
    svc = _services(fake, index_dir, tmp_path)
    svc.settings.slack_app_token = token
    with pytest.raises(ConfigError, match=msg):
        build_app(svc, http=False)


# -- surviving the network (no model: a trivial app) --------------------------
@pytest.mark.slow  # waits on the real default keepalive
def test_silent_drops_are_noticed_and_reopened_within_10s_without_a_busy_loop(rig, handlers, caplog):
    caplog.set_level(logging.INFO)
    cpu = CpuMeter()
    h = _connect(rig, handlers, 2)
    conns = rig.server.alive()
    _answered(rig, conns[0], "CBEFORE")
    last = _last(rig)

    assert rig.proxy.blackhole() == 2
    cpu.mark()
    t0 = time.monotonic()
    assert rig.server.wait_for(lambda: sum(1 for c in rig.server.conns if c.number > last and c.alive) >= 2, 10), h.status()
    took, used = time.monotonic() - t0, cpu.share()
    assert took < 10 and used < 0.05, (took, f"{used:.1%} of a core from the drop to the reconnect")
    assert all(c.alive for c in conns)  # the server never heard of them: the drops were silent

    new = rig.server.wait_new(last, timeout=1)
    assert _answered(rig, new, "CAFTER")["body"]["text"] == "pong"
    st = h.status()
    assert st["connected"] == 2 and st["reconnects"] == 2
    # every attempt got its own URL from apps.connections.open, with the app token
    opened = rig.slack.api("apps.connections.open")
    assert len(opened) == 4 and all(o["auth"] == f"Bearer {APP_TOKEN}" for o in opened)
    # a warning for each that says why, a line when it is back; no error, no traceback
    lost = [r for r in caplog.records if r.getMessage() == "socket mode connection lost"]
    assert len(lost) == 2 and all(r.levelno == logging.WARNING and "keepalive" in r.fields["reason"] for r in lost)
    assert [r for r in caplog.records if r.getMessage() == "socket mode reconnected"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.slow  # waits on real keepalive timings
def test_no_busy_loop_while_a_connection_is_silent(rig, handlers):
    # Long keepalive here, so that the silence lasts the whole measurement.
    cpu = CpuMeter()
    _connect(rig, handlers, 2, ping_interval=6, ping_timeout=5, close_timeout=0.3)
    time.sleep(0.5)
    rig.proxy.blackhole()
    cpu.mark()
    time.sleep(2.5)
    used = cpu.share()
    assert used < 0.05, f"{used:.1%} of a core while the connections were silent"


@pytest.mark.slow  # waits on real keepalive timings
def test_a_tcp_close_without_a_websocket_close_is_noticed_at_once_without_spinning(rig, handlers):
    """slack_sdk's built-in client spins a core on this for about a minute."""
    cpu = CpuMeter()
    _connect(rig, handlers, 1, close_timeout=0.3)
    last = _last(rig)
    rig.proxy.cut()
    cpu.mark()
    t0 = time.monotonic()
    new = rig.server.wait_new(last, timeout=5)
    assert new is not None
    time.sleep(max(0.0, 2 - (time.monotonic() - t0)))
    used = cpu.share()
    assert used < 0.05, f"{used:.1%} of a core"
    _answered(rig, new, "CCUT")


def test_n_connections_each_take_events(rig, handlers):
    h = _connect(rig, handlers, 3)
    conns = rig.server.alive()
    assert len(conns) == 3
    assert len({c.path for c in conns}) == 3  # one apps.connections.open ticket each
    assert len(rig.slack.api("apps.connections.open")) == 3
    for i, conn in enumerate(conns):
        _answered(rig, conn, f"CN{i}")
    st = h.status()
    assert st["connections"] == 3 and st["connected"] == 3 and st["envelopes"] == 3
    assert sorted(p["envelopes"] for p in st["per_connection"]) == [1, 1, 1]


@pytest.mark.slow  # waits on real keepalive timings
def test_one_silent_connection_of_two_leaves_the_other_serving(rig, handlers):
    h = _connect(rig, handlers, 2, **QUICK)
    first, second = rig.server.alive()
    last = _last(rig)
    rig.proxy.silence(first)
    _answered(rig, second, "CSTILL")
    new = rig.server.wait_new(last, timeout=10)
    assert new is not None
    _answered(rig, new, "CNEW")
    assert h.status()["connected"] == 2 and h.status()["reconnects"] == 1


def test_slacks_refresh_opens_the_new_connection_before_closing_the_old(rig, handlers):
    h = _connect(rig, handlers, 1)
    [old] = rig.server.alive()
    last = _last(rig)
    old.send_json({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake"}})
    new = rig.server.wait_new(last, timeout=5)
    assert new is not None
    assert rig.server.wait_for(lambda: not old.alive, 5)
    assert new.opened_at <= old.closed_at
    _answered(rig, new, "CREFRESH")
    st = h.status()
    assert st["refreshes"] == 1 and st["reconnects"] == 0


@pytest.mark.slow  # waits on real keepalive timings
def test_close_ends_every_thread_promptly_even_with_a_silent_connection(rig, handlers):
    before = set(threading.enumerate())
    h = _connect(rig, handlers, 2)
    rig.proxy.silence(rig.server.alive()[0])  # its closing handshake will get no answer
    t0 = time.monotonic()
    h.close()
    assert time.monotonic() - t0 < 3
    assert rig.server.wait_for(lambda: rig.server.count_alive() <= 1, 5)  # the healthy one was closed cleanly

    def ours():
        return [t for t in set(threading.enumerate()) - before
                if t.is_alive() and not t.name.startswith(("fake-socket", "proxy-", "Thread-"))]

    end = time.monotonic() + 2
    while ours() and time.monotonic() < end:
        time.sleep(0.05)
    assert not ours(), [t.name for t in ours()]
    assert h.status()["connected"] == 0


def test_connections_are_bounded_by_slacks_limit(rig):
    app = _app(rig)
    for n in (0, 11):
        with pytest.raises(ValueError, match="1..10"):
            socket_handler(app, APP_TOKEN, connections=n)
