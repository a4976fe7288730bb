"""Socket Mode under a silent network drop (not a test).

Each Socket Mode client ("variant") runs in its own process against the fake
Socket Mode server of the tests (tests/fake_socket.py) behind a TCP proxy.
Once it is connected, the proxy blackholes the connection: it stops
forwarding both ways without closing anything, as a NAT timeout or a network
blip does. Measured per variant:

- detect_s: seconds from the blackhole to a new WebSocket reaching the server
  (detect + reconnect);
- cpu_pct: CPU of the client process during that time, % of one core
  (idle_cpu_pct: the same while connected and healthy);
- refresh_s: seconds from Slack's `disconnect` message to the new connection;
- cut_s, cut_cpu_pct: the same as detect_s and cpu_pct when the TCP connection
  is closed under the WebSocket, with no close frame (a proxy going away);
  CPU is measured over at least 5 s from the break;
- event_after_s: an event sent on the new connection, until it is acked and
  answered (chat.postMessage);
- close_s: handler.close() until it returns (after the silent drop, so on
  a connection that may still be silent), and threads_left after it (Bolt's
  own listener pool counts one).

None: did not happen within 90 s.

    .venv/bin/python bench/socket_mode.py                 # every variant
    .venv/bin/python bench/socket_mode.py builtin new     # some

Writes bench/out/socket.json. A variant whose library is not installed is
skipped (`pip install aiohttp websocket-client` to measure those; websockets
is a dependency of the bot). Variants: builtin (slack_bolt's default SocketModeHandler, as
`chsm serve` used it before), builtin_p2 (the same, ping_interval=2),
websocket_client (slack_bolt's websocket-client adapter), aiohttp and
websockets (slack_bolt's asyncio adapters, AsyncApp), each with its default
ping_interval of 10 s and with 3 s (`_p3`), and new (bot.slack.socket, the
default 2 connections).
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

APP_TOKEN = "xapp-1-A1-bench"
VARIANTS = ["builtin", "builtin_p2", "websocket_client", "websocket_client_p3", "aiohttp", "aiohttp_p3",
            "websockets", "websockets_p3", "new"]
WAIT_S = 90  # give up on a variant that has not reconnected by then


# -- the client process --------------------------------------------------------
def child(variant: str, api_url: str) -> None:
    import logging

    logging.basicConfig(level=logging.CRITICAL)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    if variant in ("aiohttp", "aiohttp_p3", "websockets", "websockets_p3"):
        return _child_async(variant, api_url, stop)

    from fake_slack import BOT_TOKEN
    from slack_bolt import App
    from slack_sdk import WebClient

    app = App(client=WebClient(token=BOT_TOKEN, base_url=api_url), signing_secret="unused", request_verification_enabled=False)

    @app.event("app_mention")
    def mention(event, client):
        client.chat_postMessage(channel=event["channel"], text="pong", thread_ts=event["ts"])

    if variant.startswith("builtin"):
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        kw = {"ping_interval": 2} if variant == "builtin_p2" else {}
        handler = SocketModeHandler(app, APP_TOKEN, web_client=app.client, **kw)
    elif variant.startswith("websocket_client"):
        from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler

        kw = {"ping_interval": 3} if variant == "websocket_client_p3" else {}
        handler = SocketModeHandler(app, APP_TOKEN, web_client=app.client, **kw)
    elif variant == "new":
        from bot.slack.socket import socket_handler

        handler = socket_handler(app, APP_TOKEN, connections=int(os.environ.get("BENCH_CONNECTIONS", "2")))
    else:
        raise SystemExit(f"unknown variant {variant}")
    handler.connect()
    stop.wait()
    t = time.monotonic()
    handler.close()
    closed = time.monotonic() - t
    time.sleep(0.5)
    left = [th.name for th in threading.enumerate() if th is not threading.main_thread() and th.is_alive()]
    print(json.dumps({"close_s": round(closed, 3), "threads_left": len(left), "left": left}), flush=True)
    os._exit(0)


def _child_async(variant: str, api_url: str, stop: threading.Event) -> None:
    import asyncio

    from fake_slack import BOT_TOKEN
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    async def main():
        app = AsyncApp(client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url), signing_secret="unused",
                       request_verification_enabled=False)

        @app.event("app_mention")
        async def mention(event, client):
            await client.chat_postMessage(channel=event["channel"], text="pong", thread_ts=event["ts"])

        kw = {"ping_interval": 3} if variant.endswith("_p3") else {}
        if variant.startswith("aiohttp"):
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
        else:
            from slack_bolt.adapter.socket_mode.websockets import AsyncSocketModeHandler
        handler = AsyncSocketModeHandler(app, APP_TOKEN, web_client=app.client, **kw)
        await handler.connect_async()
        while not stop.is_set():
            await asyncio.sleep(0.2)
        t = time.monotonic()
        await handler.close_async()
        return time.monotonic() - t

    closed = asyncio.run(main())
    time.sleep(0.5)
    left = [th.name for th in threading.enumerate() if th is not threading.main_thread() and th.is_alive()]
    print(json.dumps({"close_s": round(closed, 3), "threads_left": len(left), "left": left}), flush=True)
    os._exit(0)


# -- the measuring process -----------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mention(channel: str) -> dict:
    return {"type": "app_mention", "user": "U1", "text": "<@UBOT> ping", "ts": f"{time.time():.6f}", "channel": channel}


def drop(rig, proc, want: int, how, window: float = 5.0) -> dict:
    """Breaks every live connection with `how`; the time until `want` new
    ones are up, and the client's CPU from the break until then, or over
    `window` seconds if that is longer (a reconnect in 0.01 s says nothing
    about a busy loop)."""
    last = max(c.number for c in rig.server.conns)
    how()
    c0, t0 = cpu_seconds(proc.pid), time.monotonic()
    ok = rig.server.wait_for(lambda: sum(1 for c in rig.server.conns if c.number > last and c.alive) >= want, WAIT_S)
    took = time.monotonic() - t0
    time.sleep(max(0.0, window - took))
    t1, c1 = time.monotonic(), cpu_seconds(proc.pid)
    return {"s": round(took, 2) if ok else None, "cpu_pct": round(100 * (c1 - c0) / (t1 - t0), 1)}


def measure(variant: str, connections: int = 2) -> dict:
    from fake_socket import SocketRig

    rig = SocketRig()
    want = connections if variant == "new" else 1
    proc = subprocess.Popen([sys.executable, __file__, "--child", variant, rig.slack.api_url],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "BENCH_CONNECTIONS": str(connections)})
    out: dict = {"variant": variant, "connections": want}
    try:
        live = rig.server.wait_alive(want, timeout=30)
        if len(live) < want:
            return {**out, "error": "never connected"}
        time.sleep(2)
        c0, t0 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(3)
        out["idle_cpu_pct"] = round(100 * (cpu_seconds(proc.pid) - c0) / (time.monotonic() - t0), 1)

        env = rig.server.send_event(mention("CBEFORE"))
        out["event_before_ok"] = bool(rig.server.wait_ack(env, 10))

        # The TCP connection closes under the WebSocket (no close frame).
        r = drop(rig, proc, want, rig.proxy.cut)
        out["cut_s"], out["cut_cpu_pct"] = r["s"], r["cpu_pct"]
        if r["s"] is None:
            return out
        time.sleep(1)

        # Slack's routine refresh: a `disconnect` message.
        last = max(c.number for c in rig.server.conns)
        conn = rig.server.alive()[-1]
        t = time.monotonic()
        conn.send_json({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake"}})
        new = rig.server.wait_new(last, 30)
        out["refresh_s"] = round(time.monotonic() - t, 3) if new else None
        time.sleep(1)

        # The silent drop, last: a client that never notices it stays stuck.
        r = drop(rig, proc, want, rig.proxy.blackhole)
        out["detect_s"], out["cpu_pct"] = r["s"], r["cpu_pct"]
        if r["s"] is None:
            return out
        time.sleep(0.3)
        t = time.monotonic()
        env = rig.server.send_event(mention("CAFTER"))
        acked = rig.server.wait_ack(env, 10)
        replied = rig.slack.wait(lambda: rig.slack.api("chat.postMessage", channel="CAFTER"), 10)
        out["event_after_s"] = round(time.monotonic() - t, 3) if acked and replied else None
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            stdout, _ = proc.communicate(timeout=60)
            line = stdout.decode().strip().splitlines()
            if line:
                out.update(json.loads(line[-1]))
        except subprocess.TimeoutExpired:
            proc.kill()
            out["close_s"] = "hung>60"
        rig.close()
    return out


def available(variant: str) -> bool:
    import importlib.util

    need = {"websocket_client": "websocket", "aiohttp": "aiohttp", "websockets": "websockets"}
    mod = next((m for k, m in need.items() if variant.startswith(k)), None)
    return mod is None or importlib.util.find_spec(mod) is not None


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2], sys.argv[3])
    wanted = sys.argv[1:] or VARIANTS
    results = []
    for v in wanted:
        if not available(v):
            print(f"{v}: skipped (library not installed)", flush=True)
            continue
        r = measure(v)
        results.append(r)
        print(json.dumps(r), flush=True)
    out = ROOT / "bench" / "out" / "socket.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    cols = ["detect_s", "cpu_pct", "idle_cpu_pct", "refresh_s", "cut_s", "cut_cpu_pct", "event_after_s", "close_s", "threads_left"]
    print("\n" + f"{'variant':20}" + "".join(f"{c:>14}" for c in cols))
    for r in results:
        print(f"{r['variant']:20}" + "".join(f"{str(r.get(c)):>14}" for c in cols))


if __name__ == "__main__":
    main()
