"""What every listener needs: the engine (loaded once, in the background),
settings, storage, metrics, and one way to call Slack that never crashes."""

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.slack.dedupe import SeenEvents
from bot.slack.feedback import FeedbackStore
from bot.slack.metrics import Metrics

log = logging.getLogger("chsm.slack")


class Services:
    def __init__(self, settings: Settings, corpus_dir: Path, index_dir: Path):
        self.settings = settings
        self.corpus_dir, self.index_dir = corpus_dir, index_dir
        self.metrics = Metrics()
        self.store = FeedbackStore(settings.chsm_data_dir)
        self.seen = SeenEvents()
        self._engine = None
        self._engine_error: str | None = None
        self._ready = threading.Event()

    # -- the engine, loaded once ------------------------------------------------
    def load_engine(self) -> None:
        from bot.search.engine import Engine

        t = time.perf_counter()
        try:
            self._engine = Engine.open(self.corpus_dir, self.index_dir, log=lambda m: log.info(m))
            log.info("index loaded", extra={"fields": {"entries": len(self._engine.entries), "seconds": round(time.perf_counter() - t, 2)}})
        except Exception as exc:  # reported by /healthz and every reply
            self._engine_error = f"{type(exc).__name__}: {exc}"
            log.error("index failed to load", extra={"fields": {"error": self._engine_error}})
        finally:
            self._ready.set()

    def load_engine_in_background(self) -> None:
        threading.Thread(target=self.load_engine, name="engine-load", daemon=True).start()

    def health(self) -> dict:
        if self._engine is not None:
            m = self._engine.index.manifest
            return {"status": "ok", "entries": m["entries"], "model": m["model"], "corpus_hash": m["corpus_hash"][:12]}
        return {"status": "error" if self._engine_error else "loading", "error": self._engine_error}

    def engine(self, wait: float = 300):
        if not self._ready.wait(wait) or self._engine is None:
            raise RuntimeError(self._engine_error or "the index is still loading")
        return self._engine

    # -- Slack calls ----------------------------------------------------------------
    def call(self, fn: Callable, what: str, **kwargs):
        """A Web API call whose failure is logged and counted, never raised:
        rate limits are retried by the client (Retry-After) before we get here."""
        try:
            return fn(**kwargs)
        except SlackApiError as exc:
            err = exc.response.get("error", "unknown") if exc.response is not None else "unknown"
            self.metrics.errors.labels(f"slack:{err}").inc()
            log.warning("slack call failed", extra={"fields": {"method": what, "error": err, "channel": kwargs.get("channel")}})
        except Exception as exc:  # network trouble: same policy
            self.metrics.errors.labels("slack:transport").inc()
            log.warning("slack call failed", extra={"fields": {"method": what, "error": type(exc).__name__}})
        return None
