"""Socket Mode wiring: same app, same listeners, Web API through SLACK_API_URL."""

import time

import pytest
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.config import Settings
from bot.errors import ConfigError
from bot.slack.app import build_app
from bot.slack.run import socket_handler
from bot.slack.services import Services

from conftest import CORPUS
from fake_slack import BOT_TOKEN, FakeSlack

APP_TOKEN = "xapp-1-A1-test"


@pytest.fixture
def fake():
    f = FakeSlack()
    yield f
    f.close()


def _services(fake, index_dir, tmp_path, **over) -> Services:
    cfg = Settings(
        slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN, slack_api_url=fake.api_url, chsm_data_dir=tmp_path, **over
    )
    return Services(cfg, CORPUS, index_dir)


def test_socket_mode_handler_uses_our_client_and_dispatches(fake, index_dir, tmp_path):
    svc = _services(fake, index_dir, tmp_path)
    app = build_app(svc, http=False)
    svc.load_engine()
    handler = socket_handler(app, APP_TOKEN)
    assert handler.app is app
    assert handler.client.issue_new_wss_url() == "ws://127.0.0.1:9/socket"
    [opened] = fake.api("apps.connections.open")
    assert opened["auth"] == f"Bearer {APP_TOKEN}"

    payload = {
        "type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvSock1",
        "event": {"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Login failed with error code: 0xa3", "ts": "5.5", "channel": "CSOCK"},
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
    }
    resp = run_bolt_app(app, SocketModeRequest(type="events_api", envelope_id="env-1", payload=payload))
    assert resp.status == 200
    [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel="CSOCK"))
    assert reply["body"]["thread_ts"] == "5.5" and "0xa3" in reply["body"]["text"]
    time.sleep(0.2)


@pytest.mark.parametrize("token,msg", [("", "SLACK_APP_TOKEN is not set"), ("xoxb-wrong-kind", "does not look like an app-level token")])
def test_socket_mode_needs_an_app_token(fake, index_dir, tmp_path, token, msg):
    svc = _services(fake, index_dir, tmp_path)
    svc.settings.slack_app_token = token
    with pytest.raises(ConfigError, match=msg):
        build_app(svc, http=False)
