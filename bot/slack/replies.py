"""The Slack side of answering: where the work runs, how failures read, how a
reply is posted and logged. What to answer is bot/answer.py's decision.

Short questions are answered in this process (milliseconds, no GIL-heavy
work); pastes that look like logs and very long texts go to the worker pool,
so they can never stall acks or other answers."""

import logging
import re
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from slack_sdk import WebClient

from bot import answer
from bot.answer import Reply
from bot.errors import ChsmError, EngineNotReady, InputError, UsageError
from bot.render.slack_blocks import ATTACHED, format_reply
from bot.slack.channels import ChannelSettings
from bot.slack.services import Services
from bot.slack.workers import Busy, JobFailed

log = logging.getLogger("chsm.slack")

BUSY = "I'm busy triaging other logs, try again in a minute."
FAILED = {
    "deadline": "That took too long, so I stopped it. Try a smaller log, or just the lines around the error.",
    "crashed": "Sorry, that failed on my side (the worker stopped). Try again in a minute; if it keeps failing, send a smaller log.",
    "unavailable": "Sorry, I can't triage right now: my workers are not running. Try again in a few minutes.",
    "error": "Sorry, that failed on my side. Try again in a minute.",
}
GENERIC = "Sorry, something went wrong on my side. Try again in a minute."
TOO_LONG_HERE = "The full report is too long to show here. Send me the log in a direct message to get it as a file."
STOPPING = "I was restarted before I could finish this. Please send it again in a minute."


def strip_mentions(text: str) -> str:
    return re.sub(r"<@[A-Z0-9]+(?:\|[^>]+)?>", "", text or "").strip()


def s(d: dict, key: str) -> str | None:
    """A string field of a Slack payload, or None if absent or of another type."""
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, str) else None


def response_url_ok(url) -> bool:
    """A response_url we can post to (Slack's are https://hooks.slack.com/...)."""
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return False
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:
        return False


def malformed(event: dict, *optional: str) -> bool:
    """channel and ts must be strings; each optional field, if present, too."""
    if not isinstance(event.get("channel"), str) or not isinstance(event.get("ts"), str):
        return True
    return any(event.get(k) is not None and not isinstance(event[k], str) for k in optional)


def ignored(svc: Services, reason: str, event_id: str | None, *, quiet: bool = False) -> None:
    """Every event ends in one log line: "replied" or this."""
    svc.metrics.ignored.labels(reason).inc()
    (log.debug if quiet else log.info)("ignored", extra={"fields": {"event_id": event_id, "reason": reason}})


def failure_notice(svc: Services, exc: BaseException) -> Reply:
    """A failure as a sentence a user may read: never a path, never exception text."""
    if isinstance(exc, Busy):
        svc.metrics.jobs.labels("busy").inc()
        return answer.notice(BUSY)
    if isinstance(exc, JobFailed):
        svc.metrics.jobs.labels(exc.reason).inc()
        svc.metrics.errors.labels(f"job:{exc.reason}").inc()
        return answer.notice(FAILED.get(exc.reason, FAILED["error"]))
    if isinstance(exc, (UsageError, InputError, EngineNotReady)):  # written for users
        return answer.notice(str(exc))
    svc.metrics.errors.labels("internal").inc()
    log.error("answer failed", exc_info=not isinstance(exc, ChsmError), extra={"fields": {"error": type(exc).__name__}})
    return answer.notice(GENERIC)


def compute(svc: Services, text: str, *, context: str | None = None) -> Reply:
    """The Reply for a question or a paste; heavy ones in a worker. Never raises."""
    try:
        if answer.is_heavy(text):
            reply = svc.pool.run("bot.answer:answer", text, context=context, budget=svc.budget())
            svc.metrics.jobs.labels("ok").inc()
            return reply
        engine = svc.engine()
        with svc.cpu:
            return answer.answer(engine, text, context=context)
    except Exception as exc:  # each kind becomes its own plain sentence
        return failure_notice(svc, exc)


def post_reply(svc: Services, client: WebClient, *, channel: str, thread_ts: str | None, text: str, blocks: list, attachment: str | None, update_ts: str | None = None):
    if update_ts:
        res = svc.call(client.chat_update, "chat.update", channel=channel, ts=update_ts, text=text, blocks=blocks)
    else:
        res = svc.call(client.chat_postMessage, "chat.postMessage", channel=channel, thread_ts=thread_ts, text=text, blocks=blocks, unfurl_links=False)
    if attachment and res is not None:
        svc.call(
            client.files_upload_v2, "files.upload", channel=channel, thread_ts=thread_ts,
            content=attachment, filename="chsm-triage.txt", title="chsm-bot full triage report",
        )
    return res


def observe(svc: Services, surface: str, started: float, reply: Reply, event_id: str | None) -> None:
    latency = time.perf_counter() - started
    svc.metrics.reply.labels(surface).observe(latency)
    if reply.kind == "ask" and reply.abstained:
        svc.metrics.abstains.labels(surface).inc()
        if reply.ask is not None and reply.ask.scope is None and reply.ask.query.strip():  # another product's question is not a doc to write
            svc.store.record_unanswered(reply.ask.query, surface)
    log.info(
        "replied",
        extra={"fields": {
            "surface": surface, "event_id": event_id, "kind": reply.kind, "latency_ms": round(latency * 1000, 1),
            "entries": reply.entries, "abstained": reply.abstained,
        }},
    )


Post = Callable[[str, list, str | None], object]


def poster(svc: Services, client: WebClient, here: ChannelSettings, *, channel: str, thread_ts: str, user: str | None, thread_exists: bool) -> Post:
    """How an answer goes out in this channel: in the thread for everyone
    (today's way), or ephemeral to the asker. Slack shows an ephemeral
    message in a thread only once that thread exists, so the answer to a
    top-level mention goes beside it in the channel, still seen by the
    asker alone."""
    if not here.ephemeral or not user:
        return lambda msg, blocks, attach: post_reply(svc, client, channel=channel, thread_ts=thread_ts, text=msg, blocks=blocks, attachment=attach)

    def ephemeral(msg: str, blocks: list, attach: str | None):
        if attach:  # a file upload would be seen by the whole channel
            blocks = [b for b in blocks if not _attachment_note(b)]
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": TOO_LONG_HERE}]})
        return svc.call(
            client.chat_postEphemeral, "chat.postEphemeral", channel=channel, user=user,
            thread_ts=thread_ts if thread_exists else None, text=msg, blocks=blocks,
        )

    return ephemeral


def _attachment_note(block: dict) -> bool:
    """The renderer's "the full report is attached" line, which is not true here."""
    return block.get("type") == "context" and any(
        isinstance(e, dict) and e.get("text") == ATTACHED for e in block.get("elements", [])
    )


def respond(svc: Services, surface: str, text: str, *, post: Post, in_channel: bool, event_id: str | None = None, share: bool = False, context: str | None = None) -> Reply:
    """The skeleton every surface shares: count, answer safely, post, log."""
    started = time.perf_counter()
    svc.metrics.requests.labels(surface).inc()
    reply = compute(svc, text, context=context)
    msg, blocks, attachment = format_reply(reply, in_channel=in_channel, share=share, stash=svc.store.stash_query)
    post(msg, blocks, attachment)
    observe(svc, surface, started, reply, event_id)
    return reply


def thread_memory(reply: Reply, text: str) -> tuple[str, bool]:
    """What to remember of a question for follow-ups: (text, already masked).
    The engine's masked query when there is one, so a long text is never
    masked again in this process."""
    if reply.ask is not None:
        return reply.ask.query, True
    if reply.triage is not None:
        return "\n".join(f.text for f in reply.triage.findings[:10]), True
    if answer.is_heavy(text):
        return "", True
    return text, False
