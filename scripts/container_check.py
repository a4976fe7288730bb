"""Runs the chsm-bot image for real against a fake Slack on this host.

    .venv/bin/python scripts/container_check.py [--image localhost/chsm-bot:local]

tests/fake_slack.py's FakeSlack listens on loopback; the container shares
the host's network, gets SLACK_API_URL pointing at the fake, and runs as
compose.yaml runs it (an init, a read-only root, no capabilities). Then:
/healthz 200 (timed from `podman run`), the image's own HEALTHCHECK passes,
one app_mention signed exactly as Slack signs it gets a chat.postMessage in
its thread naming the answer's title, and SIGTERM (`podman stop`) ends it
with exit code 0. The container is removed in every case. A failure: exit 1
and a last line "container: FAILED: <reason>" on stderr.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_slack import BOT_TOKEN, FakeSlack  # noqa: E402
from slack_harness import SECRET, free_port, sign  # noqa: E402

QUESTION = "C_Login failed with error code: 0xa3"
LABEL = "io.chsm-bot.check=1"
DEFAULT_CMD = ["chsm", "serve", "--http", "--host", "0.0.0.0", "--port", "3000"]


class Failed(Exception):
    pass


def say(msg: str) -> None:
    print(f"container: {msg}", flush=True)


class Check:
    def __init__(self, image: str, runtime: str, timeout: float):
        self.image, self.timeout = image, timeout
        self.podman = ["podman", "--runtime", runtime]
        self.name = f"chsm-check-{os.getpid()}"
        self.started = False

    def run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        proc = subprocess.run([*self.podman, *args], capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            raise Failed(f"podman {' '.join(args[:2])}: {lines[-1] if lines else f'exit code {proc.returncode}'}")
        return proc

    def logs(self, lines: int = 30) -> str:
        proc = self.run("logs", "--tail", str(lines), self.name, check=False)
        return proc.stdout + proc.stderr

    def state(self) -> dict:
        out = self.run("inspect", "--format", "{{json .State}}", self.name).stdout
        return json.loads(out)

    def sweep(self) -> None:
        """Containers an interrupted earlier check left behind (ours only: by label)."""
        ids = self.run("ps", "-a", "-q", "--filter", f"label={LABEL}", check=False).stdout.split()
        if ids:
            self.run("rm", "-f", "-v", *ids, check=False)

    def main(self) -> dict:
        self.sweep()
        cmd = json.loads(self.run("image", "inspect", "--format", "{{json .Config.Cmd}}", self.image).stdout)
        if cmd != DEFAULT_CMD:
            raise Failed(f"the image's CMD is {cmd}, not {DEFAULT_CMD}")
        user = self.run("image", "inspect", "--format", "{{.Config.User}}", self.image).stdout.strip()
        if user in ("", "0", "root") or user.startswith(("0:", "root:")):
            raise Failed(f"the image runs as root (USER {user!r})")

        fake = FakeSlack()
        port = free_port()
        try:
            t0 = time.monotonic()
            self.run(
                "run", "-d", "--name", self.name, "--label", LABEL, "--network", "host",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096",
                # As compose.yaml runs it: an init, a read-only root, no capabilities.
                "--init", "--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                "-e", f"SLACK_BOT_TOKEN={BOT_TOKEN}", "-e", f"SLACK_SIGNING_SECRET={SECRET}",
                "-e", f"SLACK_API_URL={fake.api_url}",
                self.image, *DEFAULT_CMD[:-1], str(port),
            )
            self.started = True
            startup = self.wait_healthy(port, t0)
            say(f"healthy: /healthz 200 {startup:.1f}s after `podman run`")

            hc = self.run("healthcheck", "run", self.name, check=False)
            if hc.returncode != 0:
                raise Failed(f"the image's HEALTHCHECK failed on a healthy bot: {(hc.stdout + hc.stderr).strip()[:200]}")

            title = self.expected_title()
            reply, ack = self.mention(fake, port)
            if title not in reply.get("text", "") and title not in json.dumps(reply.get("blocks", "")):
                raise Failed(f"the reply does not name {title!r}: {reply.get('text', '')[:200]!r}")
            say(f"answered: ack {ack:.2f}s, reply in the thread naming {title!r}")

            t = time.monotonic()
            self.run("stop", "-t", "40", self.name, timeout=90)
            code = self.state().get("ExitCode")
            if code != 0:
                raise Failed(f"after SIGTERM the bot exited with {code}, not 0")
            say(f"stopped: SIGTERM, exit code 0 in {time.monotonic() - t:.1f}s")
            return {"startup_seconds": round(startup, 1)}
        except Failed:
            if self.started:
                sys.stderr.write(self.logs())
            raise
        finally:
            fake.close()
            if self.started:
                self.run("rm", "-f", "-v", self.name, check=False)

    def wait_healthy(self, port: int, t0: float) -> float:
        with httpx.Client(timeout=2) as http:
            while time.monotonic() - t0 < self.timeout:
                try:
                    if http.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        return time.monotonic() - t0
                except httpx.TransportError:
                    pass
                state = self.state()
                if state.get("Status") == "exited":
                    raise Failed(f"the bot exited with {state.get('ExitCode')} before it was healthy")
                time.sleep(0.2)
        raise Failed(f"/healthz was not 200 within {self.timeout:.0f}s")

    def expected_title(self) -> str:
        """The answer's title as the image's own CLI gives it."""
        out = self.run("exec", self.name, "chsm", "ask", "--json", QUESTION).stdout
        answers = json.loads(out).get("answers") or []
        if not answers:
            raise Failed(f"`chsm ask` in the image found no answer to {QUESTION!r}")
        return answers[0]["title"]

    def mention(self, fake: FakeSlack, port: int) -> tuple[dict, float]:
        ts = f"{int(time.time())}.000100"
        payload = {
            "token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": f"Ev{os.getpid()}", "event_time": int(time.time()),
            "event": {"type": "app_mention", "user": "U1", "channel": "C1", "ts": ts, "event_ts": ts,
                      "text": f"<@UBOT> {QUESTION}"},
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        }
        body = json.dumps(payload).encode()
        t = time.monotonic()
        resp = httpx.post(f"http://127.0.0.1:{port}/slack/events", content=body, timeout=10,
                          headers={"Content-Type": "application/json", **sign(body)})
        ack = time.monotonic() - t
        if resp.status_code != 200:
            raise Failed(f"the signed app_mention got HTTP {resp.status_code}")
        posts = fake.wait(lambda: fake.api("chat.postMessage", channel="C1"), timeout=60)
        if not posts:
            raise Failed("no chat.postMessage reached the fake Slack within 60s of the app_mention")
        call = posts[-1]
        if call["body"].get("thread_ts") != ts:
            raise Failed(f"the reply's thread_ts is {call['body'].get('thread_ts')!r}, not the message's ts {ts!r}")
        if call["auth"] != f"Bearer {BOT_TOKEN}":
            raise Failed("the reply was not sent with the bot token")
        return call["body"], ack


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--image", default="localhost/chsm-bot:local")
    p.add_argument("--runtime", default="runc")
    p.add_argument("--timeout", type=float, default=180, help="seconds to wait for /healthz 200")
    p.add_argument("--figures", type=Path, help="write the measured figures here (JSON)")
    args = p.parse_args(argv)
    try:
        figures = Check(args.image, args.runtime, args.timeout).main()
        if args.figures:
            args.figures.write_text(json.dumps(figures) + "\n")
    except Failed as exc:
        print(f"container: FAILED: {exc}", file=sys.stderr)
        return 1
    except (subprocess.TimeoutExpired, OSError, ValueError) as exc:
        print(f"container: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
