"""A fake Slack Web API on loopback: records every call, answers like Slack.

Channels with special names fail the way Slack does: CNOTFOUND
(channel_not_found), CNOTIN (not_in_channel), CRATE (one 429 with
Retry-After: 1, then ok). Files registered with `add_file` are served only
with the bot token (or, with `open_=True`, to anyone: a stranger's host),
optionally one byte every `trickle` seconds; `add_redirect` answers 302.
Every request is recorded with its Authorization header, so a second
FakeSlack on another port serves as "some other host" that must never see
the token. response_url posts land on /respond/<id>.
"""

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

BOT_TOKEN = "xoxb-test-token"


class FakeSlack:
    def __init__(self):
        self.calls: list[dict] = []
        self.files: dict[str, bytes] = {}
        self.open_files: set[str] = set()
        self.trickle: dict[str, float] = {}
        self.redirects: dict[str, str] = {}
        self.lock = threading.Lock()
        self._ts = itertools.count(1)
        self._rate_limited: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _body(self) -> dict:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ctype = self.headers.get("Content-Type", "")
                if "json" in ctype:
                    return json.loads(raw or b"{}")
                if "form" in ctype:
                    return {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                return {"_raw": raw}

            def _send(self, status: int, body, headers=()):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json" if not isinstance(body, bytes) else "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urlparse(self.path).path
                auth = self.headers.get("Authorization", "")
                fake._record(path, {}, auth)
                if path.startswith("/files/"):
                    name = path[len("/files/"):]
                    if name in fake.redirects:
                        return self._send(302, b"", (("Location", fake.redirects[name]),))
                    if auth != f"Bearer {BOT_TOKEN}" and name not in fake.open_files:
                        return self._send(403, b"forbidden")
                    if name in fake.trickle:
                        return self._trickle(fake.files[name], fake.trickle[name])
                    if name in fake.files:
                        return self._send(200, fake.files[name])
                return self._send(404, b"not found")

            def _trickle(self, data: bytes, every: float):
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    for i in range(len(data)):
                        self.wfile.write(data[i : i + 1])
                        self.wfile.flush()
                        if fake.closed.wait(every):
                            return
                except OSError:  # the client gave up: that is the point
                    return

            def do_POST(self):
                path = urlparse(self.path).path
                body = self._body()
                auth = self.headers.get("Authorization", "")
                fake._record(path, body, auth)
                if path.startswith("/respond/") or path.startswith("/upload/"):
                    return self._send(200, b"ok")
                method = path.rsplit("/", 1)[-1]
                if method == "auth.test" and auth == "Bearer xoxb-rejected":
                    return self._send(200, {"ok": False, "error": "invalid_auth"})
                status, resp, headers = fake._answer(method, body)
                return self._send(status, resp, headers)

        self.closed = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.api_url = self.url + "/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.closed.set()
        self.server.shutdown()

    def _record(self, path, body, auth):
        with self.lock:
            self.calls.append({"path": path, "body": body, "auth": auth, "at": time.time()})

    def _answer(self, method: str, body: dict):
        channel = body.get("channel", "")
        if method == "auth.test":
            return 200, {"ok": True, "url": "https://fake.slack.com/", "team": "Fake", "user": "chsm-bot", "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT"}, ()
        if method in ("chat.postMessage", "chat.update"):
            if channel == "CNOTFOUND":
                return 200, {"ok": False, "error": "channel_not_found"}, ()
            if channel == "CNOTIN":
                return 200, {"ok": False, "error": "not_in_channel"}, ()
            if channel == "CRATE" and channel not in self._rate_limited:
                self._rate_limited.add(channel)
                return 429, {"ok": False, "error": "ratelimited"}, (("Retry-After", "1"),)
            ts = body.get("ts") or f"{int(time.time())}.{next(self._ts):06d}"
            return 200, {"ok": True, "channel": channel, "ts": ts, "message": {"text": body.get("text")}}, ()
        if method == "apps.connections.open":
            return 200, {"ok": True, "url": "ws://127.0.0.1:9/socket"}, ()
        if method == "files.getUploadURLExternal":
            return 200, {"ok": True, "upload_url": f"{self.url}/upload/F1", "file_id": "F1"}, ()
        if method == "files.completeUploadExternal":
            return 200, {"ok": True, "files": [{"id": "F1", "title": "report"}]}, ()
        return 200, {"ok": True}, ()

    # -- for tests ---------------------------------------------------------------
    def add_file(self, name: str, data: bytes, *, trickle: float | None = None, open_: bool = False) -> str:
        self.files[name] = data
        if trickle:
            self.trickle[name] = trickle
        if open_:
            self.open_files.add(name)
        return f"{self.url}/files/{name}"

    def add_redirect(self, name: str, location: str) -> str:
        self.redirects[name] = location
        return f"{self.url}/files/{name}"

    def api(self, method: str, **match) -> list[dict]:
        with self.lock:
            calls = [c for c in self.calls if c["path"] == f"/api/{method}"]
        return [c for c in calls if all(c["body"].get(k) == v for k, v in match.items())]

    def paths(self, prefix: str) -> list[dict]:
        with self.lock:
            return [c for c in self.calls if c["path"].startswith(prefix)]

    def wait(self, predicate, timeout: float = 20.0):
        end = time.time() + timeout
        while time.time() < end:
            got = predicate()
            if got:
                return got
            time.sleep(0.05)
        return predicate()
