"""A DM with pasted text and/or attached log files: every distinct problem,
in one reply in the DM's thread, with progress shown while it works."""

import io
import time

from bot.errors import InputError
from bot.render.slack_blocks import format_triage, format_triage_file
from bot.slack import files as slack_files
from bot.slack.replies import merge_triage, observe, post_reply, safe_answer
from bot.triage import triage

ALLOWED_SUBTYPES = {None, "file_share"}


def handle(svc, event, body, client) -> None:
    if event.get("bot_id") or event.get("subtype") not in ALLOWED_SUBTYPES:
        return
    started = time.perf_counter()
    svc.metrics.requests.labels("dm").inc()
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts") or ts
    text = event.get("text") or ""
    shared = event.get("files") or []
    if not shared:  # a question or a pasted log: the same path as a mention
        msg, blocks, attach, entries, abstained = safe_answer(svc, text, in_channel=False, surface="dm")
        post_reply(svc, client, channel=channel, thread_ts=thread_ts, text=msg, blocks=blocks, attachment=attach)
        observe(svc, "dm", started, entries, body.get("event_id"), abstained)
        return

    svc.call(client.reactions_add, "reactions.add", channel=channel, timestamp=ts, name="eyes")
    notes: list[str] = []
    cfg = svc.settings
    if len(shared) > cfg.chsm_max_files:
        notes.append(f"You sent {len(shared)} files; I triage at most {cfg.chsm_max_files} at once, so I read the first {cfg.chsm_max_files}.")
        shared = shared[: cfg.chsm_max_files]
    res = svc.call(client.chat_postMessage, "chat.postMessage", channel=channel, thread_ts=thread_ts, text=f"Triaging {len(shared)} file(s)…")
    progress_ts = res["ts"] if res is not None else None

    sources: list[tuple[str, bytes]] = []
    if text.strip():  # a note typed with the files is triaged with them
        sources.append(("message", text.encode("utf-8")))
    for f in slack_files.fetch(shared, svc.settings.slack_bot_token, svc.settings.chsm_max_file_bytes):
        if f.refused:
            notes.append(f.refused)
            svc.metrics.errors.labels("download").inc()
        else:
            sources.append((f.name, f.data))
    try:
        engine = svc.engine()
        results = []
        for name, data in sources:
            try:
                results.append((name, triage(engine, io.BytesIO(data), name)))
            except InputError as exc:
                notes.append(f"skipped {name}: {exc}")
        if results:
            r = merge_triage(results)
            described = ", ".join(n for n, _ in results)
            msg, blocks, attach = format_triage(r, described=described, in_channel=False, notes=notes)
            attachment = format_triage_file(r) if attach else None
            entries = [f.answer.id for f in r.findings]
        else:
            msg = "Nothing I could read: " + "; ".join(notes or ["no text and no files"])
            blocks, attachment, entries = [{"type": "section", "text": {"type": "mrkdwn", "text": msg}}], None, []
    except RuntimeError as exc:
        msg = f"Sorry, I can't triage right now ({exc})."
        blocks, attachment, entries = [{"type": "section", "text": {"type": "mrkdwn", "text": msg}}], None, []
    post_reply(svc, client, channel=channel, thread_ts=thread_ts, text=msg, blocks=blocks, attachment=attachment, update_ts=progress_ts)
    svc.call(client.reactions_remove, "reactions.remove", channel=channel, timestamp=ts, name="eyes")
    observe(svc, "dm", started, entries, body.get("event_id"), not entries)
