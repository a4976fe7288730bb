"""`/chsm <question>`: acked at once, answered only to the caller via
response_url, with a button to share the answer in the channel."""

import time

from bot.render.slack_blocks import HELP, TRIAGE_HOW
from bot.slack.replies import observe, safe_answer


def register(app, svc) -> None:
    def ack_fast(ack, command):
        text = (command.get("text") or "").strip()
        svc.metrics.requests.labels("slash").inc()
        if text.lower() in ("", "help", "-h", "--help"):
            ack(response_type="ephemeral", text="chsm-bot help", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": HELP}}])
        elif text.lower() == "triage":
            cfg = svc.settings
            ack(response_type="ephemeral", text=TRIAGE_HOW.format(max_files=cfg.chsm_max_files, max_mb=cfg.chsm_max_file_bytes // 1_000_000))
        else:
            ack()

    def answer(command, respond):
        text = (command.get("text") or "").strip()
        if text.lower() in ("", "help", "-h", "--help", "triage"):
            return
        started = time.perf_counter()
        msg, blocks, attach, entries, abstained = safe_answer(svc, text, in_channel=False, surface="slash", share=True)
        respond(response_type="ephemeral", text=msg, blocks=blocks, replace_original=False)
        observe(svc, "slash", started, entries, None, abstained)

    app.command("/chsm")(ack=ack_fast, lazy=[answer])
