"""A fake Slack Socket Mode server on loopback, and a TCP proxy that can drop a
connection silently.

FakeSocketMode speaks just enough WebSocket (RFC 6455, stdlib only) to stand
in for wss-primary.slack.com: the handshake, a `hello` on connect, pongs to
the client's pings, envelopes pushed by the test (`send_event`), the client's
acks recorded by envelope_id, and `disconnect` / close frames on demand.

BlackholeProxy sits between the bot and that server. `blackhole()` makes every
connection open through it at that moment go silent in both directions (bytes
are read and thrown away, nothing is closed): what a NAT timeout or a network
blip looks like from the client. `cut()` closes them at the TCP level with no
WebSocket close frame. Connections opened afterwards pass again.

FakeSlackSocket is the fake Web API of fake_slack.FakeSlack whose
apps.connections.open hands out a fresh ws:// URL through the proxy.
"""

import base64
import hashlib
import itertools
import json
import os
import socket
import struct
import threading
import time

from fake_slack import FakeSlack

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WsConn:
    """One accepted WebSocket connection (server side)."""

    def __init__(self, server: "FakeSocketMode", sock: socket.socket, path: str, number: int, opened_at: float):
        self.server = server
        self.sock = sock
        self.peer_port = sock.getpeername()[1]
        self.path = path
        self.number = number
        self.opened_at = opened_at
        self.closed_at: float | None = None
        self.pings = 0
        self.texts: list[dict] = []
        self._send_lock = threading.Lock()

    @property
    def alive(self) -> bool:
        return self.closed_at is None

    def send_frame(self, opcode: int, payload: bytes = b"") -> None:
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        with self._send_lock:
            try:
                self.sock.sendall(head + payload)
            except OSError:
                self._gone()

    def send_json(self, message: dict) -> None:
        self.send_frame(0x1, json.dumps(message).encode())

    def close(self, code: int = 1000, reason: str = "") -> None:
        """A clean close frame, then the socket."""
        self.send_frame(0x8, struct.pack("!H", code) + reason.encode())
        self._gone()

    def _gone(self) -> None:
        if self.closed_at is None:
            self.closed_at = time.monotonic()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def _recv_exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        return buf

    def serve(self) -> None:
        try:
            self.send_json({"type": "hello", "num_connections": self.server.count_alive(), "connection_info": {"app_id": "A1"},
                            "debug_info": {"host": "fake-socket", "approximate_connection_time": 18060}})
            while True:
                b1, b2 = self._recv_exact(2)
                opcode, masked, n = b1 & 0x0F, b2 & 0x80, b2 & 0x7F
                if n == 126:
                    (n,) = struct.unpack("!H", self._recv_exact(2))
                elif n == 127:
                    (n,) = struct.unpack("!Q", self._recv_exact(8))
                mask = self._recv_exact(4) if masked else b"\0\0\0\0"
                data = bytes(c ^ mask[i % 4] for i, c in enumerate(self._recv_exact(n)))
                if opcode == 0x9:  # ping
                    self.pings += 1
                    if self.server.answer_pings:
                        self.send_frame(0xA, data)
                elif opcode == 0x1:
                    try:
                        msg = json.loads(data)
                    except ValueError:
                        msg = {"_raw": data.decode("utf-8", "replace")}
                    self.texts.append(msg)
                    if isinstance(msg, dict) and msg.get("envelope_id"):
                        self.server._acked(msg, self)
                elif opcode == 0x8:
                    self.send_frame(0x8, data[:2])
                    break
        except (OSError, ConnectionError, ValueError):
            pass
        finally:
            self._gone()


class FakeSocketMode:
    """The Socket Mode endpoint. Every connection gets its own thread."""

    def __init__(self):
        self.answer_pings = True
        self.conns: list[WsConn] = []
        self.acks: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self._envelopes = itertools.count(1)
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="fake-socket-accept").start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                sock, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handshake, args=(sock,), daemon=True, name="fake-socket-conn").start()

    def _handshake(self, sock: socket.socket) -> None:
        try:
            sock.settimeout(10)
            raw = b""
            while b"\r\n\r\n" not in raw:
                chunk = sock.recv(4096)
                if not chunk:
                    raise ConnectionError("closed during handshake")
                raw += chunk
            lines = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
            accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest()).decode()
            # Open from the moment the 101 goes out: the client may act on it
            # (close its old connection) before this thread runs again.
            opened_at = time.monotonic()
            sock.sendall(
                ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode()
            )
            sock.settimeout(None)
        except (OSError, ConnectionError, KeyError, IndexError):
            sock.close()
            return
        with self.lock:
            conn = WsConn(self, sock, path, len(self.conns) + 1, opened_at)
            self.conns.append(conn)
            self.changed.notify_all()
        conn.serve()
        with self.lock:
            self.changed.notify_all()

    def _acked(self, msg: dict, conn: WsConn) -> None:
        with self.lock:
            self.acks[msg["envelope_id"]] = {**msg, "_conn": conn.number}
            self.changed.notify_all()

    # -- for tests ---------------------------------------------------------------
    def alive(self) -> list[WsConn]:
        with self.lock:
            return [c for c in self.conns if c.alive]

    def count_alive(self) -> int:
        return sum(1 for c in self.conns if c.alive)

    def wait_for(self, predicate, timeout: float = 20.0):
        """Waits until predicate() (called under the lock) is truthy; returns it."""
        end = time.monotonic() + timeout
        with self.lock:
            while True:
                got = predicate()
                left = end - time.monotonic()
                if got or left <= 0:
                    return got
                self.changed.wait(min(left, 0.1))

    def wait_alive(self, n: int, timeout: float = 20.0) -> list[WsConn]:
        self.wait_for(lambda: sum(1 for c in self.conns if c.alive) >= n, timeout)
        return self.alive()

    def wait_new(self, after: int, timeout: float = 20.0) -> WsConn | None:
        """The first live connection numbered above `after` (opened later)."""
        return self.wait_for(lambda: next((c for c in self.conns if c.number > after and c.alive), None), timeout)

    def send_event(self, event: dict, conn: WsConn | None = None, *, event_id: str | None = None) -> str:
        """An Events API envelope on `conn` (default: the newest live one)."""
        conn = conn or self.alive()[-1]
        envelope_id = f"env-{next(self._envelopes)}-{os.getpid()}"
        payload = {
            "type": "event_callback", "team_id": "T1", "api_app_id": "A1",
            "event_id": event_id or f"Ev{envelope_id}", "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        }
        conn.send_json({"envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": False,
                        "retry_attempt": 0, "retry_reason": "", "payload": payload})
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 20.0) -> dict | None:
        return self.wait_for(lambda: self.acks.get(envelope_id), timeout)

    def close(self) -> None:
        self._closed = True
        self._sock.close()
        for c in list(self.conns):
            c._gone()


class _Pipe:
    def __init__(self, client: socket.socket, upstream: socket.socket):
        self.client, self.upstream = client, upstream
        self.upstream_port = upstream.getsockname()[1]  # the server sees the connection from this port
        self.silent = False
        self.dropped = 0  # bytes thrown away while silent
        for src, dst in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(src, dst), daemon=True, name="proxy-pump").start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if self.silent:
                    self.dropped += len(data)
                    continue
                dst.sendall(data)
        except OSError:
            pass
        if not self.silent:  # a silent pipe never tells either side anything
            self.close()

    def close(self) -> None:
        for s in (self.client, self.upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


class BlackholeProxy:
    """TCP proxy to 127.0.0.1:target_port whose live connections can be made to
    go silent without a FIN or RST."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.pipes: list[_Pipe] = []
        self.lock = threading.Lock()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="proxy-accept").start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pipes.append(_Pipe(client, upstream))

    def blackhole(self) -> int:
        """Every connection open now goes silent both ways; returns how many."""
        with self.lock:
            live = [p for p in self.pipes if not p.silent]
            for p in live:
                p.silent = True
            return len(live)

    def silence(self, conn: WsConn) -> None:
        """Only the connection that reached the server as `conn` goes silent."""
        with self.lock:
            [pipe] = [p for p in self.pipes if p.upstream_port == conn.peer_port]
            pipe.silent = True

    def cut(self) -> int:
        """Every connection open now is closed at the TCP level (FIN both
        ways), with no WebSocket close frame: a proxy or load balancer that
        went away. Returns how many."""
        with self.lock:
            live = [p for p in self.pipes if not p.silent]
            for p in live:
                p.silent = True
                p.close()
            return len(live)

    def close(self) -> None:
        self._closed = True
        self._sock.close()
        with self.lock:
            for p in self.pipes:
                p.close()


class FakeSlackSocket(FakeSlack):
    """fake_slack.FakeSlack whose apps.connections.open hands out a new ws://
    URL (through the proxy) per call, like Slack's one-time tickets."""

    def __init__(self, ws_port: int):
        super().__init__()
        self.ws_port = ws_port
        self._tickets = itertools.count(1)

    def _answer(self, method: str, body: dict):
        if method == "apps.connections.open":
            return 200, {"ok": True, "url": f"ws://127.0.0.1:{self.ws_port}/link/?ticket=t{next(self._tickets)}&app_id=A1"}, ()
        return super()._answer(method, body)


class SocketRig:
    """Everything a Socket Mode test needs: server, proxy, fake Web API."""

    def __init__(self):
        self.server = FakeSocketMode()
        self.proxy = BlackholeProxy(self.server.port)
        self.slack = FakeSlackSocket(self.proxy.port)

    def close(self) -> None:
        self.slack.close()
        self.proxy.close()
        self.server.close()
