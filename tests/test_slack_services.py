"""Services: Slack calls fail soft only for Slack's and the network's trouble,
progress messages always end exactly once, and the engine's absence reads
as a plain sentence."""

import threading
import time
import urllib.error

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.config import Settings
from bot.errors import EngineNotReady
from bot.slack.replies import STOPPING, failure_notice
from bot.slack.services import Progress, Services, TrackedExecutor
from bot.slack.workers import Busy, JobFailed
from fakes import use_fake_encoder


@pytest.fixture
def svc(tmp_path):
    # No corpus and no index: the engine can't load, so nothing here builds one.
    return Services(Settings(chsm_data_dir=tmp_path / "data", slack_bot_token="xoxb-x"), tmp_path / "no-corpus", tmp_path / "no-index")


def _api_error(error: str) -> SlackApiError:
    resp = SlackResponse(client=None, http_verb="POST", api_url="u", req_args={}, data={"ok": False, "error": error}, headers={}, status_code=200)
    return SlackApiError("failed", resp)


def test_slack_and_network_failures_are_counted_not_raised(svc):
    def slack_says_no(**kw):
        raise _api_error("channel_not_found")

    def network_down(**kw):
        raise urllib.error.URLError("refused")

    assert svc.call(slack_says_no, "chat.postMessage", channel="C1") is None
    assert svc.call(network_down, "chat.postMessage", channel="C1") is None
    m = svc.metrics.render().decode()
    assert 'kind="slack:channel_not_found"' in m and 'kind="slack:transport"' in m


def test_a_bug_in_a_call_is_a_bug(svc):
    def post(*, channel, text):
        return {"ok": True}

    with pytest.raises(TypeError):  # a wrong keyword argument used to read as "slack:transport"
        svc.call(post, "chat.postMessage", channel="C1", txt="typo")
    assert "slack:transport" not in svc.metrics.render().decode()


def test_engine_not_ready_is_a_plain_sentence(svc, tmp_path, monkeypatch):
    with pytest.raises(EngineNotReady) as e:
        svc.engine(wait=0.01)
    assert "loading" in str(e.value)
    use_fake_encoder(monkeypatch, in_process=True)  # the build it tries runs here: it fails at once
    svc.load_engine()  # no index and no way to build one here: fails
    with pytest.raises(EngineNotReady) as e:
        svc.engine(wait=0.01)
    assert str(tmp_path) not in str(e.value) and "Error" not in str(e.value)
    assert svc.health()["status"] == "error"


@pytest.mark.parametrize(
    "exc,words",
    [(Busy(), "busy triaging"), (JobFailed("deadline"), "took too long"), (JobFailed("crashed"), "failed on my side"),
     (RuntimeError("/srv/chsm/index/vectors.faiss: corrupt"), "something went wrong"), (KeyError("x"), "something went wrong")],
)
def test_failures_read_as_sentences_without_paths(svc, exc, words):
    reply = failure_notice(svc, exc)
    assert reply.kind == "notice" and words in reply.notice and "/srv" not in reply.notice


class FakeClient:
    def __init__(self, delay: float = 0.0):
        self.calls, self.delay = [], delay

    def _rec(self, method, **kw):
        time.sleep(self.delay)
        self.calls.append((method, kw))
        return {"ok": True, "ts": "99.9"}

    def reactions_add(self, **kw):
        return self._rec("reactions.add", **kw)

    def reactions_remove(self, **kw):
        return self._rec("reactions.remove", **kw)

    def chat_postMessage(self, **kw):  # noqa: N802 - Slack's name
        return self._rec("chat.postMessage", **kw)

    def chat_update(self, **kw):
        return self._rec("chat.update", **kw)


def test_progress_ends_exactly_once_whoever_comes_first(svc):
    client = FakeClient(delay=0.01)
    p = Progress(svc, client, "D1", "1.1", "1.1")
    p.start("Triaging 1 file(s)…")
    assert svc.unfinished() == [p]
    racers = [threading.Thread(target=p.fail, args=(STOPPING,)), threading.Thread(target=p.end, args=(lambda: client._rec("final"),))]
    for t in racers:
        t.start()
    for t in racers:
        t.join()
    finals = [c for c in client.calls if c[0] in ("final", "chat.update")]
    assert len(finals) == 1
    assert [c[0] for c in client.calls].count("reactions.remove") == 1
    assert svc.unfinished() == []


def test_the_listener_executor_knows_what_is_in_flight():
    ex = TrackedExecutor(2)
    gate = threading.Event()
    for _ in range(4):  # two run, two wait in the queue: all four count
        ex.submit(gate.wait, 5)
    assert ex.pending == 4 and not ex.wait_idle(0.1)
    gate.set()
    assert ex.wait_idle(5) and ex.pending == 0
    ex.shutdown()
