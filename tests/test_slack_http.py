"""The bot in HTTP mode, driven as Slack drives it: real process, real HTTP,
real signatures, a fake Slack Web API on loopback."""

import gzip
import json
import threading
import time

import pytest

from conftest import CORPUS, call_chsm, uid
from fake_slack import BOT_TOKEN
from slack_harness import BotProcess

pytestmark = [pytest.mark.slow, pytest.mark.shared_fake]  # one real bot process for the module, on the real model


@pytest.fixture(scope="module")
def bot(module_fake, index_dir, tmp_path_factory):
    b = BotProcess(module_fake, index_dir, tmp_path_factory.mktemp("botdata"), CORPUS, CHSM_ONCALL="S0ONCALL", CHSM_MAX_FILE_BYTES="200000",
                   CHSM_USER_PER_MINUTE="0")  # these tests send far more than a person would; limits: test_slack_replicas.py
    yield b
    b.stop()


def ts() -> str:
    return f"{time.time():.6f}"


def blocks_text(call: dict) -> str:
    return json.dumps(call["body"].get("blocks", []), ensure_ascii=False)


def test_url_verification(bot):
    body = json.dumps({"token": "t", "challenge": "abc123", "type": "url_verification"}).encode()
    r = bot.post(body, "application/json")
    assert r.status_code == 200 and "abc123" in r.text


def test_mention_gets_a_threaded_answer_with_commands_and_link(bot, fake):
    ch, t = uid("C"), ts()
    r = bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Initialize() failed with 00000005 (Failed to connect socket)", "ts": t, "channel": ch}, uid("Ev"))
    assert r.status_code == 200
    [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel=ch))
    assert reply["body"]["thread_ts"] == t
    assert "C_Initialize() failed with 00000005" in reply["body"]["text"]  # titles in the plain text
    blocks = blocks_text(reply)
    assert "```" in blocks and "sudo systemctl start azure-cloud-hsm.service" in blocks
    assert "https://learn.microsoft.com/azure/cloud-hsm/troubleshoot#why-am-i-getting-the-error-message-c_initialize-failed" in blocks
    assert "matched by rule" in blocks
    assert reply["auth"] == f"Bearer {BOT_TOKEN}"


def test_mention_inside_a_thread_answers_in_that_thread(bot, fake):
    ch, parent = uid("C"), ts()
    bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Login failed with error code: 0xa3", "ts": ts(), "thread_ts": parent, "channel": ch}, uid("Ev"))
    [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel=ch))
    assert reply["body"]["thread_ts"] == parent


def test_followup_in_an_answered_thread_without_mention(bot, fake):
    ch, t = uid("C"), ts()
    bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> our openssl engine setup is broken", "ts": t, "channel": ch}, uid("Ev"))
    fake.wait(lambda: fake.api("chat.postMessage", channel=ch))
    bot.event({"type": "message", "channel_type": "channel", "user": "U1", "text": "now it says environment variable azcloudhsm_openssl_conf is not set", "ts": ts(), "thread_ts": t, "channel": ch}, uid("Ev"))
    replies = fake.wait(lambda: len(fake.api("chat.postMessage", channel=ch)) >= 2 and fake.api("chat.postMessage", channel=ch))
    assert len(replies) == 2 and replies[1]["body"]["thread_ts"] == t
    assert "azcloudhsm_openssl_conf" in replies[1]["body"]["text"]
    # A thread the bot is not part of gets nothing.
    other, ev = uid("C"), uid("Ev")
    bot.event({"type": "message", "channel_type": "channel", "user": "U1", "text": "C_Login failed with error code: 0xa3", "ts": ts(), "thread_ts": "1.000001", "channel": other}, ev)
    assert bot.settled(ev)[ev]["reason"] == "not our thread"
    assert fake.api("chat.postMessage", channel=other) == []


def test_abstains_honestly(bot, fake):
    ch = uid("C")
    bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> who won the world cup in 2022", "ts": ts(), "channel": ch}, uid("Ev"))
    [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel=ch))
    assert "No confident answer" in reply["body"]["text"]
    assert "/chsm help" in blocks_text(reply)


def test_secret_posted_in_channel_is_masked_everywhere(bot, fake):
    ch, ev = uid("C"), uid("Ev")
    secret = "Pa55w0rd!Zq"
    bot.event({"type": "app_mention", "user": "U1", "text": f"<@UBOT> I ran loginHSM CU cu1 {secret} and got C_Login failed with error code: 0xa3", "ts": ts(), "channel": ch}, ev)
    [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel=ch))
    dumped = json.dumps(reply["body"])
    assert secret not in dumped and "0xa3" in reply["body"]["text"]
    assert "rotate that credential" in dumped
    assert bot.settled(ev)  # logged, and the thread remembered, before we look
    assert secret not in bot.logs()
    db = (bot.data_dir / "chsm.sqlite3").read_bytes() + (bot.data_dir / "chsm.sqlite3-wal").read_bytes()
    assert secret.encode() not in db


def test_dm_question_answered_in_the_dm_thread(bot, fake):
    dm, t = uid("D"), ts()
    bot.event({"type": "message", "channel_type": "im", "user": "U1", "text": "how do I sync users that are missing on some nodes?", "ts": t, "channel": dm}, uid("Ev"))
    [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel=dm))
    assert reply["body"]["thread_ts"] == t


def test_dm_with_files_is_triaged_with_progress(bot, fake):
    dm, t = uid("D"), ts()
    log1 = b"INFO start\nC_Initialize() failed with 00000005 (Failed to connect socket)\nC_Initialize() failed with 00000005 (Failed to connect socket)\n"
    log2 = gzip.compress(b"2026-11-27 ERROR HSM Error: RET_USER_LOGIN_FAILURE\nINFO ok\n")
    files = [
        {"id": "F1", "name": "app.log", "mimetype": "text/plain", "size": len(log1), "url_private_download": fake.add_file(uid("app") + ".log", log1)},
        {"id": "F2", "name": "old.log.gz", "mimetype": "application/gzip", "size": len(log2), "url_private_download": fake.add_file(uid("old") + ".log.gz", log2)},
        {"id": "F3", "name": "screenshot.png", "mimetype": "image/png", "size": 1000, "url_private_download": fake.add_file(uid("s") + ".png", b"\x89PNG")},
        {"id": "F4", "name": "huge.log", "mimetype": "text/plain", "size": 5_000_000, "url_private_download": fake.add_file(uid("h") + ".log", b"x")},
        {"id": "F5", "name": "core.log", "mimetype": "text/plain", "size": 600, "url_private_download": fake.add_file(uid("c") + ".log", bytes(range(256)) * 2)},
    ]
    bot.event({"type": "message", "subtype": "file_share", "channel_type": "im", "user": "U1", "text": "", "ts": t, "channel": dm, "files": files}, uid("Ev"))
    [update] = fake.wait(lambda: fake.api("chat.update", channel=dm))
    [progress] = fake.api("chat.postMessage", channel=dm)
    assert progress["body"]["text"].startswith("Triaging 5 file(s)") and progress["body"]["thread_ts"] == t
    text = update["body"]["text"] + blocks_text(update)
    assert "C_Initialize" in text and "RET_USER_LOGIN_FAILURE" in text
    assert "screenshot.png: not a text log" in text
    assert "huge.log" in text and "over the" in text
    assert "core.log" in text and "binary" in text
    downloads = [c for c in fake.paths("/files/") if "app" in c["path"] or "old" in c["path"]]
    assert len(downloads) == 2 and all(c["auth"] == f"Bearer {BOT_TOKEN}" for c in downloads)
    assert not [c for c in fake.paths("/files/") if ".png" in c["path"] or "/files/h" in c["path"]]  # refused before download
    assert fake.api("reactions.add", channel=dm) and fake.wait(lambda: fake.api("reactions.remove", channel=dm))


def test_dm_pasted_log_is_triaged(bot, fake):
    dm, t = uid("D"), ts()
    paste = "10:00 INFO boot\n10:01 ERROR environment variable azcloudhsm_openssl_conf is not set\n10:02 ERROR C_Login failed with error code: 0xa3\n"
    bot.event({"type": "message", "channel_type": "im", "user": "U1", "text": paste, "ts": t, "channel": dm}, uid("Ev"))
    [reply] = fake.wait(lambda: fake.api("chat.postMessage", channel=dm))
    assert "2 known problem(s)" in reply["body"]["text"]


def test_slash_command_acks_fast_then_answers_ephemerally(bot, fake):
    rid = uid("r")
    t0 = time.perf_counter()
    r = bot.command("C_Login failed with error code: 0xa3", f"{fake.url}/respond/{rid}")
    assert r.status_code == 200 and time.perf_counter() - t0 < 1.0
    [resp] = fake.wait(lambda: fake.paths(f"/respond/{rid}"))
    assert resp["body"]["response_type"] == "ephemeral"
    assert "0xa3" in resp["body"]["text"]
    assert "chsm_share" in json.dumps(resp["body"]["blocks"])


def test_slash_help_and_triage(bot):
    r = bot.command("help", "http://127.0.0.1:9/unused")
    assert r.status_code == 200 and "/chsm" in r.text and "DM" in r.text
    r = bot.command("triage", "http://127.0.0.1:9/unused")
    assert "direct message" in r.text


def test_share_button_posts_publicly(bot, fake):
    ch, rid = uid("C"), uid("r")
    value = json.dumps({"q": "C_Login failed with error code: 0xa3", "e": None})
    r = bot.action("chsm_share", value, f"{fake.url}/respond/{rid}", channel=ch)
    assert r.status_code == 200
    [post] = fake.wait(lambda: fake.api("chat.postMessage", channel=ch))
    assert "0xa3" in post["body"]["text"] and "Shared by <@U1>" in blocks_text(post)
    [resp] = fake.wait(lambda: fake.paths(f"/respond/{rid}"))
    assert resp["body"].get("delete_original") is True


def test_feedback_is_stored_and_summarised(bot, fake):
    rid = uid("r")
    entry = "azure-cloud-hsm/troubleshoot#why-am-i-getting-the-error-message-c_login-failed-with-error-code-0xa3"
    bot.action("chsm_not_helpful", json.dumps({"q": "loginHSM CU cu1 Secr3tPw fails", "e": entry}), f"{fake.url}/respond/{rid}")
    [resp] = fake.wait(lambda: fake.paths(f"/respond/{rid}"))
    assert "Thanks" in resp["body"]["text"]
    p = call_chsm("feedback", env={"CHSM_DATA_DIR": str(bot.data_dir)})
    assert p.returncode == 0 and entry in p.stdout and "Secr3tPw" not in p.stdout


def test_still_stuck_pings_oncall_in_the_thread(bot, fake):
    ch, rid = uid("C"), uid("r")
    value = json.dumps({"q": "C_Login failed with error code: 0xa3", "e": "x", "t": "C_Login entry"})
    bot.action("chsm_stuck", value, f"{fake.url}/respond/{rid}", channel=ch, message={"ts": "111.222", "thread_ts": "111.000"})
    [post] = fake.wait(lambda: fake.api("chat.postMessage", channel=ch))
    assert post["body"]["text"].startswith("<!subteam^S0ONCALL>") and post["body"]["thread_ts"] == "111.000"


def test_retries_do_not_reply_twice(bot, fake):
    ch, ev = uid("C"), uid("Ev")
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Login failed with error code: 0xa3", "ts": ts(), "channel": ch}
    assert bot.event(event, ev).status_code == 200
    for n in (1, 2):
        assert bot.event(event, ev, headers={"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"}).status_code == 200
    # Duplicates are dropped while Slack waits for the ack, so their lines are already there.
    assert len(bot.wait_log("duplicate event ignored", event_id=ev)) == 2
    assert len(bot.wait_log("replied", event_id=ev)) == 1
    assert len(fake.api("chat.postMessage", channel=ch)) == 1


def test_bot_messages_are_ignored(bot, fake):
    dm, ch = uid("D"), uid("C")
    evs = [uid("Ev") for _ in range(4)]
    bot.event({"type": "message", "channel_type": "im", "bot_id": "BOTHER", "text": "C_Login failed with error code: 0xa3", "ts": ts(), "channel": dm}, evs[0])
    bot.event({"type": "message", "subtype": "bot_message", "channel_type": "im", "text": "C_Login failed with error code: 0xa3", "ts": ts(), "channel": dm}, evs[1])
    bot.event({"type": "message", "channel_type": "im", "user": "UBOT", "bot_id": "BBOT", "text": "my own reply", "ts": ts(), "channel": dm}, evs[2])
    bot.event({"type": "app_mention", "bot_id": "BOTHER", "user": "U9", "text": "<@UBOT> C_Login failed with error code: 0xa3", "ts": ts(), "channel": ch}, evs[3])
    done = bot.settled(*evs)
    assert {r["msg"] for r in done.values()} == {"ignored"} and len(done) == 4
    assert done[evs[2]]["reason"] == "own message"
    assert fake.api("chat.postMessage", channel=dm) == [] and fake.api("chat.postMessage", channel=ch) == []


def test_bad_and_stale_signatures_get_401_and_nothing_else(bot, fake):
    ch = uid("C")
    body = json.dumps({"type": "event_callback", "event_id": uid("Ev"), "event": {"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Login failed with error code: 0xa3", "ts": ts(), "channel": ch}}).encode()
    r = bot.http.post("/slack/events", content=body, headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=deadbeef"})
    assert r.status_code == 401
    r = bot.http.post("/slack/events", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 401
    r = bot.post(body, "application/json", sign_ts=int(time.time()) - 6 * 60)
    assert r.status_code == 401
    # Refused before any listener could run: a signed event sent after is the only one answered.
    ev = uid("Ev")
    bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Login failed with error code: 0xa3", "ts": ts(), "channel": ch}, ev)
    assert bot.settled(ev)
    assert len(fake.api("chat.postMessage", channel=ch)) == 1


def test_slack_api_failures_are_survived_and_counted(bot, fake):
    for ch in ("CNOTFOUND", "CNOTIN"):
        bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Login failed with error code: 0xa3", "ts": ts(), "channel": ch}, uid("Ev"))
    bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Login failed with error code: 0xa3", "ts": ts(), "channel": "CRATE"}, uid("Ev"))
    calls = fake.wait(lambda: len(fake.api("chat.postMessage", channel="CRATE")) >= 2 and fake.api("chat.postMessage", channel="CRATE"), timeout=15)
    assert len(calls) == 2 and calls[1]["at"] - calls[0]["at"] >= 0.9  # waited Retry-After
    metrics = fake.wait(lambda: (m := bot.http.get("/metrics").text) and 'kind="slack:not_in_channel"' in m and m)
    assert 'chsm_errors_total{kind="slack:channel_not_found"}' in metrics
    assert bot.http.get("/healthz").status_code == 200


def test_fifty_concurrent_mentions_get_exactly_fifty_replies(bot, fake):
    ch = uid("C")
    stamps = [f"{1700000000 + i}.000{i:03d}" for i in range(50)]
    errors = []

    def send(i):
        try:
            r = bot.event({"type": "app_mention", "user": f"U{i}", "text": "<@UBOT> C_Initialize() failed with 00000005", "ts": stamps[i], "channel": ch}, f"EvConc{ch}{i}")
            if r.status_code != 200:
                errors.append(r.status_code)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(50)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    done = bot.settled(*[f"EvConc{ch}{i}" for i in range(50)], timeout=60)
    assert {r["msg"] for r in done.values()} == {"replied"} and len(done) == 50
    replies = fake.api("chat.postMessage", channel=ch)
    assert sorted(r["body"]["thread_ts"] for r in replies) == sorted(stamps)


def test_healthz_and_metrics(bot):
    h = bot.http.get("/healthz")
    assert h.status_code == 200 and h.json()["status"] == "ok" and h.json()["entries"] > 200
    m = bot.http.get("/metrics").text
    assert "chsm_requests_total" in m and "chsm_ack_seconds_bucket" in m and "chsm_reply_seconds_bucket" in m
    assert bot.http.get("/nope").status_code == 404


def test_logs_are_structured_json(bot):
    ev = uid("Ev")
    bot.event({"type": "app_mention", "user": "U1", "text": "<@UBOT> C_Login failed with error code: 0xa3", "ts": ts(), "channel": uid("C")}, ev)
    [replied] = bot.wait_log("replied", event_id=ev)
    assert {"surface", "latency_ms", "entries", "event_id", "kind", "ts", "level"} <= set(replied)
    assert replied["surface"] == "mention" and replied["entries"]


@pytest.mark.parametrize(
    "env,expect",
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "not-a-token"}, "does not look like a bot token"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-rejected"}, "Slack rejected SLACK_BOT_TOKEN (invalid_auth)"),
        ({"SLACK_API_URL": "http://127.0.0.1:9/api/"}, "cannot reach the Slack API"),
    ],
)
def test_bad_configuration_fails_at_start_with_one_line(fake, tmp_path, env, expect):
    base = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.api_url, "CHSM_DATA_DIR": str(tmp_path),
            "CHSM_INDEX_DIR": str(tmp_path / "index"), "CHSM_CORPUS_DIR": str(tmp_path / "corpus")}  # refused before any index is read
    p = call_chsm("serve", "--http", "--port", "0", env={**base, **env}, timeout=60)
    assert p.returncode == 1 and expect in p.stderr and "Traceback" not in p.stderr
