"""What every listener needs: the engine (loaded once, in the background), the
worker pool for heavy work, settings, storage, metrics, the in-flight
registry that shutdown drains, and one way to call Slack that never crashes
on Slack's or the network's trouble."""

import ctypes
import gc
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPException
from pathlib import Path
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import Settings
from bot.errors import EngineNotReady
from bot.slack.channels import Channels
from bot.slack.metrics import Metrics
from bot.slack.state import State, open_state
from bot.slack.workers import WorkerPool
from bot.triage import Budget

if TYPE_CHECKING:
    from bot.search.engine import Engine

log = logging.getLogger("chsm.slack")

# What a Web API call may raise that is Slack's or the network's doing. Anything
# else (a wrong keyword argument, a bug) is ours and must surface as one.
TRANSPORT_ERRORS = (SlackClientError, OSError, HTTPException)  # slack_sdk's clients run on urllib
# In-process answers computed at once (the listener executor has 32 threads,
# most of them waiting on workers, downloads or Slack). More would only queue
# for the GIL, where the ack path waits too. bench/slack.py with this: ack
# p95 45-69 ms under 10 senders, as the old 5-thread executor's 44-53 ms.
CPU_SLOTS = 3
RELEASE_AFTER = 15.0  # seconds after a swap: requests that started on the old index are done
MANIFEST_POLL = 2.0  # seconds between looks at the index manifest on disk


def release_memory() -> None:
    """Return freed heap to the OS. The new index is loaded in another thread,
    so in glibc's per-thread arenas; the old one's pages stay mapped after it
    is freed unless trimmed: measured, 8 reloads grew a process 274 -> 476 MB
    untrimmed, 228 -> 243 MB trimmed."""
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # not glibc (macOS, musl): nothing to trim
        return None


_LIBC = _libc()


class TrackedExecutor(ThreadPoolExecutor):
    """Bolt's listener executor (its default has 5 threads, so five slow jobs
    stalled every answer), counting work submitted and not yet finished,
    queued lazies included, so shutdown knows when it is done."""

    def __init__(self, max_workers: int):
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._pending = 0
        self._cond = threading.Condition()

    def submit(self, fn, /, *args, **kwargs):
        with self._cond:
            self._pending += 1

        def tracked():
            try:
                return fn(*args, **kwargs)
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()

        try:
            return super().submit(tracked)
        except RuntimeError:  # shut down
            with self._cond:
                self._pending -= 1
            raise

    @property
    def pending(self) -> int:
        with self._cond:
            return self._pending

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)


class Progress:
    """A "Triaging…" message and an :eyes: reaction that must end, whatever
    happens: with the reply, or with a clear error. Exactly one of the job and
    shutdown gets to write the final message (`claim`)."""

    def __init__(self, svc: "Services", client, channel: str, ts: str, thread_ts: str):
        self.svc, self.client = svc, client
        self.channel, self.ts, self.thread_ts = channel, ts, thread_ts
        self.message_ts: str | None = None
        self.reacted = False
        self._claimed = False
        self._lock = threading.Lock()

    def start(self, text: str) -> None:
        self.svc.inflight_add(self)
        self.reacted = self.svc.call(self.client.reactions_add, "reactions.add", channel=self.channel, timestamp=self.ts, name="eyes") is not None
        res = self.svc.call(self.client.chat_postMessage, "chat.postMessage", channel=self.channel, thread_ts=self.thread_ts, text=text)
        self.message_ts = res.get("ts") if res is not None else None

    def claim(self) -> bool:
        with self._lock:
            if self._claimed:
                return False
            self._claimed = True
            return True

    def end(self, post: Callable[[], None]) -> None:
        """Post the final message (if nobody did) and take the reaction off."""
        try:
            if self.claim():
                post()
        finally:
            self._unreact()
            self.svc.inflight_remove(self)

    def fail(self, text: str) -> None:
        self.end(lambda: self._say(text))

    def _say(self, text: str) -> None:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
        if self.message_ts:
            self.svc.call(self.client.chat_update, "chat.update", channel=self.channel, ts=self.message_ts, text=text, blocks=blocks)
        else:
            self.svc.call(self.client.chat_postMessage, "chat.postMessage", channel=self.channel, thread_ts=self.thread_ts, text=text, blocks=blocks)

    def _unreact(self) -> None:
        with self._lock:
            reacted, self.reacted = self.reacted, False
        if reacted:
            self.svc.call(self.client.reactions_remove, "reactions.remove", channel=self.channel, timestamp=self.ts, name="eyes")


class Services:
    def __init__(self, settings: Settings, corpus_dir: Path, index_dir: Path, *, pool: WorkerPool | None = None):
        self.settings = settings
        self.corpus_dir, self.index_dir = corpus_dir, index_dir
        self.metrics = Metrics()
        self.channels = Channels.load(settings.chsm_channels_file)  # a bad file: ConfigError, one line at start
        # Dedupe, rate limits, threads, stashed queries, votes: this process and
        # SQLite, or Redis shared by every replica (CHSM_REDIS_URL).
        self.store: State = open_state(settings, on_error=lambda kind: self.metrics.errors.labels(kind).inc())
        self.metrics.watch_store(lambda: self.store.status())
        self.pool = pool or WorkerPool(
            settings.chsm_workers, settings.chsm_queue,
            loader="bot.slack.workers:load_engine", loader_args=(corpus_dir, index_dir), deadline=settings.chsm_job_deadline,
        )
        self.metrics.watch_pool(self.pool.stats)
        self.executor = TrackedExecutor(32)  # many may wait (on workers, downloads, Slack)...
        self.cpu = threading.BoundedSemaphore(CPU_SLOTS)  # ...few may compute: acks need the GIL too
        self.draining = False
        self._progress: set[Progress] = set()
        self._progress_lock = threading.Lock()
        self._engine: "Engine | None" = None
        self._engine_error: str | None = None
        self._ready = threading.Event()
        self._reload_lock = threading.Lock()
        self._reload_wanted = self._reloading = False
        self._failed_manifest: dict | None = None

    # -- the engine, loaded once ------------------------------------------------
    def load_engine(self) -> None:
        from bot.search.engine import Engine

        t = time.perf_counter()
        try:
            self._engine = Engine.open(self.corpus_dir, self.index_dir, log=lambda m: log.info(m))
            log.info("index loaded", extra={"fields": {**self._engine.info(), "seconds": round(time.perf_counter() - t, 2)}})
        except Exception as exc:  # kept for the logs and /healthz; users get a plain sentence
            self._engine_error = type(exc).__name__
            log.error("index failed to load", exc_info=True, extra={"fields": {"error": f"{type(exc).__name__}: {exc}"[:300]}})
        finally:
            self._ready.set()

    def start(self) -> None:
        """The engine in a thread (the server listens meanwhile; /healthz says
        503 until the engine is in); the workers with the first heavy job."""
        threading.Thread(target=self.load_engine, name="engine-load", daemon=True).start()
        threading.Thread(target=self._watch_manifest, name="index-watch", daemon=True).start()
        self.pool.start()

    # -- reload: SIGHUP, or a new index on disk -----------------------------------
    def reload(self, why: str) -> None:
        """Load the index as it is on disk now, beside the one serving; swap
        when it is ready (one reference assignment: a request holds the engine
        it started with), then renew the workers. A reload asked for while one
        runs is done once more after it; a failed one keeps the old index."""
        with self._reload_lock:
            self._reload_wanted = True
            if self._reloading:
                return
            self._reloading = True
        threading.Thread(target=self._reload_loop, args=(why,), name="engine-reload", daemon=True).start()

    def _reload_loop(self, why: str) -> None:
        from bot.search.engine import Engine

        while True:
            with self._reload_lock:
                if not self._reload_wanted or self.draining:
                    self._reloading = False
                    return
                self._reload_wanted = False
            t = time.perf_counter()
            try:
                engine = Engine.load(self.corpus_dir, self.index_dir)  # never a build in the serving process
            except Exception as exc:
                self._failed_manifest = self._manifest_on_disk()  # not retried until it changes again
                self.metrics.errors.labels("reload").inc()
                log.error("index reload failed, still serving the loaded one", extra={"fields": {"why": why, "error": type(exc).__name__, "detail": str(exc)[:300]}})
                continue
            self._engine, self._engine_error = engine, None
            self._ready.set()
            self.metrics.reloads.inc()
            log.info("index reloaded", extra={"fields": {"why": why, **engine.info(), "seconds": round(time.perf_counter() - t, 2)}})
            del engine
            self.pool.reload(loader="bot.slack.workers:reload_engine")
            # The old index is freed when the last request holding it ends; give
            # those a moment, then hand the memory back (see release_memory).
            release_memory()
            later = threading.Timer(RELEASE_AFTER, release_memory)
            later.daemon = True
            later.start()

    def _watch_manifest(self) -> None:
        """`chsm index build` while the bot serves is how runbooks are added:
        its new manifest (written last, after every file) triggers a reload."""
        while not self.draining:
            time.sleep(MANIFEST_POLL)
            engine = self._engine
            if engine is None or self._reloading:
                continue
            on_disk = self._manifest_on_disk()
            if on_disk is not None and on_disk != engine.manifest() and on_disk != self._failed_manifest:
                self.reload("index changed on disk")

    def _manifest_on_disk(self) -> dict | None:
        from bot.search.store import MANIFEST

        try:
            return json.loads((self.index_dir / MANIFEST).read_bytes())
        except (OSError, ValueError):
            return None  # mid-build or gone: the next poll sees the result

    def engine(self, wait: float = 30) -> "Engine":
        if not self._ready.wait(wait):
            raise EngineNotReady("I'm still loading the docs index. Try again in a minute.")
        if self._engine is None:
            raise EngineNotReady("I can't reach my docs index right now; the operator can see why in the logs. Try again later.")
        return self._engine

    def budget(self) -> Budget:
        return Budget(seconds=self.settings.chsm_triage_seconds, max_bytes=self.settings.chsm_triage_max_mb * 1024 * 1024)

    def health(self) -> dict:
        extra = {"store": self.store.status(), "workers": self.pool.stats()}
        if self.draining:
            return {"status": "stopping", **extra}
        if self._engine is not None:
            # Answers work; "degraded" when storage is in trouble (an orchestrator keeps us, an operator looks).
            status = "ok" if extra["store"]["status"] == "ok" else "degraded"
            return {"status": status, **self._engine.info(), **extra}
        return {"status": "error" if self._engine_error else "loading", "error": self._engine_error, **extra}

    # -- in-flight work, for shutdown -------------------------------------------------
    def inflight_add(self, p: Progress) -> None:
        with self._progress_lock:
            self._progress.add(p)

    def inflight_remove(self, p: Progress) -> None:
        with self._progress_lock:
            self._progress.discard(p)

    def unfinished(self) -> list[Progress]:
        with self._progress_lock:
            return list(self._progress)

    # -- Slack calls ----------------------------------------------------------------
    def call(self, fn: Callable, what: str, **kwargs):
        """A Web API call whose failure (Slack's error, or the network's) is
        logged and counted, never raised; rate limits are retried by the
        client (Retry-After) before we get here. Our own bugs still raise."""
        try:
            return fn(**kwargs)
        except SlackApiError as exc:
            err = exc.response.get("error", "unknown") if exc.response is not None else "unknown"
            err = err if isinstance(err, str) else "unknown"
            self.metrics.errors.labels(f"slack:{err[:40]}").inc()
            log.warning("slack call failed", extra={"fields": {"method": what, "error": err, "channel": kwargs.get("channel")}})
        except TRANSPORT_ERRORS as exc:
            self.metrics.errors.labels("slack:transport").inc()
            log.warning("slack call failed", extra={"fields": {"method": what, "error": type(exc).__name__}})
        return None
