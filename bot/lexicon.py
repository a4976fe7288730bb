"""The words that decide what a line is, in one place: the corpus parser,
the engine, triage and the scope check all read them from here (the secret
hint words live beside the patterns they guard, in `bot.redact`).

Every pattern is RE2 syntax (no lookarounds, no backreferences), so each
can run over raw log bytes in linear time.
"""

import re2

# A line that reports a problem. Used to pick candidate lines out of a log
# (over bytes, with RE2) and to focus a pasted log on its problem lines.
ERROR_WORDS = (
    r"error|fail|fatal|panic|critical|denied|invalid|not found|not set|not present|cannot|can't|"
    r"could not|unable to|exception|refused|timed out|timeout|ckr_|ora-\d|liquidsecurity|missing|"
    r"no such file|doesn'?t exist|does not exist|not registered|already created|already exists"
)

# A line that reports success. Such a line is never a finding, whatever else
# it says (`C_Login -> CKR_OK`, `status=0`).
SUCCESS_WORDS = (
    r"ckr_ok\b|-> ?ok\b|\bstatus[=:] ?0\b|\bsucceeded\b|\bsuccessful(?:ly)?\b|\bsuccess\b|"
    r"\bexit(?:ed)?(?: with)? (?:code|status)[=: ]*0\b|\brc[=:] ?0\b|\b(?:0|no|zero) (?:errors?|failures?)\b|"
    r"\berrors?[=:] ?0\b|\bfail(?:ed|ures?)?[=:] ?0\b"
)
# Words that undo a success marker on the same line ("retry succeeded after
# C_Login failed" is still a failure report).
HARD_FAILURE = r"\bfail(?:ed|ure|s)?\b(?:[^=:0-9]|$)|\berror\b(?:[^=:s0-9]|:\s*[^0\s]|$)|\bfatal\b|\bdenied\b|\bexception\b|ckr_(?:[a-np-z]|o[a-jl-z])"

# Evidence that a line is about an HSM at all: only such lines may become a
# finding through the semantic signal alone (a rule hit needs no more).
HSM_WORDS = (
    r"hsm|azcloudhsm|azurecloudhsm|pkcs ?#? ?11|cryptoki|\bc_[a-z]+\b|ckr_|cfm[23]|liquidsecurity|"
    r"po\.crt|\bpartition|crypto ?user|\bcu\b|\bco\b|key handle|\bksp\b|\bcng\b|\bekm\b|\bjce\b|"
    r"openssl engine|\bengine\b|keystore|key ?store|wrap(?:ping)? key|\bkek\b|ora-28\d{3}|\btde\b"
)

# Wider than HSM_WORDS: the nouns of this product's docs (their headings and
# tools) that a question about it uses without saying "HSM". Calibration reads
# it as one signal among several; it never decides alone.
DOMAIN_WORDS = (
    HSM_WORDS
    + r"|mgmt[ _]?util|management util\w*|client daemon|\bsdk\b|crypto officer|\bpo\.key\b|admin (?:vm|box|machine)|"
    r"\bcluster\b|\bbackups?\b|\brestore|\bnodes?\b|\bserver ?[0-2]\b|offload|tamper|\bfips\b|key handles?|"
    r"extractable|wrap(?:ping)?|\bkeys?\b|certstorage|\bsync\w*|listusers|findallkeys|findkey|loginmanager|cavium|"
    r"private endpoint|diagnostic settings|operation event|event hubs?|microsoft\.insights|certificate storage|openssl|\bnginx\b|"
    r"\bad ?cs\b|\bsql server\b|\bjava\b|signtool|\bcsr\b|x\.?509"
)

SEVERITY = [
    (3, r"\b(?:fatal|critical|panic|emerg)"),
    (2, r"error|fail|exception|denied|ora-|ckr_"),
    (1, r"\bwarn"),
]


def compile_ci(pattern: str) -> "re2._Regexp":
    return re2.compile("(?i)(?:" + pattern + ")")


ERRORISH = compile_ci(ERROR_WORDS)
SUCCESS = compile_ci(SUCCESS_WORDS)
FAILURE = compile_ci(HARD_FAILURE)
HSM = compile_ci(HSM_WORDS)
DOMAIN = compile_ci(DOMAIN_WORDS)
_SEVERITY = [(level, compile_ci(p)) for level, p in SEVERITY]


def is_error(line: str) -> bool:
    return bool(ERRORISH.search(line)) and not is_success(line)


def is_success(line: str) -> bool:
    return bool(SUCCESS.search(line)) and not FAILURE.search(line)


def severity(line: str) -> int:
    return next((level for level, rx in _SEVERITY if rx.search(line)), 0)


def about_hsm(text: str) -> bool:
    return bool(HSM.search(text))


def in_domain(text: str) -> bool:
    return bool(DOMAIN.search(text))
