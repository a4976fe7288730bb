"""`/chsm <question>`: acked at once, answered only to the caller via
response_url, with a button to share the answer in the channel."""

from slack_bolt import App

from bot.render.slack_blocks import HELP, TRIAGE_HOW
from bot.slack import replies
from bot.slack.services import Services

HELP_WORDS = ("", "help", "-h", "--help")


def _text(command) -> str:
    text = command.get("text") if isinstance(command, dict) else None
    return text.strip() if isinstance(text, str) else ""


def register(app: App, svc: Services) -> None:
    def ack_fast(ack, command):
        text = _text(command)
        if text.lower() in HELP_WORDS:
            svc.metrics.requests.labels("slash").inc()
            ack(response_type="ephemeral", text="chsm-bot help", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": HELP}}])
        elif text.lower() == "triage":
            svc.metrics.requests.labels("slash").inc()
            cfg = svc.settings
            ack(response_type="ephemeral", text=TRIAGE_HOW.format(max_files=cfg.chsm_max_files, max_mb=cfg.chsm_max_file_bytes // 1_000_000))
        else:
            ack()

    def answer(command, respond):
        text = _text(command)
        if text.lower() in (*HELP_WORDS, "triage") or not isinstance(command.get("response_url"), str):
            return
        replies.respond(
            svc, "slash", text, in_channel=False, share=True,
            post=lambda msg, blocks, _attach: svc.call(respond, "response_url", response_type="ephemeral", text=msg, blocks=blocks, replace_original=False),
        )

    app.command("/chsm")(ack=ack_fast, lazy=[answer])
