"""Turning text (and files) into a posted answer: shared by every surface."""

import io
import logging
import time

from bot.errors import ChsmError, UsageError
from bot.models import Finding, LineRef, TriageResult
from bot.render.slack_blocks import HELP, format_ask, format_triage, format_triage_file
from bot.triage import triage

log = logging.getLogger("chsm.slack")
LOGLIKE_LINES = 3  # a paste of this many lines is triaged, not asked


def strip_mentions(text: str) -> str:
    import re

    return re.sub(r"<@[A-Z0-9]+(?:\|[^>]+)?>", "", text or "").strip()


def looks_like_log(text: str) -> bool:
    return len([ln for ln in text.splitlines() if ln.strip()]) >= LOGLIKE_LINES


def answer_text(svc, text: str, *, in_channel: bool, surface: str, share: bool = False, context: str | None = None):
    """(plain text, blocks, attachment or None, entry ids, abstained) for a question or a paste."""
    if not text.strip():
        return "chsm-bot help", [{"type": "section", "text": {"type": "mrkdwn", "text": HELP}}], None, [], False
    engine = svc.engine()
    if looks_like_log(text):
        r = triage(engine, io.BytesIO(text.encode("utf-8")), "pasted text")
        if r.findings:
            msg, blocks, attach = format_triage(r, described="your paste", in_channel=in_channel)
            return msg, blocks, (format_triage_file(r) if attach else None), [f.answer.id for f in r.findings], False
    result = engine.ask(text)
    if result.abstained and context:
        # A follow-up like "still failing, any idea?" means something only with the thread.
        with_context = engine.ask(context + "\n" + text)
        if not with_context.abstained:
            with_context.query, with_context.redacted = result.query, result.redacted
            result = with_context
    if result.abstained:
        svc.metrics.abstains.labels(surface).inc()
    msg, blocks = format_ask(result, in_channel=in_channel, share=share)
    return msg, blocks, None, [a.id for a in result.answers[:1] if not result.abstained], result.abstained


def merge_triage(results: list[tuple[str, TriageResult]]) -> TriageResult:
    """Several files (and a paste) as one report: a problem seen in two files is one finding."""
    if len(results) == 1:
        return results[0][1]
    findings: dict[str, Finding] = {}
    unmatched: list[LineRef] = []
    lines = redacted = 0
    for name, r in results:
        lines += r.lines
        redacted += r.redacted
        for f in r.findings:
            if f.answer.id in findings:
                findings[f.answer.id].count += f.count
            else:
                findings[f.answer.id] = f.model_copy(update={"text": f"[{name}] {f.text}"})
        unmatched += [u.model_copy(update={"text": f"[{name}] {u.text}"}) for u in r.unmatched]
    return TriageResult(source=", ".join(n for n, _ in results), lines=lines, redacted=redacted, findings=list(findings.values()), unmatched=unmatched)


def post_reply(svc, client, *, channel: str, thread_ts: str | None, text: str, blocks: list, attachment: str | None, update_ts: str | None = None):
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


def safe_answer(svc, text: str, **kw):
    """answer_text, with failures turned into a plain message for the user."""
    try:
        return answer_text(svc, text, **kw)
    except UsageError as exc:
        return str(exc), [{"type": "section", "text": {"type": "mrkdwn", "text": str(exc)}}], None, [], False
    except (ChsmError, RuntimeError) as exc:
        svc.metrics.errors.labels("internal").inc()
        log.error("answer failed", extra={"fields": {"error": str(exc)[:200]}})
        msg = f"Sorry, I can't answer right now ({str(exc)[:150]}). Try again in a minute."
        return msg, [{"type": "section", "text": {"type": "mrkdwn", "text": msg}}], None, [], False


def observe(svc, surface: str, started: float, entries: list[str], event_id: str | None, abstained: bool) -> None:
    latency = time.perf_counter() - started
    svc.metrics.reply.labels(surface).observe(latency)
    log.info(
        "replied",
        extra={"fields": {"surface": surface, "event_id": event_id, "latency_ms": round(latency * 1000, 1), "entries": entries, "abstained": abstained}},
    )
