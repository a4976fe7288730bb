"""Start `chsm serve --http` as a real process against the fake Slack, and
sign requests exactly as Slack does (v0 HMAC-SHA256 of `v0:<ts>:<body>`)."""

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

from fake_slack import BOT_TOKEN

SECRET = "test-signing-secret"


def sign(body: bytes, ts: int | None = None, secret: str = SECRET) -> dict:
    ts = int(time.time()) if ts is None else ts
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sig}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BotProcess:
    def __init__(self, fake, index_dir: Path, data_dir: Path, corpus: Path, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.log_path = data_dir.parent / f"bot-{self.port}.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "CHSM_INDEX_DIR": str(index_dir),
            "CHSM_CORPUS_DIR": str(corpus),
            "CHSM_DATA_DIR": str(data_dir),
            **env,
        }
        chsm = Path(sys.executable).with_name("chsm")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(chsm), "serve", "--http", "--port", str(self.port)], env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.http = httpx.Client(base_url=self.url, timeout=10)
        end = time.time() + 120
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bot exited: {self.log_path.read_text()[-2000:]}")
            try:
                if self.http.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("bot did not become healthy")

    def stop(self, timeout: float = 40) -> int | None:
        """SIGTERM, as an orchestrator stops it; the exit code (None: had to be killed)."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        self.http.close()
        if not self.log.closed:
            self.log.close()
        return code

    def logs(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def records(self) -> list[dict]:
        out = []
        for line in self.logs().splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    def wait_log(self, msg: str, timeout: float = 20, **fields) -> list[dict]:
        """The log records with this msg and these fields, once there is one."""
        end = time.time() + timeout
        while True:
            found = [r for r in self.records() if r.get("msg") == msg and all(r.get(k) == v for k, v in fields.items())]
            if found or time.time() > end:
                return found
            time.sleep(0.05)

    def settled(self, *event_ids: str, timeout: float = 20) -> dict[str, dict]:
        """Wait until each event has its one final log line ("replied",
        "ignored" or "duplicate event ignored"); those lines by event id."""
        end = time.time() + timeout
        while True:
            done = {r["event_id"]: r for r in self.records() if r.get("msg") in ("replied", "ignored", "duplicate event ignored") and r.get("event_id") in event_ids}
            if len(done) == len(set(event_ids)) or time.time() > end:
                return done
            time.sleep(0.05)

    def pids(self) -> list[int]:
        """The bot and every process under it (its workers)."""
        out, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        return out

    def rss_mb(self) -> float:
        """Resident memory of the bot and its workers, summed (shared pages counted in each)."""
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    # -- what Slack sends ------------------------------------------------------
    def post(self, body: bytes, ctype: str, headers: dict | None = None, sign_ts: int | None = None) -> httpx.Response:
        h = {"Content-Type": ctype, **sign(body, sign_ts), **(headers or {})}
        return self.http.post("/slack/events", content=body, headers=h)

    def event(self, event: dict, event_id: str, headers: dict | None = None) -> httpx.Response:
        payload = {
            "token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        }
        return self.post(json.dumps(payload).encode(), "application/json", headers)

    def command(self, text: str, response_url: str, channel: str = "C1", user: str = "U1") -> httpx.Response:
        form = {
            "token": "legacy", "team_id": "T1", "channel_id": channel, "user_id": user, "command": "/chsm",
            "text": text, "response_url": response_url, "trigger_id": "123.456",
        }
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")

    def action(self, action_id: str, value: str, response_url: str, channel: str = "C1", message: dict | None = None) -> httpx.Response:
        payload = {
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}, "api_app_id": "A1",
            "channel": {"id": channel}, "response_url": response_url, "trigger_id": "1.2",
            "container": {"type": "message", "channel_id": channel, "message_ts": (message or {}).get("ts", "1.1")},
            "message": message or {"ts": "1.1", "text": "answer"},
            "actions": [{"action_id": action_id, "block_id": "b", "value": value, "type": "button", "action_ts": "1.3"}],
        }
        return self.post(urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded")
