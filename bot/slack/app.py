"""The Bolt app: one place that builds it and registers every listener."""

import json
import logging
import re

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.errors import ConfigError
from bot.slack import actions, limits, mention, messages, slash
from bot.slack.replies import ignored
from bot.slack.services import Services

log = logging.getLogger("chsm.slack")


def web_client(token: str, base_url: str) -> WebClient:
    """Every Web API call goes to SLACK_API_URL; 429s wait Retry-After."""
    return WebClient(
        token=token,
        base_url=base_url.rstrip("/") + "/",
        timeout=15,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2), ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def check_tokens(cfg, *, http: bool) -> None:
    if not cfg.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...)")
    if not cfg.slack_bot_token.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN does not look like a bot token (it should start with xoxb-)")
    if http and not cfg.slack_signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET is not set (needed to verify requests in HTTP mode)")
    if not http:
        if not cfg.slack_app_token:
            raise ConfigError("SLACK_APP_TOKEN is not set (the app-level token, xapp-..., for Socket Mode)")
        if not cfg.slack_app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN does not look like an app-level token (it should start with xapp-)")


def build_app(svc: Services, *, http: bool) -> App:
    cfg = svc.settings
    check_tokens(cfg, http=http)
    client = web_client(cfg.slack_bot_token, cfg.slack_api_url)
    try:
        app = App(
            name="chsm-bot",  # without one, bolt reads the caller's source through inspect.stack(): 50 ms
            client=client,
            signing_secret=cfg.slack_signing_secret or "socket-mode-does-not-sign",
            request_verification_enabled=http,
            process_before_response=False,
            logger=_bolt_logger(),
            listener_executor=svc.executor,
            ignoring_self_events_enabled=False,  # done below, so that it is logged like every other drop
        )
    except (BoltError, SlackApiError) as exc:  # auth.test failed
        raise ConfigError(f"Slack rejected SLACK_BOT_TOKEN ({_reason(exc)})") from None
    except Exception as exc:
        raise ConfigError(f"cannot reach the Slack API at {cfg.slack_api_url} ({type(exc).__name__})") from None

    @app.middleware
    def once_per_event(body, next):
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if isinstance(event_id, str) and event_id and not svc.store.first_time(event_id):
            svc.metrics.duplicates.inc()
            log.info("duplicate event ignored", extra={"fields": {"event_id": event_id}})
            return BoltResponse(status=200, body="")
        return next()

    @app.middleware
    def not_our_own(body, context, next):
        event = body.get("event") if isinstance(body, dict) else None
        if isinstance(event, dict) and (
            (event.get("bot_id") and event.get("bot_id") == context.bot_id)
            or (event.get("user") and event.get("user") == context.bot_user_id)
        ):
            ignored(svc, "own message", body.get("event_id") if isinstance(body.get("event_id"), str) else None)
            return BoltResponse(status=200, body="")
        return next()

    @app.middleware
    def within_limits(body, client, next):
        who = limits.asker(svc, body) if isinstance(body, dict) else None
        over = limits.over_limit(svc, who) if who is not None else None
        if who is None or over is None:
            return next()
        ignored(svc, "rate limited", body.get("event_id") if isinstance(body.get("event_id"), str) else None)
        if who.slash:  # the ack itself carries the note, only the caller sees it
            return BoltResponse(status=200, body=json.dumps({"response_type": "ephemeral", "text": over.note}), headers={"content-type": "application/json"})
        if over.first and who.channel and who.user:
            svc.executor.submit(
                svc.call, client.chat_postEphemeral, "chat.postEphemeral", channel=who.channel, user=who.user, text=over.note, thread_ts=who.thread_ts,
            )
        return BoltResponse(status=200, body="")

    @app.error
    def on_error(error, body):
        svc.metrics.errors.labels("internal").inc()
        event_id = body.get("event_id") if isinstance(body, dict) else None
        log.error("listener failed", exc_info=error, extra={"fields": {"error": type(error).__name__, "event_id": event_id}})

    for module in (mention, messages, slash, actions):
        module.register(app, svc)
    return app


def _bolt_logger() -> logging.Logger:
    """Bolt copies this logger's level to its own. ERROR: it warns at start that
    it ignores the SLACK_BOT_TOKEN it read itself, since we pass our WebClient
    (for SLACK_API_URL and retries); its real errors still show."""
    logger = logging.getLogger("chsm.bolt")
    logger.setLevel(logging.ERROR)
    return logger


def _reason(exc: Exception) -> str:
    resp = getattr(exc, "response", None)
    if resp is not None and hasattr(resp, "get"):
        return str(resp.get("error"))
    m = re.search(r"'error': '([a-z_]+)'", str(exc))  # Bolt's message quotes auth.test's answer
    return m.group(1) if m else str(exc)[:120]
