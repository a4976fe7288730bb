"""Every rule, curated and derived, with positive and negative examples; all
RE2, linear, and silent on neighbouring products' identifiers."""

import re
import string
import time

import pytest
import re2

from bot.corpus import load_corpus
from bot.search.rules import CURATED as CURATED_FILE
from bot.search.rules import build_rules, compile_rule_pattern, derive_pattern, load_curated, load_guards, match

from conftest import CORPUS

ENTRIES = load_corpus(CORPUS)
RULES, WARNINGS = build_rules(ENTRIES)
CURATED = load_curated()
BY_NAME = {r.name: r for r in RULES}


def test_every_curated_rule_points_at_an_entry():
    assert WARNINGS == []
    assert {c["name"] for c in CURATED} <= set(BY_NAME)


def test_every_rule_is_re2():
    compiled = type(re2.compile("x"))
    assert RULES and all(isinstance(r.pattern, compiled) for r in RULES)


@pytest.mark.parametrize("spec", CURATED, ids=[c["name"] for c in CURATED])
def test_curated_examples(spec):
    rule = BY_NAME[spec["name"]]
    assert spec["positive"] and spec["negative"], "each rule needs both kinds of example"
    for text in spec["positive"]:
        assert rule.evidence(text), f"{spec['name']} should match {text!r}"
    for text in spec["negative"]:
        assert not rule.evidence(text), f"{spec['name']} should not match {text!r}"


DERIVED = [r for r in RULES if not r.curated]


@pytest.mark.parametrize("rule", DERIVED, ids=[r.name for r in DERIVED])
def test_derived_rule_matches_its_error_in_pasted_forms(rule):
    full = rule.source
    # A leading or trailing <placeholder> is whatever the log has there.
    core = re.sub(r"^<[^<>]*>|<[^<>]*>$", "", full.strip("` ,.")).strip(string.punctuation + string.whitespace)
    assert rule.evidence(full) == core  # the error from its first word to its last, no boundary chars
    assert rule.evidence(full.upper())
    assert rule.evidence("2026-11-27T10:00:00Z host app[42]: " + full.replace(" ", "  ") + " (pid 42)")
    assert rule.evidence("x\n" + full + "\ny")
    # Negative: half of the message is not the message.
    words = full.split()
    assert not rule.evidence(" ".join(words[: max(1, len(words) // 2 - 1)]))
    # Glued to a longer word on either side is not the message either.
    assert not rule.evidence("x" + core) and not rule.evidence(core + "0")


def test_derived_patterns_from_the_corpus_compile_under_re2():
    errors = {err for e in ENTRIES for err in e.errors}
    assert len(errors) > 10
    made = 0
    for err in errors:
        pat = derive_pattern(err)
        if pat:
            compile_rule_pattern(pat)
            made += 1
    assert made == len(DERIVED)


def test_derived_evidence_leaves_out_the_boundary():
    rule = next(r for r in DERIVED if r.source == "C_Login failed with error code: 0xa3")
    assert rule.evidence("[pkcs11](C_Login failed with error code: 0x000000A3)") == "C_Login failed with error code: 0x000000A3"
    assert rule.evidence("C_Login failed with error code: 0xa3") == "C_Login failed with error code: 0xa3"
    assert not rule.evidence("C_Login failed with error code: 0xa3b")
    assert not rule.evidence("XC_Login failed with error code: 0xa3")


@pytest.mark.parametrize(
    "text",
    ["C_Login failed with error code: 0x000000A3", "c_login FAILED with error code 0xa3", "C_Login  failed with error code:0xa3"],
)
def test_hex_width_case_and_spacing(text):
    hits = match(RULES, text)
    assert hits and "0xa3" in next(e.title for e in ENTRIES if e.id == hits[0].entry)


def test_short_strings_make_no_rule():
    assert derive_pattern("not found") is None


SUCCESS = [
    "C_Login -> CKR_OK",
    "C_Initialize() ok",
    "[INFO] worker 1: C_Login -> CKR_OK",
    "[INFO] worker 3: C_Initialize() ok in 5 ms, 1 slot",
    "C_Login succeeded for cu1",
    "LIQUIDSECURITY: connected to 10.0.0.4:2225",
    "loaded azcloudhsm_application.cfg",
    "INFO request served in 12 ms",
    "",
]

# Neighbours' own lines: their tools, libraries, paths and engine id. No rule may fire.
NEIGHBOUR_LINES = [
    'nginx: [emerg] ENGINE_by_id("cloudhsm") failed (SSL: error:12800067:DSO support routines::could not load the shared library)',
    "ssl_engine cloudhsm;",
    "openssl req -engine cloudhsm -new -key k.pem: invalid engine \"cloudhsm\"",
    "key_mgmt_util: Cfm3LoginHSM returned: 0x9e : HSM Error: RET_USER_LOGIN_FAILURE",
    "key_mgmt_util: Cfm3Initialize() returned 0x...: LIQUIDSECURITY: Daemon socket connection error",
    "cloudhsm_mgmt_util: Certificate ERROR: [Certificate signature failure]",
    "cloudhsm_client[4242]: INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert",
    "C_Initialize() failed with 00000005 using /opt/cloudhsm/lib/libcloudhsm_pkcs11.so",
    "C_Login failed with error code: 0xa3 (/opt/cloudhsm/lib/libcloudhsm_pkcs11.so)",
    "lunacm: C_Login failed with error code: 0xa3 CKR_PIN_INCORRECT",
    "C_Login -> CKR_PIN_INCORRECT (libCryptoki2_64.so)",
    "libkmsp11.so: C_Initialize() failed with CKR_GENERAL_ERROR",
    "environment variable n3fips_password is not set",
    "CLOUDHSM_PIN is not set",
    "Cannot initialize cryptographic provider. Provider error code: 2058. (Provider Error - No explanation is available, consult EKM Provider for details)",
    "/opt/nfast/bin/ckinfo: C_Login failed with error code: 0xa3",
]


@pytest.mark.parametrize("text", SUCCESS, ids=lambda t: t[:40] or "empty")
def test_success_lines_fire_nothing(text):
    assert match(RULES, text) == []


@pytest.mark.parametrize("text", NEIGHBOUR_LINES, ids=lambda t: t[:50])
def test_neighbour_lines_fire_nothing(text):
    assert match(RULES, text) == []


def test_a_vetoed_line_does_not_hide_ours_on_another_line():
    text = "C_Login failed with error code: 0xa3 (/opt/cloudhsm/lib/libcloudhsm_pkcs11.so)\nC_Login failed with error code: 0xa3\n"
    hits = match(RULES, text)
    assert hits and hits[0].evidence.startswith("C_Login failed with error code: 0xa3")
    assert "cloudhsm" not in hits[0].evidence


def test_unrelated_text_fires_nothing():
    for text in ["INFO request served in 12 ms", "ssh: connect to host 10.0.0.4 port 22: Connection refused", ""]:
        assert match(RULES, text) == []


def test_guards_compile():
    foreign, ours = load_guards(CURATED_FILE)
    assert foreign and ours
    for p in foreign + ours:
        compile_rule_pattern(p)


def test_a_bad_curated_pattern_is_named(tmp_path):
    bad = [{"name": "lookbehind", "entry": "C_Login failed", "pattern": "(?<![a-z0-9])C_Login", "positive": ["x"], "negative": ["y"]}]
    with pytest.raises(ValueError, match=r"rule lookbehind .* is not valid RE2"):
        build_rules(ENTRIES, bad)


ADVERSARIAL = [
    "C_Login " * 10,  # many starts, no end: the {0,120} windows overlap
    "C_Initialize failed with 0",
    "a" * 50,
    "LIQUIDSECURITY Daemon socket ",
    "0x" + "0" * 30,
    "é" * 20,
    "C_Login failed with error code: 0xa3 /opt/cloudhsm/ ",  # every match vetoed
]


def _one_line(seed: str, size: int) -> str:
    return (seed * (size // len(seed) + 1))[:size]


def _time(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        match(RULES, text)
        best = min(best, time.perf_counter() - t)
    return best


@pytest.mark.slow  # seconds of matching, by design
def test_matching_is_linear_on_a_megabyte_line():
    small, large = 100_000, 1_000_000
    worst_small = max(_time(_one_line(s, small)) for s in ADVERSARIAL)
    worst_large = max(_time(_one_line(s, large)) for s in ADVERSARIAL)
    print(f"\nmatch, {len(RULES)} rules, worst of {len(ADVERSARIAL)} adversarial lines: "
          f"100 KB {worst_small * 1000:.1f} ms, 1 MB {worst_large * 1000:.1f} ms")
    assert worst_large < 3.0  # measured well under a second; generous for a shared box
    assert worst_large < 30 * max(worst_small, 0.001)  # 10x the text, not 100x the time
