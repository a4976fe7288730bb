"""`chsm report` and the weekly digest: what the operators see. Clustering
of unanswered questions, negative votes per entry, masking of every text
shown, Slack's limits, the CLI over both state backends, and the digest
posted exactly once by a fleet of replicas. No model, no bot process; the
commands run in this process (call_chsm)."""

import json
import random
import threading
import time
from collections import Counter
from datetime import datetime, timezone

import pytest
from conftest import call_chsm

from bot.config import Settings
from bot.report import MAX_ITEMS, build_report, cluster_keys, format_slack, format_text, normalise
from bot.slack import digest
from bot.slack.redis_state import RedisState
from bot.slack.state import LocalState

SECRET = "hunter2-S3cret!"
SLACK_TOKEN = "xoxb-123456789012-123456789012-abcdefghijklmnopqrstuvwx"
DAY = 86400

SAME = {
    "backup": ["How do I back up my HSM?", "how can I backup the hsm", "Backing up the HSM - how?", "how to back up HSM cluster"],
    "pin": ["C_Login failed with CKR_PIN_INCORRECT for user 3", "c_login fails: CKR_PIN_INCORRECT (user 12)", "C_Login failed with CKR_PIN_INCORRECT for user 7"],
    "price": ["what is the price of cloud hsm per month", "cloud hsm pricing per month?"],
    "rotate": ["how do I rotate the keys"],
    "restore": ["how do I restore a backup"],
    "bread": ["how do I bake bread"],
    "engine": ["openssl engine not found"],
    "regions": ["which regions is Cloud HSM available in"],
}


def items_of(queries, *, now, kind="unanswered", entry=None, surface="mention"):
    return [{"ts": now - n, "kind": kind, "query": q, "entry": entry, "surface": surface} for n, q in enumerate(queries)]


def all_output(report) -> str:
    text, blocks = format_slack(report)
    return "\n".join([format_text(report), text, json.dumps(blocks, ensure_ascii=False), json.dumps(report.to_dict(), ensure_ascii=False)])


# -- clustering -----------------------------------------------------------------
def test_paraphrases_cluster_together_and_different_questions_do_not():
    lead = cluster_keys(Counter(normalise(q) for qs in SAME.values() for q in qs))
    leaders = {name: {lead[normalise(q)] for q in qs} for name, qs in SAME.items()}
    assert all(len(found) == 1 for found in leaders.values()), leaders
    assert len({next(iter(found)) for found in leaders.values()}) == len(SAME)


def test_counts_representative_and_order():
    now = time.time()
    queries = [q for qs in SAME.values() for q in qs] + ["How do I back up my HSM?"] * 2
    report = build_report(items_of(queries, now=now), since=now - DAY, until=now)
    assert report.unanswered_total == len(queries) and report.considered == len(queries)
    assert [c.count for c in report.clusters] == [6, 3, 2, 1, 1, 1, 1, 1]
    top = report.clusters[0]
    assert top.text == "How do I back up my HSM?"  # the most common wording
    assert len(top.samples) == 3 and top.text not in top.samples
    assert top.first_seen == now - (len(queries) - 1) and top.last_seen == now
    assert report.clusters[1].text == "c_login fails: CKR_PIN_INCORRECT (user 12)"  # ties: the shortest


def test_negative_votes_are_grouped_by_entry_with_counts_by_kind():
    now = time.time()
    votes = (
        items_of(["q1", "q2", "q2", "q3", "q4"], now=now, kind="not_helpful", entry="e1")
        + items_of(["q5"], now=now - 10, kind="stuck", entry="e1")
        + items_of(["q6", "q7"], now=now, kind="stuck", entry="e2")
        + items_of(["q8"], now=now, kind="not_helpful", entry=None)
    )
    report = build_report(votes, since=now - DAY, until=now)
    assert report.votes_total == 9 and report.unanswered_total == 0 and not report.empty
    e1, e2, none = report.entries
    assert (e1.entry, e1.count, e1.kinds) == ("e1", 6, {"not_helpful": 5, "stuck": 1})
    assert e1.samples == ["q1", "q2", "q3"]  # newest first, distinct, at most 3
    assert (e2.entry, e2.count, e2.kinds) == ("e2", 2, {"stuck": 2})
    assert none.entry is None and none.count == 1
    assert "(a no-answer reply)" in format_text(report)


def test_the_window_is_respected():
    now = time.time()
    items = items_of(["old question about backups"], now=now - 10 * DAY) + items_of(["new question about backups"], now=now)
    report = build_report(items, since=now - 7 * DAY, until=now)
    assert report.unanswered_total == 1 and report.clusters[0].text == "new question about backups"


def test_secrets_never_appear_in_any_output():
    """The stored queries are masked already; the report masks again, in
    representatives and samples alike, of both parts."""
    now = time.time()
    leaky = [
        f"C_Login failed pin crypto_user:{SECRET}",
        f"my password is {SECRET} and login fails",
        f"export SLACK_BOT_TOKEN={SLACK_TOKEN}",
        f"HSM_PIN=crypto_user:{SECRET} login fails again",
    ]
    items = items_of(leaky * 3, now=now) + items_of(leaky, now=now, kind="stuck", entry="e1")
    out = all_output(build_report(items, since=now - DAY, until=now))
    assert SECRET not in out and SLACK_TOKEN not in out and "[masked]" in out


def test_slack_limits_and_escaping():
    now = time.time()
    rng = random.Random(7)
    words = [f"word{n}x" for n in range(5000)]
    long_questions = ["<!channel> " + " ".join(rng.choice(words) for _ in range(400)) for _ in range(300)]
    items = items_of(long_questions, now=now) + [
        {"ts": now, "kind": "not_helpful", "query": "<!here> " + "y" * 3000, "entry": f"entry-{n}", "surface": "button"} for n in range(300)
    ]
    report = build_report(items, since=now - DAY, until=now)
    text, blocks = format_slack(report)
    assert 0 < len(blocks) <= 50
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= 150
    dumped = json.dumps(blocks) + text
    assert "<!channel>" not in dumped and "<!here>" not in dumped and "&lt;!channel&gt;" in dumped
    assert "more" in json.dumps(blocks[-1])  # says there is more than it shows


def test_empty_report_is_one_sentence():
    now = time.time()
    report = build_report([], since=now - 7 * DAY, until=now)
    assert report.empty and format_text(report).startswith("No unanswered questions") and "\n" not in format_text(report)
    text, blocks = format_slack(report)
    assert text.startswith("No unanswered questions") and len(blocks) == 1


@pytest.mark.slow  # timed on 5,000 items: a second of CPU by design
def test_time_is_bounded_on_5000_items():
    """5,000 items: half paraphrases of 50 questions (with ids and numbers
    that vary), half distinct. Measured on a shared 2-core box: about 0.4 s
    of CPU; 5,000 all-distinct questions from a 40-word vocabulary (the
    worst case for the candidate lists) about 0.7 s, 5,000 long pastes
    about 1 s. More items than MAX_ITEMS: only the newest are clustered."""
    rng = random.Random(1)
    vocab = ["hsm", "key", "backup", "restore", "login", "fail", "cluster", "partition", "certificate", "openssl", "engine", "pkcs11",
             "azure", "cloud", "error", "user", "crypto", "admin", "rotate", "policy"] + [f"w{n}" for n in range(3000)]

    def question():
        return " ".join(rng.choice(vocab) for _ in range(rng.randint(3, 12)))

    base = [question() for _ in range(50)]
    queries = [f"how do I {rng.choice(base)} for user {rng.randint(1, 99999)}" for _ in range(2500)] + [question() for _ in range(2500)]
    rng.shuffle(queries)
    now = time.time()
    items = items_of(queries, now=now)
    started = time.perf_counter()
    report = build_report(items, since=now - DAY, until=now)
    format_text(report), format_slack(report), json.dumps(report.to_dict())
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, elapsed
    assert sum(c.count for c in report.clusters) == 5000
    assert sum(c.count for c in report.clusters[:50]) >= 2500  # the paraphrases make the biggest clusters

    more = items + items_of(["an older question"] * 1000, now=now - 6000)
    capped = build_report(more, since=now - DAY, until=now)
    assert (capped.unanswered_total, capped.considered) == (6000, MAX_ITEMS)
    assert sum(c.count for c in capped.clusters) == MAX_ITEMS
    assert "the newest 5000 clustered" in format_text(capped)


# -- the command ------------------------------------------------------------------
def fill(state, now):
    for q in SAME["backup"] + SAME["pin"] + ["how do I bake bread"]:
        state.record_unanswered(q, "mention")
    state.record_unanswered(f"C_Login failed pin crypto_user:{SECRET}", "dm")
    state.vote("U1", "e1", "not_helpful", f"C_Login failed pin crypto_user:{SECRET}", "button")
    state.vote("U2", "e1", "stuck", "still failing", "button")
    state.vote("U3", "e2", "stuck", "openssl engine not found", "button")
    state.vote("U4", "e2", "helpful", "thanks", "button")


def check_json(out: str):
    d = json.loads(out)
    assert set(d) == {"since", "until", "unanswered", "voted_down"}
    assert datetime.strptime(d["until"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() - \
        datetime.strptime(d["since"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() == pytest.approx(7 * DAY, abs=2)
    u, v = d["unanswered"], d["voted_down"]
    assert (u["total"], u["considered"]) == (9, 9)
    assert [c["count"] for c in u["clusters"]][:2] == [4, 3]
    c = u["clusters"][0]
    assert set(c) == {"count", "text", "samples", "first_seen", "last_seen", "surfaces"} and c["surfaces"] == {"mention": 4}
    assert v["total"] == 3
    assert [(e["entry"], e["count"], e["kinds"]) for e in v["entries"]] == [("e1", 2, {"not_helpful": 1, "stuck": 1}), ("e2", 1, {"stuck": 1})]
    assert set(v["entries"][0]) == {"entry", "count", "kinds", "samples", "first_seen", "last_seen"}
    assert SECRET not in out


def test_report_command_on_sqlite(tmp_path):
    fill(LocalState(tmp_path / "data"), time.time())
    p = call_chsm("report")
    assert p.returncode == 0, p.stderr
    assert "Questions the bot could not answer: 9 in" in p.stdout and "How do I back up my HSM?" in p.stdout
    assert "e1" in p.stdout and SECRET not in p.stdout and p.stderr == ""
    j = call_chsm("report", "--json")
    assert j.returncode == 0, j.stderr
    check_json(j.stdout)
    short = json.loads(call_chsm("report", "--json", "--days", "0.0000001").stdout)  # a window that holds nothing
    assert short["unanswered"]["total"] == 0


def test_report_command_on_redis(redis_server):
    redis_server.flush()
    fill(RedisState(redis_server.url), time.time())
    env = {"CHSM_REDIS_URL": redis_server.url}
    j = call_chsm("report", "--json", env=env)
    assert j.returncode == 0, j.stderr
    check_json(j.stdout)
    f = call_chsm("feedback", env=env)  # feedback reads the same state
    assert f.returncode == 0 and "e1" in f.stdout and SECRET not in f.stdout


def test_empty_report_is_a_sentence_and_success(tmp_path):
    p = call_chsm("report", env={"CHSM_DATA_DIR": str(tmp_path / "fresh")})
    assert p.returncode == 0 and p.stdout.startswith("No unanswered questions") and p.stdout.count("\n") == 1
    j = json.loads(call_chsm("report", "--json", env={"CHSM_DATA_DIR": str(tmp_path / "fresh")}).stdout)
    assert j["unanswered"] == {"total": 0, "considered": 0, "clusters": []} and j["voted_down"] == {"total": 0, "entries": []}


def test_unusable_data_dir_is_one_line(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    for cmd in ("report", "feedback"):
        p = call_chsm(cmd, env={"CHSM_DATA_DIR": str(blocker / "data")})
        assert p.returncode == 1 and p.stdout == "" and p.stderr.count("\n") == 1 and p.stderr.startswith("chsm: cannot read the"), p.stderr


def test_unreachable_redis_is_one_line_without_the_password():
    from redis_server import free_port

    port = free_port()
    for cmd in ("report", "feedback"):
        p = call_chsm(cmd, env={"CHSM_REDIS_URL": f"redis://:pa55word@127.0.0.1:{port}/0"})
        assert p.returncode == 1 and p.stdout == "", p.stdout
        assert p.stderr == f"chsm: cannot reach Redis at 127.0.0.1:{port}\n"


def test_days_must_be_positive():
    p = call_chsm("report", "--days", "0")
    assert p.returncode == 2 and "--days" in p.stderr


# -- the digest ---------------------------------------------------------------------
MONDAY_9 = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc).timestamp()


class Svc:
    """What the digest uses of Services."""

    def __init__(self, store, channel="C0REPORT", days=7.0):
        self.settings = Settings(chsm_report_channel=channel, chsm_report_days=days)
        self.store = store
        self.draining = False

    def call(self, fn, what, **kwargs):
        try:
            return fn(**kwargs)
        except Exception:
            return None


class Client:
    def __init__(self, log=None):
        self.posts = [] if log is None else log

    def chat_postMessage(self, **kw):
        self.posts.append(kw)
        return {"ok": True}


def test_the_schedule_is_mondays_at_nine_utc():
    assert digest.period(MONDAY_9 + 2 * DAY + 3600, 7) == (MONDAY_9, "digest:2024-05-06T09:00Z")
    assert digest.period(MONDAY_9 - 1, 7)[0] == MONDAY_9 - 7 * DAY
    assert digest.period(MONDAY_9, 7)[0] == MONDAY_9
    assert digest.period(MONDAY_9 + DAY + 60, 1)[0] == MONDAY_9 + DAY  # daily: every day at 09:00


def test_the_digest_is_posted_once_by_two_replicas_sharing_redis(redis_server):
    redis_server.flush()
    clock = lambda: MONDAY_9 + 60  # noqa: E731
    a, b = RedisState(redis_server.url, clock=lambda: MONDAY_9 - DAY), RedisState(redis_server.url)
    fill(a, MONDAY_9)
    posts: list[dict] = []
    svcs = [Svc(a), Svc(b)]
    digests = [digest.start(s, Client(posts), clock=clock, tick=0.01, sleep=time.sleep) for s in svcs]
    end = time.time() + 5
    while not posts and time.time() < end:
        time.sleep(0.01)
    time.sleep(0.3)  # both have had many ticks
    for s in svcs:
        s.draining = True
    for d in digests:
        d.thread.join(2)
        assert not d.thread.is_alive()
        assert "digest:2024-05-06T09:00Z" in d.done
    assert len(posts) == 1 and sum(d.posted for d in digests) == 1
    post = posts[0]
    assert post["channel"] == "C0REPORT" and len(post["blocks"]) <= 50
    assert "9 unanswered questions" in post["text"] and SECRET not in json.dumps(post)


def test_the_digest_posts_only_within_its_window_and_once(tmp_path):
    now = [MONDAY_9 - 60]
    store = LocalState(tmp_path / "data", clock=lambda: now[0] - DAY)
    fill(store, now[0])
    client = Client()
    d = digest.Digest(Svc(store), client, clock=lambda: now[0])
    assert not d.check()  # not due yet
    now[0] = MONDAY_9 + 10
    assert d.check() and not d.check()
    now[0] = MONDAY_9 + 7 * DAY + digest.WINDOW + 1  # next week, but past its window
    assert not d.check()
    assert len(client.posts) == 1


def test_no_channel_no_thread(tmp_path):
    before = threading.active_count()
    assert digest.start(Svc(LocalState(None), channel=""), Client()) is None
    assert threading.active_count() == before


class Broken:
    def __init__(self, status="ok"):
        self._status, self.claims = status, 0

    def status(self):
        return {"status": self._status}

    def first_time(self, key):
        self.claims += 1
        return True

    def report_items(self, since):
        raise RuntimeError("boom")


def test_a_store_in_trouble_is_not_trusted_and_nothing_raises():
    client = Client()
    degraded = Broken("degraded")
    assert not digest.Digest(Svc(degraded), client, clock=lambda: MONDAY_9 + 1).check()
    assert degraded.claims == 0
    broken = Broken()
    svc = Svc(broken)
    d = digest.start(svc, client, clock=lambda: MONDAY_9 + 1, tick=0.01)
    time.sleep(0.1)
    assert d.thread.is_alive() and broken.claims == 1 and client.posts == []
    svc.draining = True
    d.thread.join(2)
    assert not d.thread.is_alive()


def test_draining_stops_a_waiting_digest_quickly(tmp_path):
    svc = Svc(LocalState(None))
    d = digest.start(svc, Client(), clock=lambda: MONDAY_9 - 3600, tick=3600)  # would sleep an hour
    time.sleep(0.05)
    started = time.monotonic()
    svc.draining = True
    d.thread.join(3)
    assert not d.thread.is_alive() and time.monotonic() - started < 2
