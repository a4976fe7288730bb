"""A DM with pasted text and/or attached log files: every distinct problem,
in one reply in the DM's thread, with progress shown while it works.

Files take a place in the worker pool before anything is downloaded (a
full pool says so at once), are downloaded to a private temp folder under a
deadline for the whole message, and are triaged in one call in a worker
under the triage budget. The "Triaging…" message and the :eyes: reaction
always end: with the report, or with a clear error."""

import shutil
import tempfile
import time

from slack_sdk import WebClient

from bot import answer
from bot.render.slack_blocks import format_reply
from bot.slack import files as slack_files
from bot.slack.replies import BUSY, GENERIC, failure_notice, ignored, observe, post_reply, respond, s
from bot.slack.services import Progress, Services
from bot.slack.workers import Busy

ALLOWED_SUBTYPES = {None, "file_share"}


def handle(svc: Services, event: dict, body: dict, client: WebClient) -> None:
    event_id = s(body, "event_id")
    if event.get("bot_id") or event.get("subtype") not in ALLOWED_SUBTYPES:
        return ignored(svc, "bot message or edit", event_id)
    channel, ts = s(event, "channel"), s(event, "ts")
    if not channel or not ts:
        return ignored(svc, "malformed event", event_id)
    thread_ts = s(event, "thread_ts") or ts
    text = s(event, "text") or ""
    shared = event.get("files")
    shared = [f for f in shared if isinstance(f, dict)] if isinstance(shared, list) else []

    def post(msg, blocks, attach, update_ts=None):
        return post_reply(svc, client, channel=channel, thread_ts=thread_ts, text=msg, blocks=blocks, attachment=attach, update_ts=update_ts)

    if not shared:  # a question or a pasted log: the same path as a mention
        respond(svc, "dm", text, event_id=event_id, in_channel=False, post=post)
        return
    triage_files(svc, client, event_id, channel, ts, thread_ts, text, shared, post)


def triage_files(svc: Services, client: WebClient, event_id, channel: str, ts: str, thread_ts: str, text: str, shared: list[dict], post) -> None:
    started = time.perf_counter()
    svc.metrics.requests.labels("dm").inc()
    cfg = svc.settings
    try:
        ticket = svc.pool.admit()
    except Busy as exc:
        reply = failure_notice(svc, exc)
        msg, blocks, _ = format_reply(reply, in_channel=False)
        post(msg, blocks, None)
        observe(svc, "dm", started, reply, event_id)
        return
    notes: list[str] = []
    if len(shared) > cfg.chsm_max_files:
        notes.append(f"You sent {len(shared)} files; I triage at most {cfg.chsm_max_files} at once, so I read the first {cfg.chsm_max_files}.")
        shared = shared[: cfg.chsm_max_files]
    progress = Progress(svc, client, channel, ts, thread_ts)
    folder = None
    reply = answer.notice(GENERIC)
    try:
        with ticket:
            progress.start(f"Triaging {len(shared)} file(s)…")
            folder = tempfile.mkdtemp(prefix="chsm-dm-")
            fetched = slack_files.fetch(
                shared, token=cfg.slack_bot_token, api_url=cfg.slack_api_url, max_bytes=cfg.chsm_max_file_bytes,
                seconds=cfg.chsm_download_seconds, folder=folder,
            )
            for f in fetched:
                if f.refused:
                    notes.append(f.refused)
                    svc.metrics.errors.labels("download").inc()
            ready = [(f.name, f.path) for f in fetched if f.path]
            if ready or text.strip():
                try:
                    reply = ticket.run("bot.answer:triage_files", ready, text=text, budget=svc.budget(), notes=notes)
                    svc.metrics.jobs.labels("ok").inc()
                except Exception as exc:  # each kind becomes its own plain sentence
                    reply = failure_notice(svc, exc)
            else:
                reply = answer.notice("Nothing I could read: " + "; ".join(notes or ["no text and no files"]))
        msg, blocks, attach = format_reply(reply, in_channel=False, stash=svc.store.stash_query)
        progress.end(lambda: post(msg, blocks, attach, update_ts=progress.message_ts))
    finally:
        progress.fail(GENERIC if reply.notice != BUSY else BUSY)  # a no-op when the reply went out
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        observe(svc, "dm", started, reply, event_id)
