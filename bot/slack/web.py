"""HTTP mode: the edge Slack talks to, hardened against hostile or careless clients.

`POST /slack/events` (events, /chsm, buttons):
- a body over the limit: 413 from waitress before a byte of it is read
  (Content-Length), or as soon as a chunked body passes the limit;
- the signature is checked on the raw bytes before anything is parsed: bad
  or missing, or a timestamp 5 minutes off: 401, and nothing else happens;
- signed but malformed (not UTF-8, not JSON or a form, wrong shapes where
  Bolt looks): 400;
- an event or command nobody listens to: 200 (a 404 makes Slack retry);
- never a 5xx for anything a client sends; while shutting down, 503.

`GET /healthz`: 200 with a small JSON body when answers work (even when the
workers are saturated; the body says how busy), 503 before the index loads.
`GET /metrics`: Prometheus.

The server is waitress (Bolt's built-in one has a listen backlog of 5) with
three guards of our own (`GuardedServer`): idle connections are closed
after `idle_seconds`; a request must arrive whole within `request_seconds`
(slow senders are cut); and at the connection limit the least recently
active idle connections are closed to make room, so a flood of idle sockets
never locks Slack out.
"""

import hashlib
import hmac
import json
import logging
import time
from http import HTTPStatus
from collections.abc import Callable
from urllib.parse import parse_qsl

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt import App
from slack_bolt.request import BoltRequest
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.utilities import BadRequest, ServerNotImplemented

from bot.slack.services import Services

log = logging.getLogger("chsm.slack")

EVENTS_PATH = "/slack/events"
FORM = "application/x-www-form-urlencoded"


class Malformed(ValueError):
    pass


class Signature:
    """Slack's v0 signature over the raw bytes (slack_sdk's verifier decodes
    the body as UTF-8 first, so a signed body that is not UTF-8 read as
    unsigned): HMAC-SHA256 of b"v0:<ts>:" + body, ts within 5 minutes."""

    MAX_SKEW = 5 * 60

    def __init__(self, secret: str, clock=time.time):
        self.secret, self.clock = secret.encode(), clock

    def valid(self, body: bytes, ts: str | None, sig: str | None) -> bool:
        if not ts or not sig or not ts.isdigit() or len(ts) > 12:
            return False
        if abs(self.clock() - int(ts)) > self.MAX_SKEW:
            return False
        expected = "v0=" + hmac.new(self.secret, b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), sig.encode("utf-8", "replace"))


# -- what Bolt reads: types it relies on ------------------------------------------
_STR_OR_DICT = ("enterprise", "team", "user", "channel")
_DICT = ("event", "message", "previous_message", "view", "item", "assistant_thread", "function_data", "container", "state")
_STR = ("type", "event_id", "team_id", "api_app_id", "enterprise_id", "user_id", "channel_id", "command", "text", "response_url", "trigger_id", "token", "challenge")


def check_shape(payload) -> None:
    """Raise Malformed unless the parsed body has the shapes Bolt and our
    listeners rely on. Fields inside `event` are the listeners' business."""
    if not isinstance(payload, dict):
        raise Malformed("the body is not an object")
    for k in _STR_OR_DICT:
        v = payload.get(k)
        if v is not None and not isinstance(v, (str, dict)):
            raise Malformed(f"{k} has the wrong type")
        if isinstance(v, dict) and "id" in v and not isinstance(v["id"], (str, type(None))):
            raise Malformed(f"{k}.id has the wrong type")
    for k in _DICT:
        if k in payload and not isinstance(payload[k], dict):
            raise Malformed(f"{k} has the wrong type")
    for k in _STR:
        if payload.get(k) is not None and not isinstance(payload[k], str):
            raise Malformed(f"{k} has the wrong type")
    auths = payload.get("authorizations")
    if auths is not None and not (isinstance(auths, list) and all(isinstance(a, dict) for a in auths)):
        raise Malformed("authorizations has the wrong type")
    for a in auths or []:
        for k in ("team_id", "user_id", "enterprise_id", "team", "enterprise"):
            if a.get(k) is not None and not isinstance(a[k], str):
                raise Malformed("authorizations has the wrong type")
    urls = payload.get("response_urls")
    if urls is not None and not (isinstance(urls, list) and all(isinstance(u, dict) for u in urls)):
        raise Malformed("response_urls has the wrong type")
    actions = payload.get("actions")
    if actions is not None and not (isinstance(actions, list) and all(isinstance(a, dict) for a in actions)):
        raise Malformed("actions has the wrong type")
    if payload.get("type") == "block_actions":
        if not actions or any(not isinstance(a.get("action_id"), str) for a in actions):
            raise Malformed("block_actions without actions")
    event = payload.get("event")
    if isinstance(event, dict):
        for k in ("type", "subtype", "user", "bot_id", "team", "user_team", "channel", "channel_type"):
            if event.get(k) is not None and not isinstance(event[k], str):
                raise Malformed(f"event.{k} has the wrong type")
    if payload.get("type") == "event_callback" and not isinstance(event, dict):
        raise Malformed("an event_callback without an event")


def parse(raw: str, ctype: str) -> dict:
    """The body as Bolt will read it, or Malformed."""
    if not raw.strip():
        raise Malformed("an empty body")
    try:
        if ctype == "application/json" or raw.startswith("{"):
            payload = json.loads(raw)
        else:  # Slack's forms: key=value pairs, nothing else
            form = dict(parse_qsl(raw, keep_blank_values=True, strict_parsing=True))
            payload = json.loads(form["payload"]) if "payload" in form else form
    except (ValueError, RecursionError):
        raise Malformed("not JSON or a form") from None
    check_shape(payload)
    return payload


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Unknown"


def _respond(start_response, status: str, body: bytes, ctype: str = "application/json", extra=()) -> list[bytes]:
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body))), *extra])
    return [body]


def wsgi_app(app: App, svc: Services, *, max_body: int | None = None) -> Callable:
    signature = Signature(svc.settings.slack_signing_secret)
    limit = max_body or svc.settings.chsm_max_body_bytes

    def events(environ, start_response):
        if svc.draining:
            return _respond(start_response, "503 Service Unavailable", b'{"error":"shutting down"}', extra=[("Retry-After", "5")])
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _respond(start_response, "400 Bad Request", b'{"error":"bad content-length"}')
        if length > limit:  # waitress refuses these before reading; this is the second line
            return _respond(start_response, "413 Payload Too Large", b'{"error":"body too large"}')
        body = environ["wsgi.input"].read(length) if length else b""
        if not signature.valid(body, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"), environ.get("HTTP_X_SLACK_SIGNATURE")):
            svc.metrics.rejected.labels("signature").inc()
            return _respond(start_response, "401 Unauthorized", b'{"error":"invalid signature"}')
        ctype = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        try:
            raw = body.decode("utf-8")
            parse(raw, ctype)
        except (UnicodeDecodeError, Malformed) as exc:
            svc.metrics.rejected.labels("malformed").inc()
            log.warning("malformed request", extra={"fields": {"reason": exc.args[0] if isinstance(exc, Malformed) else "not UTF-8"}})
            return _respond(start_response, "400 Bad Request", b'{"error":"malformed body"}')
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE") or ""
        try:
            resp = app.dispatch(BoltRequest(body=raw, query=environ.get("QUERY_STRING") or "", headers=headers))
        except Exception as exc:  # a bug on our side; Slack must not see a 5xx or retry into it
            svc.metrics.errors.labels("internal").inc()
            log.error("request failed", exc_info=True, extra={"fields": {"error": type(exc).__name__}})
            return _respond(start_response, "200 OK", b"", "text/plain")
        status = resp.status
        if status == 404:  # nothing listens to this event type: fine, and no retry
            status, out = 200, b""
        elif status >= 500:
            svc.metrics.errors.labels("internal").inc()
            log.error("request failed", extra={"fields": {"status": status}})
            status, out = 200, b""
        else:
            out = resp.body.encode("utf-8") if isinstance(resp.body, str) else bytes(resp.body or b"")
        hdrs = [(k, v) for k, values in resp.headers.items() for v in values if k.lower() not in ("content-length", "content-type")]
        ctype_out = (resp.headers.get("content-type") or ["text/plain;charset=utf-8"])[0]
        return _respond(start_response, _status(status), out, ctype_out, hdrs)

    def application(environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == EVENTS_PATH:
            if method != "POST":
                return _respond(start_response, "405 Method Not Allowed", b'{"error":"POST only"}', extra=[("Allow", "POST")])
            started = time.perf_counter()
            try:
                return events(environ, start_response)
            finally:
                svc.metrics.ack.observe(time.perf_counter() - started)
        if path == "/healthz" and method == "GET":
            health = svc.health()
            status = "200 OK" if health["status"] in ("ok", "degraded") else "503 Service Unavailable"
            return _respond(start_response, status, json.dumps(health).encode())
        if path == "/metrics" and method == "GET":
            return _respond(start_response, "200 OK", svc.metrics.render(), CONTENT_TYPE_LATEST)
        return _respond(start_response, "404 Not Found", b'{"error":"not found"}')

    return application


# -- waitress, guarded --------------------------------------------------------------
class _Parser(HTTPRequestParser):
    def received(self, data):
        n = super().received(data)
        if isinstance(self.error, ServerNotImplemented):  # e.g. an odd Transfer-Encoding: the client's fault
            self.error = BadRequest(self.error.body)
        return n


class _Channel(HTTPChannel):
    parser_class = _Parser


class GuardedServer(TcpWSGIServer):
    channel_class = _Channel

    def __init__(self, application, *, request_seconds: float = 10.0, on_evict: Callable[[int], None] | None = None, **kw):
        self.request_seconds = request_seconds
        self.on_evict = on_evict
        super().__init__(application, **kw)

    def maintenance(self, now):
        super().maintenance(now)  # idle for channel_timeout: closed
        for ch in list(self.active_channels.values()):
            req = ch.request
            if ch.requests or req is None:
                continue
            first_seen = getattr(req, "chsm_first_seen", None)
            if first_seen is None:
                req.chsm_first_seen = now
            elif now - first_seen > self.request_seconds:
                ch.will_close = True  # a request that trickles in: cut

    def readable(self):
        if self.accepting and len(self._map) >= self.adj.connection_limit:
            self._evict()
        return super().readable()

    def _evict(self) -> None:
        """Close the least recently active connections that have no request
        being served, so a new one (Slack's) can be accepted now."""
        idle = [ch for ch in self.active_channels.values() if not ch.requests and not ch.will_close]
        if not idle:
            return  # everything is busy: waitress stops accepting until some finish
        idle.sort(key=lambda ch: ch.last_activity)
        victims = idle[: max(1, self.adj.connection_limit // 20)]
        for ch in victims:
            ch.will_close = True  # closed in this same loop pass (writable -> handle_write)
        if self.on_evict:
            self.on_evict(len(victims))


def make_server(app: App, svc: Services, host: str, port: int) -> GuardedServer:
    cfg = svc.settings
    return GuardedServer(
        wsgi_app(app, svc),
        request_seconds=cfg.chsm_http_request_seconds,
        on_evict=lambda n: svc.metrics.evicted.inc(n),
        host=host,
        port=port,
        threads=16,
        backlog=1024,
        ident="chsm-bot",
        connection_limit=cfg.chsm_http_connections,
        channel_timeout=max(1, int(cfg.chsm_http_idle_seconds)),
        cleanup_interval=1,
        max_request_body_size=cfg.chsm_max_body_bytes + 1,  # waitress refuses a body >= this
        max_request_header_size=64 * 1024,
        expose_tracebacks=False,
    )
