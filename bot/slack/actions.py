"""Buttons: Share in channel, Helpful / Not helpful, Still stuck."""

import json
import logging

from bot.render.slack_blocks import format_ask

log = logging.getLogger("chsm.slack")


def _value(body) -> dict:
    try:
        return json.loads(body["actions"][0]["value"])
    except (KeyError, IndexError, ValueError):
        return {}


def _oncall_mention(handle: str) -> str:
    handle = handle.strip()
    if handle.startswith("<"):
        return handle
    if handle.startswith("S"):
        return f"<!subteam^{handle}>"
    if handle[:1] in ("U", "W"):
        return f"<@{handle}>"
    return handle


def register(app, svc) -> None:
    @app.action("chsm_share")
    def share(ack, body, client, respond):
        ack()
        svc.metrics.requests.labels("action").inc()
        v = _value(body)
        channel = (body.get("channel") or {}).get("id")
        user = (body.get("user") or {}).get("id")
        if not v.get("q") or not channel:
            return
        result = svc.engine().ask(v["q"])
        text, blocks = format_ask(result, in_channel=True)
        blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Shared by <@{user}> from `/chsm`"}]})
        posted = svc.call(client.chat_postMessage, "chat.postMessage", channel=channel, text=text, blocks=blocks, unfurl_links=False)
        if posted is None:
            respond(response_type="ephemeral", replace_original=False, text="I can't post in this channel. Invite me with `/invite @chsm-bot` and try again.")
        else:
            respond(delete_original=True)

    def vote(verdict: str):
        def handler(ack, body, respond):
            ack()
            svc.metrics.requests.labels("action").inc()
            v = _value(body)
            svc.store.vote((body.get("user") or {}).get("id", ""), v.get("e"), verdict, v.get("q", ""), "button")
            svc.metrics.feedback.labels(verdict).inc()
            log.info("feedback", extra={"fields": {"verdict": verdict, "entry": v.get("e")}})
            respond(response_type="ephemeral", replace_original=False, text="Thanks, noted. It helps us fix the docs and rules that miss.")

        return handler

    app.action("chsm_helpful")(vote("helpful"))
    app.action("chsm_not_helpful")(vote("not_helpful"))

    @app.action("chsm_stuck")
    def stuck(ack, body, client, respond):
        ack()
        svc.metrics.requests.labels("action").inc()
        v = _value(body)
        user = (body.get("user") or {}).get("id", "")
        svc.store.vote(user, v.get("e"), "stuck", v.get("q", ""), "button")
        svc.metrics.feedback.labels("stuck").inc()
        handle = svc.settings.chsm_oncall
        if not handle:
            respond(response_type="ephemeral", replace_original=False, text="No on-call is configured (CHSM_ONCALL). Ask in your team's channel and include the exact error text.")
            return
        channel = (body.get("channel") or {}).get("id")
        msg = body.get("message") or {}
        thread_ts = msg.get("thread_ts") or msg.get("ts")  # absent for an ephemeral answer
        tried = f"the doc entry *{v['t']}*" if v.get("t") else "the docs (no confident match)"
        summary = f"{_oncall_mention(handle)}: <@{user}> is still stuck after trying {tried}.\n> {v.get('q', '')[:500]}"
        posted = svc.call(client.chat_postMessage, "chat.postMessage", channel=channel, thread_ts=thread_ts, text=summary)
        respond(
            response_type="ephemeral",
            replace_original=False,
            text="I've pinged on-call in the thread." if posted is not None else "I couldn't post here; please ping on-call yourself.",
        )
