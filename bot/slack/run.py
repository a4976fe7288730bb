"""`chsm serve`: Socket Mode, or HTTP with --http."""

import logging
from pathlib import Path

from bot.config import settings
from bot.slack import logs
from bot.slack.app import build_app
from bot.slack.services import Services

log = logging.getLogger("chsm.slack")


def serve(corpus_dir: Path, index_dir: Path, *, http: bool, host: str, port: int) -> int:
    # Until the tokens are checked, only our one-line error may reach stderr.
    for name in ("slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    cfg = settings()
    svc = Services(cfg, corpus_dir, index_dir)
    app = build_app(svc, http=http)  # checks the tokens with auth.test before anything else
    logs.setup()
    svc.load_engine_in_background()
    if http:
        from waitress import create_server

        from bot.slack.web import wsgi_app

        server = create_server(
            wsgi_app(app, svc), host=host, port=port, threads=16, backlog=1024, ident="chsm-bot", connection_limit=500
        )
        log.info("listening", extra={"fields": {"mode": "http", "url": f"http://{host}:{server.effective_port}"}})
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
        return 0
    handler = socket_handler(app, cfg.slack_app_token)
    log.info("connecting", extra={"fields": {"mode": "socket"}})
    try:
        handler.start()
    except KeyboardInterrupt:
        pass
    return 0


def socket_handler(app, app_token: str):
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    # The app's own WebClient, so apps.connections.open goes to SLACK_API_URL too.
    return SocketModeHandler(app, app_token, web_client=app.client)
