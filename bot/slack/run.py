"""`chsm serve`: Socket Mode, or HTTP with --http; and a clean stop.

SIGTERM (or Ctrl-C): stop taking events at once (HTTP: the listening socket
closes, a request on a connection already open gets 503; Socket Mode: the
connection closes), let the replies in flight finish for up to
CHSM_DRAIN_SECONDS, then replace the progress message of anything still
unfinished with a clear error, take its :eyes: reaction off, stop the
workers and exit 0, all within CHSM_DRAIN_SECONDS."""

import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from bot.config import settings
from bot.slack import digest, logs
from bot.slack.app import build_app
from bot.slack.replies import STOPPING
from bot.slack.services import Services
from bot.slack.socket import socket_handler

log = logging.getLogger("chsm.slack")

CLEANUP_SECONDS = 4.0  # kept from the drain window to tell users about unfinished work
LOOP_TICK = 0.2


def serve(corpus_dir: Path, index_dir: Path, *, http: bool, host: str, port: int) -> int:
    # Until the tokens are checked, only our one-line error may reach stderr.
    for name in ("slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    cfg = settings()
    svc = Services(cfg, corpus_dir, index_dir)
    app = build_app(svc, http=http)  # checks the tokens with auth.test before anything else
    logs.setup()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: stop.set())
    signal.signal(signal.SIGHUP, lambda signum, frame: svc.reload("SIGHUP"))
    svc.start()
    digest.start(svc, app.client)  # the weekly report, if CHSM_REPORT_CHANNEL is set
    server = None
    if http:
        from waitress import wasyncore

        from bot.slack.web import make_server

        server = make_server(app, svc, host, port)
        log.info("listening", extra={"fields": {"mode": "http", "url": f"http://{host}:{server.effective_port}"}})
        _loop(server, stop.is_set)
        started = time.monotonic()
        svc.draining = True
        wasyncore.dispatcher.close(server)  # the listening socket only; open connections stay to get their answers
        log.info("stopping", extra={"fields": {"in_flight": svc.executor.pending}})
        _loop(server, lambda: _drained(svc, server, started))
    else:
        handler = socket_handler(app, cfg.slack_app_token, connections=cfg.chsm_socket_connections)
        log.info("connecting", extra={"fields": {"mode": "socket"}})
        handler.connect()
        while not stop.wait(LOOP_TICK):
            pass
        started = time.monotonic()
        svc.draining = True
        handler.close()
        log.info("stopping", extra={"fields": {"in_flight": svc.executor.pending}})
        while not _drained(svc, None, started):
            time.sleep(LOOP_TICK)
    return _finish(svc, server)


def _loop(server, done) -> None:
    """waitress's loop, a tick at a time so we can stop it between ticks."""
    while not done():
        server.asyncore.loop(timeout=LOOP_TICK, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1)


def _drained(svc: Services, server, started: float) -> bool:
    elapsed = time.monotonic() - started
    if elapsed >= max(1.0, svc.settings.chsm_drain_seconds - CLEANUP_SECONDS):
        return True
    if elapsed < 0.5:  # acks of requests received just before the signal are still on their way
        return False
    busy = svc.executor.pending
    if server is not None:
        d = server.task_dispatcher
        busy += d.active_count + len(d.queue)
    return busy == 0


def _finish(svc: Services, server) -> int:
    unfinished = svc.unfinished()
    if unfinished:
        log.warning("stopping with unfinished work", extra={"fields": {"unfinished": len(unfinished)}})
        threads = [threading.Thread(target=p.fail, args=(STOPPING,), daemon=True) for p in unfinished]
        for t in threads:
            t.start()
        end = time.monotonic() + CLEANUP_SECONDS - 0.5
        for t in threads:
            t.join(max(0.0, end - time.monotonic()))
    svc.pool.close()
    if server is not None:
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
        for ch in list(server._map.values()):
            ch.close()
    pending = svc.executor.pending
    log.info("stopped", extra={"fields": {"unfinished": len(unfinished), "threads_left": pending}})
    if pending:  # listener threads stuck in a network call: don't wait for them at exit
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    svc.executor.shutdown(wait=False)
    return 0
