"""Buttons: Share in channel, Helpful / Not helpful, Still stuck."""

import logging
import re

from slack_bolt import App
from slack_sdk import WebClient

from bot.render.slack_blocks import format_reply
from bot.slack import buttons
from bot.slack.replies import compute, response_url_ok, s
from bot.slack.services import Services

log = logging.getLogger("chsm.slack")
STORE_NOTE = " (I couldn't save it just now: my storage is unavailable. Thanks all the same.)"


def _data(svc: Services, body: dict) -> buttons.ButtonData:
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    return buttons.decode(first.get("value"), svc.store.stashed_query)


def _id(body: dict, key: str) -> str | None:
    return s(body.get(key) or {}, "id") if isinstance(body.get(key), dict) else None


def _tell(svc: Services, respond, body: dict, **kw) -> None:
    """Answer the clicker through response_url, when there is a usable one."""
    if response_url_ok(body.get("response_url")):
        svc.call(respond, "response_url", **kw)


def _oncall_mention(handle: str) -> str:
    """A user group id pings the group, a user id the user; anything else
    (an already formatted mention, plain text) is posted as written."""
    handle = handle.strip()
    if re.fullmatch(r"S[A-Z0-9]+", handle):
        return f"<!subteam^{handle}>"
    if re.fullmatch(r"[UW][A-Z0-9]+", handle):
        return f"<@{handle}>"
    return handle


def share(svc: Services, body: dict, client: WebClient, respond) -> None:
    v = _data(svc, body)
    channel, user = _id(body, "channel"), _id(body, "user")
    if not v.query or not channel:
        _tell(svc, respond, body, response_type="ephemeral", replace_original=False,
                 text="I can't share that answer any more (it is too old). Ask again with `/chsm`.")
        return
    reply = compute(svc, v.query)
    text, blocks, _ = format_reply(reply, in_channel=True, stash=svc.store.stash_query)
    who = f"<@{user}>" if user else "someone"
    blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Shared by {who} from `/chsm`"}]})
    posted = svc.call(client.chat_postMessage, "chat.postMessage", channel=channel, text=text, blocks=blocks, unfurl_links=False)
    if posted is None:
        _tell(svc, respond, body, response_type="ephemeral", replace_original=False,
                 text="I can't post in this channel. Invite me with `/invite @chsm-bot` and try again.")
    else:
        _tell(svc, respond, body, delete_original=True)


def vote(svc: Services, verdict: str, body: dict, respond) -> bool:
    v = _data(svc, body)
    stored = svc.store.vote(_id(body, "user") or "", v.entry, verdict, v.query, "button")
    svc.metrics.feedback.labels(verdict).inc()
    if not stored:
        svc.metrics.errors.labels("store").inc()
    log.info("feedback", extra={"fields": {"verdict": verdict, "entry": v.entry, "stored": stored}})
    return stored


def stuck(svc: Services, body: dict, client: WebClient, respond) -> None:
    stored = vote(svc, "stuck", body, respond)
    note = "" if stored else STORE_NOTE
    v = _data(svc, body)
    user = _id(body, "user") or ""
    channel = _id(body, "channel")
    handle = svc.channels.get(channel).oncall_or(svc.settings.chsm_oncall)  # this channel's, else CHSM_ONCALL
    if not handle:
        _tell(svc, respond, body, response_type="ephemeral", replace_original=False,
                 text="No on-call is configured here (CHSM_ONCALL, or `oncall` in the channels file). Ask in your team's channel and include the exact error text." + note)
        return
    raw, box = body.get("message"), body.get("container")
    msg = raw if isinstance(raw, dict) else {}
    # An ephemeral answer has no `message`; its container names the thread it was shown in.
    thread_ts = s(msg, "thread_ts") or s(msg, "ts") or s(box if isinstance(box, dict) else {}, "thread_ts")
    tried = f"the doc entry *{v.title}*" if v.title else "the docs (no confident match)"
    quoted = " ".join(v.query[:500].split())
    summary = f"{_oncall_mention(handle)}: <@{user}> is still stuck after trying {tried}.\n> {quoted}"
    posted = svc.call(client.chat_postMessage, "chat.postMessage", channel=channel, thread_ts=thread_ts, text=summary) if channel else None
    _tell(svc, respond, body, response_type="ephemeral", replace_original=False,
             text=("I've pinged on-call in the thread." if posted is not None else "I couldn't post here; please ping on-call yourself.") + note)


def register(app: App, svc: Services) -> None:
    @app.action(buttons.SHARE)
    def on_share(ack, body, client, respond):
        ack()
        svc.metrics.requests.labels("action").inc()
        share(svc, body, client, respond)

    def on_vote(verdict: str):
        def handler(ack, body, respond):
            ack()
            svc.metrics.requests.labels("action").inc()
            stored = vote(svc, verdict, body, respond)
            text = "Thanks, noted. It helps us fix the docs and rules that miss."
            _tell(svc, respond, body, response_type="ephemeral", replace_original=False, text=text + ("" if stored else STORE_NOTE))

        return handler

    app.action(buttons.HELPFUL)(on_vote(buttons.VERDICTS[buttons.HELPFUL]))
    app.action(buttons.NOT_HELPFUL)(on_vote(buttons.VERDICTS[buttons.NOT_HELPFUL]))

    @app.action(buttons.STUCK)
    def on_stuck(ack, body, client, respond):
        ack()
        svc.metrics.requests.labels("action").inc()
        stuck(svc, body, client, respond)
