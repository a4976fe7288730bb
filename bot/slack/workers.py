"""Heavy work (file triage, long pastes) in worker processes.

Python's `re` holds the GIL while it matches, so one hostile line triaged in
the serving process stalls every ack and every answer with it. Here each
worker is a separate process (spawned, never forked from the threaded
server) that loads the engine once and then runs jobs one at a time:

- the workers start with the first job admitted, not with the server: each
  holds its own copy of the index (about 340 MB with the real model), which
  a bot that never gets a file or a long paste need not pay for; the first
  job waits the second or so a worker takes to load (a file's download
  runs meanwhile);
- admission is bounded: `size` running plus `queue` waiting; past that,
  `run` raises `Busy` at once and the caller tells the user to come back;
- a job still running after `deadline` seconds gets its worker killed and
  replaced, and the caller gets `JobFailed("deadline")`;
- a worker that dies (OOM, a crash) is replaced the same way;
- workers ignore SIGINT/SIGTERM (the server decides when they stop), die
  with the server, and run at a lower CPU priority, so
  the serving process keeps a core for acks even when both are busy.

Jobs are named by "module:function" strings, called as function(state,
*args, **kwargs) where state is what the loader returned (the engine).
"""

import importlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from pathlib import Path

from bot.errors import InputError, UsageError

log = logging.getLogger("chsm.workers")

START_TIMEOUT = 900  # loading may include an index rebuild


class Busy(Exception):
    """Every worker is busy and the queue is full."""


class JobFailed(Exception):
    """The job did not finish: reason is "deadline", "crashed", "unavailable" or "error"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _resolve(name: str):
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)


def load_engine(corpus_dir: Path, index_dir: Path):
    from bot.search.engine import Engine

    return Engine.open(corpus_dir, index_dir, log=lambda m: log.info(m))


def reload_engine(corpus_dir: Path, index_dir: Path):
    """After start-up: the index on disk, never a build (the serving process swapped to it already)."""
    from bot.search.engine import Engine

    return Engine.load(corpus_dir, index_dir)


def _die_with_parent() -> None:
    """A worker outlives no server: when the parent is gone (even SIGKILLed),
    the worker exits. (PR_SET_PDEATHSIG fires when the spawning *thread*
    ends, which here is long before the server does, so a watchdog it is.)"""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker_main(conn, loader: str, loader_args: tuple, nice: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent()
    if nice:
        os.nice(nice)
    from bot.slack import logs

    logs.setup()
    try:
        state = _resolve(loader)(*loader_args)
    except Exception as exc:  # reported to the parent, which logs and retries later
        conn.send(("failed", type(exc).__name__))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        fn, args, kwargs = msg
        out: tuple
        try:
            out = ("ok", _resolve(fn)(state, *args, **kwargs))
        except (UsageError, InputError) as exc:  # about the input: the user may see it
            out = ("input", type(exc).__name__, str(exc))
        except Exception as exc:  # a bug or a broken index: logged here, generic for the user
            log.error("job failed", exc_info=True, extra={"fields": {"job": fn, "error": type(exc).__name__}})
            out = ("error", type(exc).__name__, "")
        try:
            conn.send(out)
        except Exception as exc:  # an unpicklable result is a bug too
            log.error("job result not sent", extra={"fields": {"job": fn, "error": type(exc).__name__}})
            conn.send(("error", type(exc).__name__, ""))


class _Worker:
    def __init__(self, proc, conn, gen: int):
        self.proc, self.conn, self.gen = proc, conn, gen

    def kill(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass
        if self.proc.is_alive():
            self.proc.kill()  # this worker only: we started it, we know its pid
        self.proc.join(5)


class Ticket:
    """Run fn(state, *args, **kwargs) in a worker and return its result.
    JobFailed: the job did not finish. UsageError or InputError: raised by
    the job, about its input."""

    def __init__(self, pool: "WorkerPool"):
        self._pool, self._open = pool, True

    def run(self, fn: str, *args, **kwargs):
        if not self._open:
            raise RuntimeError("ticket already used up")
        return self._pool._run_admitted(fn, args, kwargs)

    def close(self) -> None:
        if self._open:
            self._open = False
            with self._pool._lock:
                self._pool._admitted -= 1
            self._pool._admit.release()

    def __enter__(self) -> "Ticket":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class WorkerPool:
    def __init__(self, size: int, queue_size: int, *, loader: str, loader_args: tuple = (), deadline: float = 90.0, nice: int = 5, start_method: str = "spawn"):
        self.size = max(1, size)
        self.queue_size = max(0, queue_size)
        self.deadline = deadline
        self.loader, self.loader_args, self.nice = loader, loader_args, nice
        self._ctx = multiprocessing.get_context(start_method)
        self._admit = threading.BoundedSemaphore(self.size + self.queue_size)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._waiting = self._busy = self._restarts = self._admitted = 0
        self._failed: str | None = None  # why no worker could start, if none could
        self._closed = False
        self._started = False
        self._spawned = False  # the first job admitted starts the workers
        self._gen = 0  # bumped by reload(): workers of an older generation hold the old index
        self._fresh = 0  # workers of the current generation that are ready

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> None:
        """Take jobs from now on; the workers start with the first one."""
        self._started = True

    def _spawn_first(self) -> None:
        with self._lock:
            if self._spawned or self._closed:
                return
            self._spawned = True
        for _ in range(self.size):
            self._spawn_soon(0)

    def reload(self, loader: str | None = None) -> None:
        """New workers load the current index (with `loader`, from now on);
        old ones keep answering until the new ones are ready, then finish
        their job and go. Never a moment without a worker, never a job cut
        short. Before the first job there are none to renew."""
        with self._lock:
            if loader:
                self.loader = loader
            self._gen += 1
            self._fresh = 0
            if not self._spawned:
                return
        for _ in range(self.size):
            self._spawn_soon(0)

    def _stale(self, w: _Worker) -> bool:
        """An old-generation worker that a ready new one can replace."""
        with self._lock:
            return w.gen < self._gen and self._fresh > 0

    def _retire_idle_stale(self) -> None:
        keep = []
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            if self._stale(w):
                self._forget(w)
                log.info("worker retired", extra={"fields": {"pid": w.proc.pid, "why": "index reloaded"}})
            else:
                keep.append(w)
        for w in keep:
            self._idle.put(w)

    def _spawn_soon(self, delay: float) -> None:
        threading.Thread(target=self._spawn, args=(delay,), name="worker-spawn", daemon=True).start()

    def _spawn(self, delay: float) -> None:
        if delay:
            time.sleep(delay)
        if self._closed:
            return
        gen = self._gen
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, args=(child, self.loader, self.loader_args, self.nice), name="chsm-worker", daemon=True)  # type: ignore[attr-defined]
        proc.start()
        child.close()
        w = _Worker(proc, parent, gen)
        with self._lock:
            self._workers.add(w)
        status = None
        try:
            if parent.poll(START_TIMEOUT):
                status = parent.recv()
        except (EOFError, OSError):
            pass
        if status and status[0] == "ready" and not self._closed:
            with self._lock:
                self._failed = None
                if gen == self._gen:
                    self._fresh += 1
            log.info("worker ready", extra={"fields": {"pid": status[1], "generation": gen}})
            self._idle.put(w)
            self._retire_idle_stale()
            return
        self._forget(w)
        if self._closed:
            return
        reason = status[1] if status else "no answer"
        with self._lock:
            self._failed = reason
        log.error("worker failed to start", extra={"fields": {"error": reason}})
        self._spawn_soon(min(60.0, max(5.0, delay * 2)))

    def _forget(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._workers.discard(w)

    def _replace(self, w: _Worker, why: str) -> None:
        pid = w.proc.pid
        self._forget(w)
        with self._lock:
            self._restarts += 1
        log.warning("worker replaced", extra={"fields": {"pid": pid, "why": why}})
        if not self._closed:
            self._spawn_soon(0)

    def close(self) -> None:
        """Stop every worker now; jobs still running fail with "unavailable"."""
        self._closed = True
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for w in workers:
            w.kill()

    # -- jobs -----------------------------------------------------------------
    def admit(self) -> "Ticket":
        """A place in the pool (running or queued), held until the ticket is
        closed; Busy at once when there is none. Take it before slow
        preparations (downloads) so a full pool refuses early."""
        if self._closed:
            raise JobFailed("unavailable")
        if not self._admit.acquire(blocking=False):
            raise Busy()
        with self._lock:
            self._admitted += 1
        if self._started:
            self._spawn_first()
        return Ticket(self)

    def run(self, fn: str, *args, **kwargs):
        with self.admit() as ticket:
            return ticket.run(fn, *args, **kwargs)

    def _run_admitted(self, fn: str, args, kwargs):
        w = self._take()
        with self._lock:
            self._busy += 1
        try:
            return self._run_on(w, fn, args, kwargs)
        finally:
            with self._lock:
                self._busy -= 1

    def _take(self) -> _Worker:
        # Worst case, every job ahead runs to its deadline.
        patience = self.deadline * (1 + self.queue_size // self.size) + 30
        end = time.monotonic() + patience
        with self._lock:
            self._waiting += 1
        try:
            while True:
                if self._closed or not self._started:
                    raise JobFailed("unavailable")
                with self._lock:
                    broken = self._failed is not None and not self._workers
                if broken:
                    raise JobFailed("unavailable")
                try:
                    w = self._idle.get(timeout=min(1.0, max(0.0, end - time.monotonic())))
                except queue.Empty:
                    if time.monotonic() >= end:
                        raise JobFailed("unavailable") from None
                    continue
                if self._stale(w):
                    self._forget(w)
                    continue
                return w
        finally:
            with self._lock:
                self._waiting -= 1

    def _run_on(self, w: _Worker, fn: str, args, kwargs):
        try:
            w.conn.send((fn, args, kwargs))
            if not w.conn.poll(self.deadline):
                self._replace(w, "deadline")
                raise JobFailed("deadline")
            msg = w.conn.recv()
        except (EOFError, OSError):
            self._replace(w, "crashed" if not self._closed else "stopped")
            raise JobFailed("crashed" if not self._closed else "unavailable") from None
        if self._stale(w):  # its job is done; the reloaded workers take the next ones
            self._forget(w)
        else:
            self._idle.put(w)
        if msg[0] == "ok":
            return msg[1]
        if msg[0] == "input":
            raise (UsageError if msg[1] == "UsageError" else InputError)(msg[2])
        raise JobFailed("error")

    # -- for /healthz and /metrics ---------------------------------------------
    def stats(self) -> dict:
        with self._lock:
            alive = len(self._workers)
            return {
                "workers": self.size,
                "alive": alive,
                "busy": self._busy,
                "queued": self._waiting,
                "admitted": self._admitted,  # running, queued, or still downloading
                "capacity": self.size + self.queue_size,
                "saturated": self._admitted >= self.size + self.queue_size,
                "restarts": self._restarts,
                "generation": self._gen,
                **({"error": self._failed} if self._failed else {}),
            }
