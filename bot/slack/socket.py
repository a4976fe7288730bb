"""Socket Mode that survives the network: several connections, each watched by
WebSocket keepalive, each reopened on its own.

slack_sdk's built-in client notices a connection that went silent (a NAT
timeout, a network blip: packets stop, nothing is closed) only after 4 ping
intervals, 40-60 s, and its reader spins a CPU core when the TCP connection
ends without a WebSocket close frame. Its websocket-client adapter never
notices a silent drop (no pong timeout); the aiohttp and websockets ones need
an asyncio app. bench/socket_mode.py has the figures.

Here the WebSocket protocol is the `websockets` library's threading client:
it pings every PING_INTERVAL seconds and fails the connection when no pong
comes back within PING_TIMEOUT (a silent drop is seen in at most about
PING_INTERVAL + PING_TIMEOUT + CLOSE_TIMEOUT), its reads block in the kernel
(no busy loop), and a TCP close under the WebSocket is seen at once. What is
ours is the Slack layer on top, the same for every connection:

- apps.connections.open through the app's WebClient (so SLACK_API_URL and its
  retry handlers apply), a fresh URL for every attempt;
- `hello`; `disconnect` (Slack's routine refresh): the new connection is
  opened before the old one is closed;
- envelopes: run through the Bolt app (run_bolt_app) in a thread pool and
  acked on the connection, exactly as slack_bolt's own adapters do;
- a lost connection is reopened at once, then with a growing pause (at most
  MAX_BACKOFF seconds) while the attempts fail.

Slack spreads an app's events over its open connections (up to 10), so with
`connections=2` one connection being reopened loses nothing that the other
can take; an envelope that was never acked is sent again by Slack.
"""

import json
import logging
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.errors import SlackClientNotConnectedError
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

log = logging.getLogger("chsm.slack")


class _NoDuplicateClose(logging.Filter):
    """websockets logs an error with a traceback when its keepalive gives up on
    a connection; we log that connection's end ourselves, once, as a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionClosed))


ws_log = logging.getLogger("chsm.slack.websockets")
ws_log.addFilter(_NoDuplicateClose())

PING_INTERVAL = 2.0  # seconds between our pings on each connection
PING_TIMEOUT = 3.0  # no pong within this: the connection is dead
CLOSE_TIMEOUT = 1.0  # the closing handshake is given this long, then the socket is closed
OPEN_TIMEOUT = 5.0  # TCP + TLS + WebSocket handshake; a hung attempt is given up after this
MAX_BACKOFF = 5.0  # the longest pause between two failed attempts to reconnect
ACK_GRACE = 1.0  # close(): how long the acks of envelopes already taken may take
MAX_SLACK_CONNECTIONS = 10  # Slack's limit per app
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def socket_handler(app: App, app_token: str, *, connections: int = 2, **options: Any) -> "SocketModeHandler":
    """The Socket Mode handler `chsm serve` runs: `connect()` starts the
    connections and returns, `close()` stops them."""
    return SocketModeHandler(app, app_token, connections=connections, **options)


class SocketModeHandler:
    """`connections` Socket Mode connections for one Bolt app."""

    def __init__(
        self,
        app: App,
        app_token: str,
        *,
        connections: int = 2,
        ping_interval: float = PING_INTERVAL,
        ping_timeout: float = PING_TIMEOUT,
        close_timeout: float = CLOSE_TIMEOUT,
        open_timeout: float = OPEN_TIMEOUT,
        max_backoff: float = MAX_BACKOFF,
        concurrency: int = 10,
    ):
        if not 1 <= connections <= MAX_SLACK_CONNECTIONS:
            raise ValueError(f"Socket Mode connections must be 1..{MAX_SLACK_CONNECTIONS}, not {connections}")
        self.app = app
        self.app_token = app_token
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.close_timeout = close_timeout
        self.open_timeout = open_timeout
        self.max_backoff = max_backoff
        self.stopping = threading.Event()
        self._in_flight = 0  # envelopes taken whose ack is not sent yet
        self._idle = threading.Condition()
        self.dispatch_pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="chsm-socket-dispatch")
        self.clients = [SocketModeConnection(self, n + 1) for n in range(connections)]
        self._started = False

    @property
    def client(self) -> "SocketModeConnection":
        """The first connection (slack_bolt's handlers have one `client`)."""
        return self.clients[0]

    def connect(self) -> None:
        """Starts every connection in its own thread; returns at once."""
        if self._started:
            return
        self._started = True
        for c in self.clients:
            c.start()

    def wait_connected(self, count: int | None = None, timeout: float = 10.0) -> bool:
        """True once `count` (default: all) connections are open."""
        want = len(self.clients) if count is None else count
        end = time.monotonic() + timeout
        while sum(c.connected for c in self.clients) < want:
            if time.monotonic() >= end or self.stopping.is_set():
                return False
            time.sleep(0.05)
        return True

    def close(self, timeout: float = 3.0) -> None:
        """Stops taking events at once: envelopes that arrive from now on are
        not acked (Slack sends them again, to another connection or replica);
        the acks of those already taken go out (ACK_GRACE at most), then every
        connection closes (a closing handshake of at most close_timeout) and
        its thread ends. Returns within about `timeout`; a thread still inside
        a connection attempt then ends when that attempt does."""
        self.stopping.set()
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, ACK_GRACE)
        closers = [threading.Thread(target=c.close, daemon=True, name=f"chsm-socket-close-{c.number}") for c in self.clients]
        for t in closers:
            t.start()
        end = time.monotonic() + timeout
        for t in closers:
            t.join(max(0.0, end - time.monotonic()))
        for c in self.clients:
            c.join(max(0.0, end - time.monotonic()))
        self.dispatch_pool.shutdown(wait=False, cancel_futures=True)
        st = self.status()
        log.info("socket mode closed", extra={"fields": {k: v for k, v in st.items() if k != "per_connection"}})

    def _taken(self, n: int) -> None:
        with self._idle:
            self._in_flight += n
            if self._in_flight == 0:
                self._idle.notify_all()

    def status(self) -> dict:
        """Health: how many connections are open, how often they were lost."""
        per = [c.status() for c in self.clients]
        return {
            "connections": len(per),
            "connected": sum(1 for p in per if p["connected"]),
            "reconnects": sum(p["reconnects"] for p in per),
            "refreshes": sum(p["refreshes"] for p in per),
            "envelopes": sum(p["envelopes"] for p in per),
            "per_connection": per,
        }


class SocketModeConnection(BaseSocketModeClient):
    """One Socket Mode connection, kept open by its own thread.

    A BaseSocketModeClient, so that slack_bolt's send_response can ack through
    it and slack_sdk's issue_new_wss_url (apps.connections.open, waiting out a
    rate limit) is the one used."""

    def __init__(self, handler: SocketModeHandler, number: int):
        self.handler = handler
        self.number = number
        self.app_token = handler.app_token
        self.web_client = handler.app.client  # apps.connections.open goes to SLACK_API_URL
        self.logger = log
        self.closed = False
        self.connect_operation_lock = threading.Lock()
        self.ws: ClientConnection | None = None
        self.connected_since: float | None = None
        self.reconnects = 0  # a connection that was lost (not refreshed) and opened again
        self.refreshes = 0  # Slack asked for a new connection (`disconnect`)
        self.envelopes = 0
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"chsm-socket-{number}")

    # -- the thread ------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def connected(self) -> bool:
        return self.ws is not None and self.connected_since is not None

    def _run(self) -> None:
        failures = 0
        lost_at: float | None = None
        ws: ClientConnection | None = None
        stopping = self.handler.stopping
        while not stopping.is_set():
            if ws is None:
                ws = self._open(failures + 1)
                if ws is None:
                    failures += 1
                    stopping.wait(self._backoff(failures))
                    continue
                failures = 0
                self._use(ws)
                if stopping.is_set():  # close() may have looked before this connection existed
                    break
                if lost_at is not None:
                    self.reconnects += 1
                    log.info("socket mode reconnected", extra={"fields": {
                        "connection": self.number, "down_seconds": round(time.monotonic() - lost_at, 2)}})
                    lost_at = None
                else:
                    log.info("socket mode connected", extra={"fields": {"connection": self.number}})
            why = self._serve(ws)
            if stopping.is_set():
                break
            if why == "refresh":
                # Slack will close this one soon: the new one first, then the old.
                self.refreshes += 1
                new = self._open()
                self._use(new)
                self._retire(ws)
                ws = new
                if ws is None:
                    lost_at = time.monotonic()
            else:
                self.last_error = why
                log.warning("socket mode connection lost", extra={"fields": {"connection": self.number, "reason": why}})
                self._retire(ws)
                self._use(None)
                ws = None
                lost_at = time.monotonic()
        if ws is not None:
            self._retire(ws)
        self._use(None)

    def _backoff(self, failures: int) -> float:
        return min(self.handler.max_backoff, 0.5 * 2 ** (failures - 1)) * random.uniform(0.8, 1.0)

    def _open(self, attempt: int = 1) -> ClientConnection | None:
        h = self.handler
        try:
            url = self.issue_new_wss_url()  # a fresh ticket every time
            opened = ws_connect(
                url,
                ssl=getattr(self.web_client, "ssl", None),
                proxy=getattr(self.web_client, "proxy", None) or True,  # True: the usual *_PROXY variables
                compression=None,
                open_timeout=h.open_timeout,
                ping_interval=h.ping_interval,
                ping_timeout=h.ping_timeout,
                close_timeout=h.close_timeout,
                max_size=MAX_MESSAGE_BYTES,
                logger=ws_log,
            )
            # Entered as a context manager, the one form every websockets >= 15
            # takes without a warning (17 wants it, or legacy=True, which 15 and
            # 16 don't know). Its exit is a plain close(): _retire does that,
            # since a refresh closes the old connection after opening the new.
            return opened.__enter__()
        except Exception as exc:  # a network error, a 4xx/5xx, an API error: try again later
            self.last_error = _brief(exc)
            if not h.stopping.is_set() and (attempt == 1 or attempt % 12 == 0):  # about once a minute while it lasts
                log.warning("socket mode connect failed", extra={"fields": {
                    "connection": self.number, "attempt": attempt, "error": self.last_error}})
            return None

    def _use(self, ws: ClientConnection | None) -> None:
        self.ws = ws
        self.connected_since = time.time() if ws is not None else None

    def _retire(self, ws: ClientConnection) -> None:
        try:
            ws.close()  # at most close_timeout on a dead connection
        except Exception:
            pass

    def _serve(self, ws: ClientConnection) -> str:
        """Reads until the connection ends; returns why: "refresh" when Slack
        asked for a new connection, else what ended it."""
        stopping = self.handler.stopping
        while True:
            try:
                raw = ws.recv()
            except ConnectionClosed as exc:
                return _why(exc)
            except Exception as exc:
                return _brief(exc)
            if stopping.is_set():
                return "closing"  # not acked: Slack sends it again elsewhere
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            kind = message.get("type")
            if kind == "hello":
                continue
            if kind == "disconnect":
                log.info("socket mode refresh", extra={"fields": {"connection": self.number, "reason": message.get("reason")}})
                return "refresh"
            request = SocketModeRequest.from_dict(message)
            if request is not None:
                self.envelopes += 1
                self.handler._taken(+1)
                try:
                    self.handler.dispatch_pool.submit(self._dispatch, request)
                except RuntimeError:  # the pool is shut down: we are closing
                    self.handler._taken(-1)
                    return "closing"

    def _dispatch(self, request: SocketModeRequest) -> None:
        """Bolt's app, then the ack: what slack_bolt's SocketModeHandler.handle does."""
        try:
            start = time.time()
            response = run_bolt_app(self.handler.app, request)
            send_response(self, request, response, start)
        except Exception as exc:
            log.warning("socket mode envelope failed", extra={"fields": {
                "connection": self.number, "type": request.type, "error": type(exc).__name__}})
        finally:
            self.handler._taken(-1)

    # -- BaseSocketModeClient --------------------------------------------------
    def send_message(self, message: str) -> None:
        ws = self.ws
        if ws is None:
            raise SlackClientNotConnectedError("the Socket Mode connection is being reopened")
        try:
            ws.send(message)
        except ConnectionClosed as exc:
            raise SlackClientNotConnectedError(f"the Socket Mode connection closed ({_why(exc)})") from None

    def is_connected(self) -> bool:
        return self.connected

    def connect(self) -> None:
        self.start()

    def disconnect(self) -> None:
        ws = self.ws
        if ws is not None:
            self._retire(ws)

    def close(self) -> None:
        self.closed = True
        self.disconnect()

    def status(self) -> dict:
        return {
            "connection": self.number,
            "connected": self.connected,
            "connected_since": self.connected_since,
            "reconnects": self.reconnects,
            "refreshes": self.refreshes,
            "envelopes": self.envelopes,
            "last_error": self.last_error,
        }


def _brief(exc: Exception) -> str:
    """An error for logs and status(), without the URL (it holds a ticket)."""
    return re.sub(r"wss?://\S+", "<url>", f"{type(exc).__name__}: {exc}")[:200]


def _why(exc: ConnectionClosed) -> str:
    frame = exc.rcvd or exc.sent
    if frame is None:
        return "closed without a close frame"
    return f"closed {frame.code} {frame.reason}".strip()
