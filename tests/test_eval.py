"""The issue's quality bars, on our labelled set, as a regression test."""

from bot.evaluate import DEFAULT_QUERIES, run


def test_quality_bars(engine):
    report = run(engine, DEFAULT_QUERIES)
    fused = report["modes"]["fused"]
    kinds = fused["by_kind"]
    assert fused["all"]["n"] >= 100
    assert kinds["exact"]["top1"] >= 0.97 and kinds["log"]["top1"] >= 0.97
    assert kinds["paraphrase"]["top1"] >= 0.92 and kinds["typo"]["top1"] >= 0.92
    assert fused["all"]["top3"] >= 0.98
    assert kinds["offtopic"]["abstain_recall"] >= 0.90
    assert fused["all"]["wrong_abstain"] <= 0.03
    for single in ("keyword", "semantic"):
        assert fused["all"]["top1"] > report["modes"][single]["all"]["top1"]
