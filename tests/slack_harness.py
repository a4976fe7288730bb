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
from fakes import SPEC, tiny_index

SECRET = "test-signing-secret"
FAKE_ENCODER = {"CHSM_FAKE_ENCODER": SPEC.format("HashEncoder")}  # a bot on a tiny index starts in about 2 s


def sign(body: bytes, ts: int | None = None, secret: str = SECRET) -> dict:
    ts = int(time.time()) if ts is None else ts
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sig}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BotProcess:
    def __init__(self, fake, index_dir: Path, data_dir: Path, corpus: Path, *, ready: str = "healthy", **env):
        """ready: "healthy" waits for /healthz 200; "loaded" for any final
        status (the index loaded or failed); "listening" for any answer."""
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
        # To measure another version of the bot against the same tests (bench/slack.py
        # does this for before/after figures): its source tree, index and corpus.
        for knob, var in (("CHSM_TEST_BOT_PYTHONPATH", "PYTHONPATH"), ("CHSM_TEST_BOT_INDEX_DIR", "CHSM_INDEX_DIR"), ("CHSM_TEST_BOT_CORPUS_DIR", "CHSM_CORPUS_DIR")):
            if os.environ.get(knob):
                self.env[var] = os.environ[knob]
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
                h = self.http.get("/healthz")
                if ready == "listening" or h.status_code == 200 or (ready == "loaded" and h.json().get("status") != "loading"):
                    return
            except (httpx.TransportError, ValueError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"bot did not become {ready}")

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


def stop_all(bots) -> None:
    """SIGTERM to every bot at once, then wait for each: their drains overlap."""
    for b in bots:
        if b.proc.poll() is None:
            b.proc.terminate()
    for b in bots:
        b.stop()


def tiny_bot(fake, tmp: Path, data: Path | None = None, **env) -> "BotProcess":
    """A real bot process on the four-runbook corpus (tests/fakes.py) with the
    fake encoder: for tests about the bot, not about the real model's answers.
    Its corpus and index are under tmp/tiny (built once), its data in `data`
    (default tmp/data)."""
    corpus, index = tmp / "tiny" / "corpus", tmp / "tiny" / "index"
    if not (index / "manifest.json").exists():
        corpus, index = tiny_index(tmp / "tiny")
    return BotProcess(fake, index, data or tmp / "data", corpus, **{**FAKE_ENCODER, **env})


# A log with the tiny corpus's known error, and the fix a triage of it shows.
TINY_LOG = b"INFO start\n2026-11-27 10:00:01 ERROR relay handshake refused by peer\n"
TINY_FIX = "sudo systemctl restart relay.service"


# -- logs to send ----------------------------------------------------------------------
ERROR_KINDS = [
    "C_Login failed with error code: 0xa3",
    "C_Initialize() failed with 00000005 (Failed to connect socket)",
    "HSM Error: RET_USER_LOGIN_FAILURE",
    "ERROR connection to 10.0.0.5:2225 refused",
    "worker timed out after 30s",
]


def error_lines_gzip(mb: int) -> bytes:
    """About `mb` MB of error lines, gzip'd small: repeated gzip members
    (a valid gzip file; readers see one stream). 200 MB -> about 1.3 MB."""
    import gzip

    block = "".join(f"2026-11-27 10:00:{i % 60:02d} ERROR {ERROR_KINDS[i % 5]}\n" for i in range(300)).encode() * 64
    member = gzip.compress(block, 9)
    return member * (mb * 1024 * 1024 // len(block) + 1)


def gzip_bomb(mb: float = 2) -> bytes:
    """`mb` MB of gzip that open to about 340 times as much of one error line
    (deflate's best on text): 2 MB -> about 700 MB. Whole gzip members, so a
    reader sees one clean stream."""
    import gzip

    line = b"2026-11-27 10:00:00 ERROR C_Login failed with error code: 0xa3\n"
    member = gzip.compress(line * (64 * 1024 * 1024 // len(line)), 9)
    return member * max(1, int(mb * 1024 * 1024 // len(member)))


def long_line_log(kb: int = 150) -> bytes:
    """One line the old redactor took quadratic time over (20 s for 45 KB)."""
    return b"INFO start\nERROR auth failed: Bearer " + b"a." * (kb * 512) + b"\nINFO done\n"


def file_share(fake, name: str, data: bytes, **kw) -> dict:
    return {"id": "F" + name, "name": name, "mimetype": "application/gzip" if name.endswith(".gz") else "text/plain", "size": len(data),
            "url_private_download": fake.add_file(name, data, **kw)}
