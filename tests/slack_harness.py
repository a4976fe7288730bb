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

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.http.close()
        self.log.close()

    def logs(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

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
