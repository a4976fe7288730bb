"""`@chsm-bot <question or pasted error>` in a channel: a threaded reply."""

import time

from bot.slack.replies import observe, post_reply, safe_answer, strip_mentions


def register(app, svc) -> None:
    @app.event("app_mention")
    def on_mention(event, body, client):
        if event.get("bot_id"):
            return
        started = time.perf_counter()
        svc.metrics.requests.labels("mention").inc()
        channel = event["channel"]
        thread_ts = event.get("thread_ts") or event["ts"]
        text = strip_mentions(event.get("text", ""))
        msg, blocks, attach, entries, abstained = safe_answer(svc, text, in_channel=True, surface="mention")
        post_reply(svc, client, channel=channel, thread_ts=thread_ts, text=msg, blocks=blocks, attachment=attach)
        if text:
            svc.store.remember_thread(channel, thread_ts, text)
        observe(svc, "mention", started, entries, body.get("event_id"), abstained)
