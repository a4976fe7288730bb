"""Files in DMs: the bot token goes to Slack only, downloads end.

A second fake host on loopback plays "somewhere else": it records every
request and the Authorization header it carried, and must never see the
token."""

import json
import time

import pytest

from bot.slack.files import HostPolicy
from conftest import uid
from fake_slack import BOT_TOKEN, FakeSlack
from slack_harness import TINY_FIX, TINY_LOG as LOG, tiny_bot

pytestmark = pytest.mark.shared_fake  # one bot for the module (its tests are marked slow one by one)


@pytest.fixture(scope="module")
def elsewhere():
    f = FakeSlack()
    yield f
    f.close()


@pytest.fixture(scope="module")
def bot(module_fake, tmp_path_factory):
    """The tiny corpus and the fake encoder: what is tested is where the token goes."""
    b = tiny_bot(module_fake, tmp_path_factory.mktemp("files"), CHSM_DOWNLOAD_SECONDS="2", CHSM_MAX_FILE_BYTES="100000")
    yield b
    b.stop()


def dm_with(bot, fake, files: list[dict], text: str = "") -> dict:
    dm, ev = uid("D"), uid("Ev")
    bot.event({"type": "message", "subtype": "file_share", "channel_type": "im", "user": "U1", "text": text, "ts": f"{time.time():.6f}", "channel": dm, "files": files}, ev)
    [update] = fake.wait(lambda: fake.api("chat.update", channel=dm), timeout=60)
    assert fake.wait(lambda: fake.api("reactions.remove", channel=dm))
    return update


def shown(update: dict) -> str:
    return update["body"]["text"] + json.dumps(update["body"].get("blocks", []), ensure_ascii=False)


def f(name: str, url: str, size: int = 100) -> dict:
    return {"id": uid("F"), "name": name, "mimetype": "text/plain", "size": size, "url_private_download": url}


def test_policy():
    p = HostPolicy("http://127.0.0.1:5555/api/")
    assert p.may_send_token("https://files.slack.com/files-pri/T1-F1/download/a.log")
    assert p.may_send_token("https://acme.slack.com/files-pri/T1-F1/a.log")
    assert p.may_send_token("http://127.0.0.1:5555/files/a.log")  # the configured API origin, as configured
    for url in (
        "http://files.slack.com/x",  # not HTTPS
        "https://files.slack.com.evil.example/x",
        "https://evilslack.com/x",
        "https://127.0.0.1:5555/files/a.log",  # another scheme than configured
        "http://127.0.0.1:5556/files/a.log",  # another port
        "http://localhost:5555/files/a.log",
        "https://a.slack-edge.com/x",  # Slack's CDN: followed, never given the token
        "ftp://files.slack.com/x",
        "https://user@:0/x",
    ):
        assert not p.may_send_token(url), url
    assert p.may_follow("https://a.slack-edge.com/x") and not p.may_follow("https://example.com/x")


@pytest.mark.slow
def test_a_file_on_another_host_is_refused_and_gets_no_token(bot, fake, elsewhere):
    url = elsewhere.add_file("stolen.log", LOG, open_=True)
    update = dm_with(bot, fake, [f("stolen.log", url), f("app.log", fake.add_file(uid("app") + ".log", LOG))])
    text = shown(update)
    assert "stolen.log" in text and "not to Slack" in text and "127.0.0.1" in text
    assert TINY_FIX in text  # the Slack-hosted file is still triaged
    assert elsewhere.paths("/files/") == []  # never even contacted
    assert BOT_TOKEN not in json.dumps(elsewhere.calls)


@pytest.mark.slow
def test_a_redirect_elsewhere_is_not_followed(bot, fake, elsewhere):
    target = elsewhere.add_file(uid("evil") + ".log", b"ERROR I was fetched with your token\n" * 3, open_=True)
    url = fake.add_redirect(uid("moved") + ".log", target)
    update = dm_with(bot, fake, [f("moved.log", url)])
    text = shown(update)
    assert "moved.log" in text and "redirected" in text and "outside Slack" in text
    assert "fetched with your token" not in text  # what the other host would say is never echoed
    assert elsewhere.paths("/files/") == [] and BOT_TOKEN not in json.dumps(elsewhere.calls)


@pytest.mark.slow
def test_a_redirect_within_slack_is_followed_with_the_token(bot, fake):
    real = fake.add_file(uid("real") + ".log", LOG)
    url = fake.add_redirect(uid("hop") + ".log", real.replace(fake.url, ""))  # a relative Location
    update = dm_with(bot, fake, [f("hop.log", url)])
    assert TINY_FIX in shown(update)
    [got] = [c for c in fake.paths("/files/") if c["path"].endswith(real.rsplit("/", 1)[1])]
    assert got["auth"] == f"Bearer {BOT_TOKEN}"


@pytest.mark.slow
def test_a_file_bigger_than_it_said_is_cut_while_streaming(bot, fake):
    big = b"ERROR C_Login failed with error code: 0xa3\n" * 10_000  # 430 KB, over the 100 KB limit
    update = dm_with(bot, fake, [f("liar.log", fake.add_file(uid("liar") + ".log", big), size=1000)])
    text = shown(update)
    assert "liar.log" in text and "over the" in text and "limit" in text


@pytest.mark.slow
def test_a_trickling_download_ends_with_a_clear_reply(bot, fake):
    """One byte every second would take an hour; the message's download
    deadline (2 s here, 60 s by default) ends it, and the reply says why."""
    url = fake.add_file(uid("slow") + ".log", LOG * 50, trickle=1.0)
    t0 = time.monotonic()
    update = dm_with(bot, fake, [f("slow.log", url)])
    took = time.monotonic() - t0
    text = shown(update)
    assert "slow.log" in text and "took over 2 s" in text
    assert took < 2 + 10 + 5  # the deadline, at most one stalled read, and the reply
