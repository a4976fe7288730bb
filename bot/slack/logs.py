"""Structured logs: JSON lines when stderr is not a TTY, readable text when it
is. Fields go in `extra={"fields": {...}}`; callers pass ids and timings,
never user text (what little text is logged is masked first)."""

import json
import logging
import sys
import time


class _Json(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class _Text(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in getattr(record, "fields", {}).items())
        return f"{record.levelname.lower():7} {record.getMessage()} {fields}".rstrip()


def setup(level: int = logging.INFO) -> logging.Logger:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Text() if sys.stderr.isatty() else _Json())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("slack_bolt", "slack_sdk", "waitress", "httpx", "bm25s", "faiss", "faiss.loader"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # response_url posts go through Services.call, which logs a failure once, as
    # a warning with the method and the error's type; the client's own line is a
    # duplicate at error level.
    logging.getLogger("slack_sdk.webhook.client").setLevel(logging.CRITICAL)

    return logging.getLogger("chsm")
