"""Quality bars on the labelled sets, held-out split first (never tuned on),
as a regression test: a change that makes the bot answer off-topic questions
or lose real ones fails here. The bars sit a little under today's figures."""

import pytest

from bot.evaluate import DEFAULT_LOGS, DEFAULT_QUERIES, run, run_logs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(engine):
    return run(engine, DEFAULT_QUERIES)


def test_heldout_answers_and_abstentions(report):
    held = report["modes"]["fused"]["heldout"]
    m, kinds = held["all"], held["by_kind"]
    assert m["n"] >= 300
    assert kinds["exact"]["top1"] == 1.0 and kinds["log"]["top1"] >= 0.94
    assert m["top1"] >= 0.82 and m["top3"] >= 0.94
    assert m["wrong_abstain"] <= 0.05
    for kind in ("neighbour", "azure", "generic", "chitchat"):
        assert kinds[kind]["abstain_recall"] >= 0.90, kind
    assert m["confident_wrong"] <= 40


def test_train_split_and_single_signals(report):
    train = report["modes"]["fused"]["train"]
    assert train["by_kind"]["exact"]["top1"] == 1.0 and train["by_kind"]["typo"]["top1"] >= 0.97
    assert train["all"]["top3"] >= 0.96
    for single in ("keyword", "semantic"):
        for split in ("train", "heldout"):
            assert report["modes"]["fused"][split]["all"]["top1"] > report["modes"][single][split]["all"]["top1"]


def test_labelled_logs(engine):
    logs = run_logs(engine, DEFAULT_LOGS)
    for split in ("train", "heldout"):
        assert logs[split]["recall"] >= 0.96, split
        assert logs[split]["over_plus_2"] == 0, split
    assert logs["heldout"]["false_findings"] == 0
