"""The HTTP edge against hostile or careless clients: size limits before the
body is read, idle and slow connections, malformed payloads signed and not,
and fuzzed payloads for every handler. Never a 5xx, never a listener
traceback, and Slack's next event is still acked in time."""

import json
import socket
import threading
import time
import uuid
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import uid
from slack_harness import sign, tiny_bot

pytestmark = [pytest.mark.slow, pytest.mark.shared_fake]  # one real bot process for the module
MB = 1024 * 1024


@pytest.fixture(scope="module")
def bot(module_fake, tmp_path_factory):
    """The tiny corpus and the fake encoder: these tests are about the HTTP edge, not answers."""
    b = tiny_bot(module_fake, tmp_path_factory.mktemp("edge"), CHSM_HTTP_REQUEST_SECONDS="1", CHSM_HTTP_IDLE_SECONDS="5")
    yield b
    b.stop()


def mention(ch: str, text: str = "C_Login failed with error code: 0xa3") -> dict:
    return {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": f"{time.time():.6f}", "channel": ch}


def timed_event(bot, ch: str) -> tuple[int, float]:
    """A signed event on a new connection, as Slack sends them: (status, seconds to the ack)."""
    payload = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": uid("Ev"), "event": mention(ch)}
    body = json.dumps(payload).encode()
    t0 = time.perf_counter()
    r = httpx.post(bot.url + "/slack/events", content=body, headers={"Content-Type": "application/json", **sign(body)}, timeout=30)
    return r.status_code, time.perf_counter() - t0


def raw_request(bot, head: bytes, body: bytes = b"", timeout: float = 5) -> bytes:
    with socket.create_connection(("127.0.0.1", bot.port), timeout=timeout) as s:
        s.sendall(head + body)
        out = b""
        try:
            while b"\r\n\r\n" not in out:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except OSError:
            pass
        return out


def signed_post(bot, body: bytes, ctype: str = "application/json", signed: bool = True):
    headers = {"Content-Type": ctype, **(sign(body) if signed else {})}
    return bot.http.post("/slack/events", content=body, headers=headers)


# -- size ----------------------------------------------------------------------------

def test_an_oversized_body_is_refused_before_it_is_read(bot):
    t0 = time.perf_counter()
    out = raw_request(bot, b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 209715200\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 413") and time.perf_counter() - t0 < 2  # answered with no body sent at all


def test_a_chunked_body_is_cut_at_the_limit(bot):
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40)) + b"0\r\n\r\n"  # 2.5 MB
    out = raw_request(bot, b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", body)
    assert out.startswith(b"HTTP/1.1 413")


def test_four_unsigned_200mb_bodies_leave_memory_low_and_slack_acked(bot):
    before = bot.rss_mb()
    peak = [before]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], bot.rss_mb())
            time.sleep(0.05)

    def flood():
        try:
            with socket.create_connection(("127.0.0.1", bot.port), timeout=10) as s:
                s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 209715200\r\n\r\n")
                block = b"{" * MB
                for _ in range(200):
                    s.sendall(block)
                s.settimeout(60)
                s.recv(100)  # and wait for the answer, as a client does
        except OSError:  # refused with 413 and closed: the point
            pass

    sampler = threading.Thread(target=sample)
    sampler.start()
    floods = [threading.Thread(target=flood) for _ in range(4)]
    for t in floods:
        t.start()
    for t in floods:
        t.join(60)
    status, took = timed_event(bot, uid("C"))
    stop.set()
    sampler.join()
    assert status == 200 and took < 3
    assert peak[0] < 600, f"peak RSS {peak[0]:.0f} MB"


# -- connections -----------------------------------------------------------------------

def test_idle_connections_do_not_lock_slack_out(bot):
    socks = []
    try:
        for _ in range(520):
            socks.append(socket.create_connection(("127.0.0.1", bot.port), timeout=5))
        status, took = timed_event(bot, uid("C"))
        assert status == 200 and took < 3
    finally:
        for s in socks:
            s.close()


def test_a_request_that_trickles_in_is_cut(bot):
    with socket.create_connection(("127.0.0.1", bot.port), timeout=15) as s:
        t0 = time.perf_counter()
        closed_after = None
        for byte in b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789":
            try:
                s.sendall(bytes([byte]))
                s.settimeout(0.5)
                if s.recv(1) == b"":
                    closed_after = time.perf_counter() - t0
                    break
            except TimeoutError:
                continue
            except OSError:
                closed_after = time.perf_counter() - t0
                break
        assert closed_after is not None and closed_after < 1 + 2.5  # CHSM_HTTP_REQUEST_SECONDS=1, checked every second


def test_many_slow_senders_do_not_block_slack(bot):
    socks = []
    try:
        for _ in range(600):  # past the connection limit (500)
            s = socket.create_connection(("127.0.0.1", bot.port), timeout=5)
            s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")  # and never the rest
            socks.append(s)
        status, took = timed_event(bot, uid("C"))
        assert status == 200 and took < 3
    finally:
        for s in socks:
            s.close()


# -- malformed payloads ----------------------------------------------------------------

def envelope(event, **extra) -> bytes:
    return json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": uid("Ev"), "event": event, **extra}).encode()


@pytest.mark.parametrize(
    "body,ctype,signed,expect",
    [
        (b"\xff\xfe{not utf-8", "application/json", True, 400),
        (b"\xff\xfe{not utf-8", "application/json", False, 401),
        (b'{"type": "event_callback", "event": ', "application/json", True, 400),
        (b'{"type": "event_callback", "event": ', "application/json", False, 401),
        (b"[1, 2, 3]", "application/json", True, 400),
        (b"payload=%7Bnot+json", "application/x-www-form-urlencoded", True, 400),
        (b'payload=[1]', "application/x-www-form-urlencoded", True, 400),
        (b'{"type": "event_callback", "event": "x"}', "application/json", True, 400),
        (b'{"type": "event_callback", "event": {"type": "app_mention"}, "authorizations": "x"}', "application/json", True, 400),
        (b'{"type": "event_callback", "team": 5, "event": {"type": "app_mention"}}', "application/json", True, 400),
        (b"", "application/json", True, 400),
        (b"", "application/json", False, 401),
        (b"\x00" * 1000, "application/octet-stream", True, 400),
    ],
)
def test_malformed_bodies(bot, body, ctype, signed, expect):
    assert signed_post(bot, body, ctype, signed).status_code == expect


def test_a_timestamp_that_is_not_a_number_is_401(bot):
    body = envelope(mention(uid("C")))
    r = bot.http.post("/slack/events", content=body, headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"})
    assert r.status_code == 401


def test_unknown_event_types_get_200_not_404(bot):
    for t in ("reaction_added", "team_join", "no_such_event"):
        assert signed_post(bot, envelope({"type": t, "user": "U1"})).status_code == 200
    form = urlencode({"command": "/other", "text": "x", "response_url": "http://127.0.0.1:9/x", "team_id": "T1", "user_id": "U1", "channel_id": "C1"}).encode()
    assert signed_post(bot, form, "application/x-www-form-urlencoded").status_code == 200


def test_events_missing_fields_are_ignored_with_a_log_line(bot, fake):
    ch = uid("C")
    cases = [
        {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi"},  # no channel, no ts
        {"type": "app_mention", "user": "U1", "text": ["<@UBOT>", "hi"], "channel": ch, "ts": 5},  # text a list, ts a number
        {"type": "message", "channel_type": "im", "user": "U1", "text": "hello"},
        {"type": "message", "channel_type": "im", "user": "U1", "text": {"x": 1}, "channel": uid("D"), "ts": "1.2", "files": "nope"},
        {"type": "message", "channel_type": "channel", "user": "U1", "text": "x", "channel": ch, "thread_ts": ["1"], "ts": "2.1"},
    ]
    ids = []
    for ev in cases:
        body = json.loads(envelope(ev))
        ids.append(body["event_id"])
        assert signed_post(bot, json.dumps(body).encode()).status_code == 200
    done = bot.settled(*ids)
    assert len(done) == len(ids)
    assert not [r for r in bot.records() if r.get("level") == "error"]


# -- fuzzing ----------------------------------------------------------------------------

json_leaf = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
json_any = st.recursive(json_leaf, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=12), c, max_size=4), max_leaves=12)
maybe_str = st.text(max_size=30) | json_any


def _events():
    fields = {
        "user": maybe_str, "text": st.text(max_size=300) | json_any, "ts": st.sampled_from(["1.1", "2.000002"]) | json_any,
        "channel": st.sampled_from(["CFUZZ", "DFUZZ"]) | json_any, "thread_ts": st.sampled_from(["1.1", "0.5"]) | json_any,
        "channel_type": st.sampled_from(["im", "channel", "group"]) | json_any, "subtype": st.sampled_from(["file_share", "bot_message"]) | json_any,
        "bot_id": maybe_str, "files": st.lists(st.dictionaries(st.sampled_from(["name", "size", "mimetype", "url_private_download", "id"]), json_any, max_size=5), max_size=3) | json_any,
    }
    event = st.fixed_dictionaries({"type": st.sampled_from(["app_mention", "message", "reaction_added"]) | json_any}, optional=fields)
    env = {"team_id": maybe_str, "authorizations": json_any, "enterprise": json_any, "user": json_any, "is_ext_shared_channel": json_any}
    return st.fixed_dictionaries({"type": st.just("event_callback"), "event": event | json_any}, optional=env)


def _actions():
    action = st.fixed_dictionaries({"action_id": st.sampled_from(["chsm_share", "chsm_helpful", "chsm_not_helpful", "chsm_stuck"]) | json_any}, optional={"value": st.text(max_size=100) | json_any})
    fields = {
        "user": json_any, "channel": json_any, "message": json_any, "container": json_any,
        "response_url": st.just("http://127.0.0.1:9/none") | json_any, "actions": st.lists(action, max_size=2) | json_any, "team": json_any,
    }
    return st.fixed_dictionaries({"type": st.just("block_actions")}, optional=fields)


def _commands():
    return st.dictionaries(
        st.sampled_from(["command", "text", "response_url", "user_id", "channel_id", "team_id", "trigger_id"]),
        st.text(max_size=200), max_size=7,
    ).map(lambda d: {"command": "/chsm", **d} if "command" not in d else d)


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
seen_status: set[int] = set()


@FUZZ
@given(payload=_events())
def test_fuzzed_events_never_5xx(bot, payload):
    payload["event_id"] = "EvFuzz" + uuid.uuid4().hex[:12]
    r = signed_post(bot, json.dumps(payload).encode())
    seen_status.add(r.status_code)
    assert r.status_code in (200, 400)


@FUZZ
@given(payload=_actions())
def test_fuzzed_buttons_never_5xx(bot, payload):
    r = signed_post(bot, urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded")
    assert r.status_code in (200, 400)


@FUZZ
@given(form=_commands())
def test_fuzzed_slash_commands_never_5xx(bot, form):
    r = signed_post(bot, urlencode(form).encode(), "application/x-www-form-urlencoded")
    assert r.status_code in (200, 400)


@FUZZ
@given(body=st.binary(max_size=2000), ctype=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]), signed=st.booleans())
def test_fuzzed_bytes_never_5xx(bot, body, ctype, signed):
    r = signed_post(bot, body, ctype, signed)
    assert r.status_code in ((200, 400) if signed else (401,))


def test_after_fuzzing_no_listener_failed_and_slack_is_still_served(bot, fake):
    """Runs after the fuzz tests above (same module, same bot)."""
    ch = uid("C")
    status, took = timed_event(bot, ch)
    assert status == 200 and took < 3
    fake.wait(lambda: fake.api("chat.postMessage", channel=ch))
    quiet_since, n = time.time(), len(fake.calls)
    while time.time() - quiet_since < 1.0:  # let the fuzzed listeners finish
        time.sleep(0.1)
        if len(fake.calls) != n:
            quiet_since, n = time.time(), len(fake.calls)
    errors = [r for r in bot.records() if r.get("level") in ("error", "critical")]
    assert errors == [], errors[:3]
    assert "Traceback" not in bot.logs()
