"""Mask secrets users paste, before anything is printed, logged or stored.

Every pattern is RE2 (`import re2`): a DFA, linear in the text whatever it
holds. Python's `re` on a 150 KB hostile line took 18 s and froze the bot;
nothing here may backtrack. The Python checks look at one match, or a
bounded window before it, so the whole pass stays linear.

What counts as a secret comes from gitleaks' rules and detect-secrets'
plugins: provider formats with a fixed prefix (AWS, GitHub, GitLab, Slack,
npm, Stripe-like, GCP, Azure), keyword assignments in any casing and
separator, the password flags of the common tools, SQL, HTTP auth headers,
URL credentials, PEM private keys, free text ("my pin is cu1:..."), and the
multi-line forms (a YAML value on the next line, Kubernetes `name:` /
`value:`). Keyword matches are then checked: placeholders (`<password>`,
`${X}`, `****`) and plain words (`YES`, `incorrect`) are not secrets, and
keys that name a secret without holding one (`SecretName`,
`token_endpoint`, `PasswordLastSet`) are skipped.

`SECRET_HINT` holds the words (and two shapes) that a secret comes with;
triage uses it to pick candidate lines from raw bytes. `redact` uses it the
same way: only the lines it picks (and the line after each, for values on
the next line) go through the patterns, and a rule runs only when its
trigger word is there, so ordinary text costs one or two DFA scans.
"""

import base64
import binascii
import bisect
import functools
import math
import re
from collections import Counter

import re2

MASK = "[masked]"

# -- vocabulary -----------------------------------------------------------
# Key words that name a secret. `pass` covers password, passwd, passphrase,
# sshpass, storepass; `pin` covers --pin, pPin, HSM_PIN, pin-value.
_KW = r"pass|pwd|pswd|secret|token|pin|cred"
# "key" alone names handles, labels and ids; only these compounds hold one.
_KEY_PREFIXES = (
    "api access secret private priv account client auth app master encryption signing hmac shared subscription "
    "function functions storage sas service db database session primary secondary consumer webhook license"
).split()
_KEYS = r"(?:" + "|".join(sorted(_KEY_PREFIXES, key=len, reverse=True)) + r")[ _.-]?key"
_WORDS = _KW + "|" + _KEYS

# The hint is narrower than the rules' words where a word is common in logs:
# "passed", "mapping" and "ping" don't make a line a candidate.
_HINT_WORDS = r"pass(?:w(?:or)?d|phrase|code|in|out|[^a-z]|$)|pwd|pswd|secret|token|pin(?:[^a-z]|$|code|num|val)|cred|" + _KEYS

# Cloud HSM user names and roles, with a number or a suffix: cu1, co, crypto_user, admin_app.
_HSM_USER = r"\b(?:crypto_?user|crypto_?officer|cu|co|pco|preco|au|admin|appuser|hsm_?user)(?:\d{1,4}|[_.-][a-z0-9]{1,12})?"

SECRET_HINT = "|".join(
    [
        _HINT_WORDS,
        r"_auth|log(?:ging|ged)?[ -]?in|loginhsm|createuser|changepswd|identified|migrate",
        r"bearer|basic|authoriz|sig=|[?&]code=|sharedaccess|private key",
        r"mysql|mariadb|curl|smb|rpcclient|certutil|signtool|securestring|net[ \t]+use|ldap|sqlcmd",
        r"akia|asia|abia|acca|a3t[a-z0-9]|gh[pousr]_|github_pat_|gl(?:pat|rt|dt|ptt|ft|imt|oas|cbt|soat|agent)-|gr1348941",
        r"xox[abposre]-|xapp-|hooks\.slack\.com|npm_|[rs]k_(?:live|test|prod)_|aiza|eyj|q~|hf_|sg\.",
        # An HSM user's PIN, user:password: "cu1:S3cret!", "crypto_user:..." (the user names the secret).
        _HSM_USER + r":[^\s:/]",
        # No word at all: the padding of an Azure storage account key, and user:pw@ in a URL.
        r"==|://[^\s/:@]*:[^\s@]*@",
    ]
)
_HINT = re2.compile("(?i)(?:" + SECRET_HINT + ")")
_HINT_LINE = re2.compile("(?im)^[^\n]*(?:" + SECRET_HINT + ")[^\n]*$")

# A value after a separator: double-quoted (JSON escapes allowed),
# single-quoted, or bare up to whitespace or a delimiter.
_Q = r'''"(?P<s1>(?:[^"\\\n]|\\.)*)"|'(?P<s2>[^'\n]*)\''''
# Slack sends & < > as &amp; &lt; &gt;: part of a value, not its end.
_ENTITY = r"&(?:amp|lt|gt|quot);"
_VALUE = r"(?:" + _Q + r"|(?P<s3>(?:[^\s\pZ\"'`,;&<>]|" + _ENTITY + r")+))"
_VALUE_SP = r"(?:" + _Q + r"|(?P<s3>[^\s\pZ\"'`]+))"  # a shell argument: anything up to a space
# Free text: only a word with a digit, a symbol or an inner capital can be a
# password ("is hunter2" yes, "is incorrect" no); said in RE2 so plain prose
# yields no match at all.
_PWCHAR = r"(?:" + _ENTITY + r"|[^\s\pZ\"'`,;])"  # the entity first: RE2 keeps the first alternative that fits
_PWLIKE = r"(?P<s>(?-i:" + _PWCHAR + r"*(?:[0-9!#$%^*+=?~@|\\]|[A-Za-z0-9][A-Z])" + _PWCHAR + r"*))"
# A key word and the rest of its identifier; the part before it is read back
# in Python (a leading counter here would blow up the DFA).
_IDENT = r"(?P<key>(?i:" + _WORDS + r")[A-Za-z0-9_.-]*)"

_KEYWORD_TRIGGERS = ("pass", "pwd", "pswd", "secret", "token", "pin", "cred", "key")

# (name, pattern, check, trigger words). Checks: raw = mask as is;
# value = keyword value (placeholders out); free = must look like a password;
# pin = user:password, hide the password; bearer / basic / url / entropy.
_RULES = [
    # -- provider formats, in one scan: the prefix is the evidence -----------
    (
        "provider",
        "|".join(
            [
                r"\b(?P<s_aws>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})\b",
                r"\b(?P<s_github>gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
                r"\b(?P<s_gitlab>gl(?:pat|rt|dt|ptt|ft|imt|oas|cbt|soat|agent)-[A-Za-z0-9_-]{20,}|GR1348941[A-Za-z0-9_-]{20,})",
                r"\b(?P<s_slack>xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,})",
                r"(?i:hooks\.slack\.com/(?:services|workflows|triggers)/)(?P<s_webhook>[A-Za-z0-9_/+-]{20,})",
                r"\b(?P<s_npm>npm_[A-Za-z0-9]{36})\b",
                r"\b(?P<s_stripe>[rs]k_(?:live|test|prod)_[A-Za-z0-9]{10,99})\b",
                r"\b(?P<s_gcp>AIza[A-Za-z0-9_-]{35})",
                r"\b(?P<s_hf>hf_[A-Za-z0-9]{30,})",
                r"\b(?P<s_sendgrid>SG\.[A-Za-z0-9_-]{20,24}\.[A-Za-z0-9_-]{39,50})",
                r"(?:^|[^A-Za-z0-9_~.-])(?P<s_aad>[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})",
                # An Azure storage account key (64 bytes of base64); "sha512-" integrity hashes have the same shape.
                r"(?:^|[^A-Za-z0-9+/=-])(?P<s_storage>[A-Za-z0-9+/]{86}==)",
                r"\b(?P<s_jwt>eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
                r"(?i:[?&]code=)(?P<s_code>[A-Za-z0-9_%=/+-]{20,})",
            ]
        ),
        "raw",
        (
            "akia", "asia", "abia", "acca", "a3t", "gh", "github_pat_", "gl", "gr1348941", "xox", "xapp-", "hooks.slack.com", "npm_", "k_live_",
            "k_test_", "k_prod_", "aiza", "hf_", "sg.", "q~", "==", "eyj", "code=",
        ),
    ),
    # -- keyword assignments ---------------------------------------------
    ("keyword", _IDENT + r"(?:\[\d*\])?[\"'\]]?[ \t]*(?:=>|:=|=|:|->)[ \t]*@?" + _VALUE, "value", _KEYWORD_TRIGGERS),
    ("xml-element", r"<[A-Za-z0-9_.-]{0,40}" + _IDENT + r">(?P<s>[^<\n]+)</", "value", _KEYWORD_TRIGGERS),
    ("xml-attr", r"(?i)(?:key|name)=\"[A-Za-z0-9_.-]{0,40}" + _IDENT + r"\"\s+value=\"(?P<s>[^\"\n]*)\"", "value", _KEYWORD_TRIGGERS),
    ("npmrc", r":_(?:auth|authToken|password)[ \t]*=[ \t]*(?P<s>[^\s\"']+)", "raw", (":_",)),
    # The value on the next line: YAML `password:` alone, Kubernetes `name:` / `value:`.
    (
        "next-line",
        r"(?m)" + _IDENT + r"[\"']?[ \t]*:[ \t]*(?:[|>][-+]?)?[ \t]*\r?\n[ \t]*"
        r"(?:\"(?P<s1>[^\"\n]+)\"|'(?P<s2>[^'\n]+)'|(?P<s3>[^\s#\"'-](?:[^\s]*[^\s:])?))[ \t]*\r?$",
        "free",
        _KEYWORD_TRIGGERS,
    ),
    (
        "k8s-env",
        r"name:[ \t]*[\"']?[A-Za-z0-9_.-]{0,40}" + _IDENT + r"[\"']?[ \t]*\r?\n[ \t]*value:[ \t]*" + _VALUE.replace(")+))", "){3,}))"),
        "value",
        _KEYWORD_TRIGGERS,
    ),
    # -- free text: "my password is X", "CU creds are u / p" ---------------
    ("free-text", _IDENT + r"(?:[ \t]+[\w']+){0,4}?[ \t]+(?i:is|was|are)[ \t]+[\"'`]?" + _PWLIKE, "free", _KEYWORD_TRIGGERS),
    ("password-word", r"(?i)\b(?P<key>password|passwd|pwd|passphrase|pin)[ \t]+[\"'`]?" + _PWLIKE, "free", ("pass", "pwd", "pin")),
    ("creds", r"(?i)\bcred(?:s|entials?)\b[^\n]{0,20}?(?:is|are|:|=)[ \t]+[\w.@\\-]+[ \t]*(?:/|:|,|[ \t])[ \t]*" + _PWLIKE, "free", ("cred",)),
    (
        "login-as",
        r"(?i)\blog(?:ging|ged)?[ -]?in[ \t]+as[ \t]+[\w.@\\-]+[ \t]+(?:with|using|pw|/)[ \t]+(?:(?:the[ \t]+)?(?:password|pin)[ \t]+)?[\"'`]?" + _PWLIKE,
        "free",
        ("log",),
    ),
    ("netrc", r"(?i)\blogin\s+\S+\s+password\s+(?P<s>\S+)", "value", ("login",)),
    # -- command lines -----------------------------------------------------
    ("long-flag", r"(?:^|\s)--" + _IDENT + r"(?:[ \t]+|=)" + _VALUE_SP, "value", _KEYWORD_TRIGGERS),
    ("short-flag", r"(?:^|\s)-[A-Za-z0-9_]{0,20}" + _IDENT + r"(?:[ \t]+|=|:[ \t]*)" + _VALUE_SP, "value", _KEYWORD_TRIGGERS),
    ("mysql", r"(?i)\b(?:mysql\w*|mariadb\w*)\b[^\n]*?[ \t]-p(?P<s>[^\s\"']\S*|\"[^\"\n]+\"|'[^'\n]+')", "value", ("mysql", "mariadb")),
    ("tool-p", r"(?i)\b(?:sshpass|loginhsm|certutil|sqlcmd)\b[^\n]*?[ \t]-[pP][ \t]*" + _VALUE_SP, "value", ("sshpass", "loginhsm", "certutil", "sqlcmd")),
    ("login-p", r"(?i)\blogin\b[^\n]*?[ \t]-p[ \t]+" + _VALUE_SP, "value", ("login",)),
    ("signtool", r"(?i)\bsigntool\b[^\n]*?[ \t]/p[ \t]+" + _VALUE_SP, "value", ("signtool",)),
    ("ldap", r"(?i)\bldap\w*\b[^\n]*?[ \t]-w[ \t]+" + _VALUE_SP, "value", ("ldap",)),
    ("curl-user", r"(?i)\bcurl\b[^\n]*?[ \t](?:-u|--user)(?:[ \t]+|=)[\"']?[^\s:\"']*:(?P<s>[^\s\"']+)", "value", ("curl",)),
    ("smb-user", r"(?i)\b(?:smb\w*|rpcclient)\b[^\n]*?(?:-U|--user=?)[ \t]*[\"']?[^\s%\"']+%(?P<s>[^\s\"']+)", "value", ("smb", "rpcclient")),
    ("securestring", r"(?i)ConvertTo-SecureString[ \t]+(?:-String[ \t]+)?" + _VALUE_SP, "value", ("securestring",)),
    ("net-use", r"(?i)\bnet[ \t]+use[ \t]+(?:[A-Za-z]:[ \t]+)?\\\\\S+[ \t]+(?P<s>[^\s/*][^\s]*)", "value", ("net",)),
    ("net-use-user", r"(?i)\bnet[ \t]+use\b[^\n]*?/user:\S+[ \t]+(?P<s>[^\s/*][^\s]*)", "value", ("net",)),
    # -- SQL -------------------------------------------------------------
    ("sql-identified", r"(?i)\bIDENTIFIED[ \t]+(?:WITH[ \t]+\S+[ \t]+)?BY[ \t]+(?:VALUES[ \t]+)?" + _VALUE, "value", ("identified",)),
    ("sql-migrate", r"(?i)\bMIGRATE[ \t]+USING[ \t]+" + _VALUE, "value", ("migrate",)),
    ("sql-password", r"(?i)\bPASSWORD[ \t]*=?[ \t]*N?(?:'(?P<s2>[^'\n]*)'|\"(?P<s1>[^\"\n]*)\")", "value", ("password",)),
    # -- HTTP and connection strings -----------------------------------------
    (
        "authorization",
        r"(?i)\bauthorization[\"']?[ \t]*[:=][ \t]*[\"']?(?:(?:basic|bearer|token|negotiate|ntlm|apikey|sso-key)[ \t]+)?(?P<s>[^\s\"',;]+)",
        "value",
        ("authoriz",),
    ),
    ("bearer", r"(?i)\bbearer[ \t]+(?P<s>[A-Za-z0-9._~+/=-]{12,})", "bearer", ("bearer",)),
    ("basic", r"(?i)\bbasic[ \t]+(?P<s>[A-Za-z0-9+/]{8,}={0,2})", "basic", ("basic",)),
    ("sas", r"(?i)(?:\b|[?&;])(?:sig|SharedAccessSignature)=(?P<s>[^;&\s\"'<>]+)", "value", ("sig=", "sharedaccesssignature=")),
    ("url-credentials", r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:(?P<s>[^@\s]+)@", "url", ("://",)),
    # -- HSM tools ---------------------------------------------------------
    (
        "hsm-positional",
        r"(?i)\b(?:loginHSM|createUser|changePswd)[ \t]+(?:CO|CU|PCO|PRECO|AU|crypto_user|crypto_officer)[ \t]+[^\s-]\S*[ \t]+" + _VALUE_SP,
        "value",
        ("loginhsm", "createuser", "changepswd"),
    ),
    ("login-call", r"(?i)\blogin\(\s*\"[^\"\n]*\"\s*,\s*\"[^\"\n]*\"\s*,\s*\"(?P<s>[^\"\n]+)\"", "value", ("login(",)),
    ("hsm-user-pin", r"(?i)" + _HSM_USER + r":" + _PWLIKE, "free", ("cu", "co", "au", "admin", "crypto", "user")),
    ("login-pin-call", r"(?i)\blogin\(\s*\"(?P<s>[A-Za-z_][\w.@-]*:[^\"\n]+)\"", "pin", ("login(",)),
    # -- a long random token right after a secret word: `token 8f3kd93...` --------
    (
        "entropy",
        r"(?i)(?P<key>(?:" + _WORDS + r")[A-Za-z0-9_-]{0,20})[\"']?[ \t:=(]{1,3}[\"'(]?(?P<s>[A-Za-z0-9+/_~.=-]{20,})",
        "entropy",
        _KEYWORD_TRIGGERS,
    ),
]
def _searcher(rx):
    """search(data, pos) -> the spans of all groups, or None. A match can come
    every few bytes on hostile input; the public Match object costs ~5 us to
    build, so call the binding directly when it is the one we know."""
    raw, anchor = getattr(rx, "_regexp", None), getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
    if raw is not None and anchor is not None and hasattr(raw, "Match"):

        def search(data: bytes, pos: int):
            spans = raw.Match(anchor, data, pos, len(data))
            return None if spans[0][0] < 0 else spans

        return search

    def search_public(data: bytes, pos: int):
        m = rx.search(data, pos)
        return None if m is None else [m.span(i) for i in range(rx.groups + 1)]

    return search_public


_TRIGGERS = sorted({t.encode() for rule in _RULES for t in rule[3]})
# One scan of the lowercased text tells which trigger words are there.
_TRIGGER_SET = re2.Set.SearchSet(re2.Options())
for _t in _TRIGGERS:
    _TRIGGER_SET.Add(re2.escape(_t))
_TRIGGER_SET.Compile()
_COMPILED = []
for _name, _pattern, _check, _triggers in _RULES:
    _rx = re2.compile(_pattern)
    _groups = [i for g, i in sorted(_rx.groupindex.items()) if g.startswith("s")]
    _needs = frozenset(_TRIGGERS.index(t.encode()) for t in _triggers)
    _COMPILED.append((_name, _searcher(_rx), _check, _needs, _groups, _rx.groupindex.get("key")))

# PEM bodies span lines with no hint word, so this one reads the whole text.
_PEM = re2.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?P<s>(?:[A-Za-z0-9+/=\s]|\\[nr]|Proc-Type:[^\n]*|DEK-Info:[^\n]*)+)"
)

# -- checks on one match ---------------------------------------------------
# Python's re on a key cut to 120 characters: bounded, and no RE2 call overhead.
_SPLIT = re.compile(r"[A-Z]+[a-z0-9]*|[a-z0-9]+")
_SECRET_PARTS = {"password", "passwd", "passphrase", "pass", "pwd", "pswd", "secret", "secrets", "token", "pin", "creds", "credential", "credentials"}
_PREFIXES = set(_KEY_PREFIXES)
# A part after the key word that makes the key a secret's metadata, not its value.
_NOT_VALUE = set(
    "id ids name names file path dir url uri endpoint prompt hint policy length len min max age expiry expires expiration expired "
    "last set date time count ref version enabled required less label handle size format field header mode reset change changed "
    "provider source kind rotation lifetime hash type stdin env location store vault auth authentication manager list flow grant "
    "validation complexity strength hashing column ttl timeout duration interval seconds retries limit cache incorrect invalid locked "
    "error failed failure wrong mismatch range retry attempts tries status state".split()
)
_STOPWORDS = set(
    "yes no true false null nil none undefined empty required optional incorrect invalid wrong expired missing hidden redacted "
    "masked set unset not n/a na tbd todo prompt ask stdin env file string str bool int secret password passwd token pin key value "
    "dummy example placeholder default auto enabled disabled on off ok all error failed failure success".split()
)
# Segments split by "/", which they cannot hold: no backtracking.
_PATH = re.compile(r"(?:~|\.{1,2})?(?:/[\w.@-]+)+/?")
_USER_KEY = re.compile(r"(?i)pin|azcloudhsm|login")
_PIN_WORD = re.compile(r"(?i)pass|pwd|pswd|pin")
_IDCHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-$")
_USER_PW = re.compile(r"[A-Za-z_][\w.@\\-]{0,63}:")


@functools.lru_cache(maxsize=4096)
def _key_ok(key: str) -> bool:
    """Does the key name hold a secret? DB_PASSWORD yes; SecretName, token_endpoint no."""
    parts = [p.lower() for p in _SPLIT.findall(key[:120])]
    if parts[-3:] == ["private", "key", "id"]:
        return True  # only GCP service-account key files have it; the whole file is a credential
    for i, part in enumerate(parts):
        hit = (
            part in _SECRET_PARTS
            or (part.endswith(("password", "passwd", "secret", "token", "passphrase")) and len(part) > 6)
            or (part.endswith("pass") and part not in {"bypass", "compass", "surpass", "overpass"})
            or (part.endswith("pin") and len(part) <= 5 and part not in {"spin", "opin"})
            or (part == "key" and i > 0 and parts[i - 1] in _PREFIXES)
            or (part.endswith("key") and part[:-3] in _PREFIXES)
        )
        if hit:
            rest = parts[i + 1 :]
            if rest and (rest[0] in _NOT_VALUE or rest[-1] in _NOT_VALUE):
                continue
            return True
    return False


def _placeholder(v: str) -> bool:
    s = v.strip()
    low = s.lower()
    if not s or s == MASK or low in _STOPWORDS:
        return True
    if s[0] in "<{" and s[-1] in ">}":  # <password>, {{ .Values.x }}, {pw}
        return True
    if s[0] == "$" or (s[0] == "%" and s[-1] == "%"):  # $PW, ${PW}, $(cat f), %PW%
        return True
    if len(set(s)) == 1 and s[0] in "*x.X#-_•":  # ****, xxxx
        return True
    if s[-1] in "([" or (s[0] == "(" and ")" not in s):  # code: os.getenv(, (Get-AzStorageAccountKey
        return True
    return low.startswith(("@microsoft.keyvault", "!vault", "env:", "file:", "fd:", "secretref:"))


def _strip_closers(v: str) -> str:
    # "(using password: YES)": the bracket closes the sentence, not the value.
    pairs = {")": "(", "]": "[", "}": "{"}
    while v and v[-1] in pairs and v.count(v[-1]) > v.count(pairs[v[-1]]):
        v = v[:-1]
    return v


_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_PLAIN = _DIGITS | _LETTERS | frozenset("_-.")


def _kinds(s: str) -> tuple[bool, bool, bool]:
    """Has a digit, a letter, a symbol (not _ - .)? Set operations: this runs on every match."""
    chars = set(s)
    return not chars.isdisjoint(_DIGITS), not chars.isdisjoint(_LETTERS) or any(c.isalpha() for c in chars - _PLAIN), not chars <= _PLAIN


def _looks_secret(s: str) -> bool:
    """For free text: hunter2 and Winter2026! are passwords; incorrect, YES and cu_ops are not."""
    if len(s) < 4 or _placeholder(s) or "://" in s or s.startswith("/"):
        return False
    has_digit, has_alpha, has_symbol = _kinds(s)
    has_symbol = has_symbol and any(not c.isalnum() for c in set(s) - _PLAIN)
    mixed = s[1:].lower() != s[1:] and s.upper() != s
    return (has_digit and has_alpha) or (has_symbol and (has_alpha or has_digit)) or (mixed and len(s) >= 8)


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _random_token(s: str) -> bool:
    if "//" in s or s.startswith("/") or s.count(".") > 2:
        return False  # a path, URL or dotted name
    if _UUID.fullmatch(s):
        return False  # client, tenant and request ids
    has_digit, has_alpha, _ = _kinds(s)
    if not (has_digit and has_alpha):
        return False
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values()) >= 3.0


def _basic_credentials(s: str) -> bool:
    try:
        return b":" in base64.b64decode(s + "=" * (-len(s) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False


def _full_key(data: bytes, key_start: int, key: str) -> str:
    """The key word's whole identifier: DB_ + PASSWORD, keyStore + Password."""
    i, stop = key_start, max(0, key_start - 40)
    while i > stop and data[i - 1] in _IDCHARS:
        i -= 1
    return data[i:key_start].decode("utf-8", "replace") + key


def _accept(data: bytes, name: str, check: str, key: str, start: int, end: int) -> tuple[int, int] | None:
    """The span to mask for one match, or None when it holds no secret."""
    # surrogateescape: one char per bad byte, so lengths map back to bytes exactly.
    value = data[start:end].decode("utf-8", "surrogateescape")
    if check == "raw":
        return (start, end) if value.strip() and value != MASK else None
    if check == "bearer":
        ok = any(c.isdigit() for c in value) or (len(value) >= 20 and value.lower() != value)
        return (start, end) if ok and not _placeholder(value) else None
    if check == "basic":
        return (start, end) if _basic_credentials(value) else None
    if check == "url":
        # "host:8080/path@x" is a port and a path, not a password.
        return None if value.split("/", 1)[0].isdigit() or _placeholder(value) else (start, end)
    if key and name != "password-word" and not _key_ok(key):
        return None
    if check == "entropy":
        return (start, end) if _random_token(value) else None
    if check == "free":
        value = _strip_closers(value.rstrip(".,;:"))
        if not _looks_secret(value):
            return None
    else:
        value = _strip_closers(value)
        if _placeholder(value) or len(value) < 3:
            return None
    if not key and value.count("/") >= 2 and _PATH.fullmatch(value) and not any(c in value for c in "+="):
        return None  # "mkdir -p /opt/x" after a loginHSM on the same line: a path, not the password
    if value.isdigit() and (len(value) < 4 or (key and len(value) <= 12 and not _PIN_WORD.search(key))):
        return None  # "signing key: 262150" is a handle; only a PIN or password is all digits
    end = start + len(value.encode("utf-8", "surrogateescape"))
    if name == "keyword" and key.lower().endswith(("token", "object")) and b"pkcs11:" in data[max(0, start - 300) : start]:
        return None  # pkcs11:token=<label> names a token, it is no secret
    if name == "hsm-user-pin" and re.search(rb"://[^\s/]*$", data[max(0, start - 60) : start]):
        return None  # scheme://admin:pw@host is the URL rule's, which keeps the host readable
    if name in ("short-flag", "long-flag") and value.lower().startswith("pass:"):
        start += 5  # openssl -passin pass:<pw>
    elif check == "pin" or name == "free-text" or (key and _USER_KEY.search(key)):
        user = _USER_PW.match(value)  # cu1:<pw>: the user stays readable
        if user and user.end() < len(value):
            start += user.end()
    return (start, end) if start < end else None


_RESCAN = 256


def _regions(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges worth reading: each line with a hint word and the line after it."""
    if b"\n" not in data:
        return [(0, len(data))]
    regions: list[tuple[int, int]] = []
    for n, m in enumerate(_HINT_LINE.finditer(data)):
        if n > 2000:  # dense hints: reading everything is cheaper than bookkeeping
            return [(0, len(data))]
        start, end = m.span()
        nl = data.find(b"\n", end + 1)
        end = len(data) if nl < 0 else nl
        if regions and start <= regions[-1][1] + 1:
            regions[-1] = (regions[-1][0], end)
        else:
            regions.append((start, end))
    return regions


def _spans(data: bytes) -> list[tuple[int, int]]:
    regions = _regions(data)
    # The regions, joined by newlines, with each one's offset in the original.
    view = b"\n".join(data[s:e] for s, e in regions)
    offsets, bases, pos = [], [], 0
    for s, e in regions:
        offsets.append(pos)
        bases.append(s)
        pos += e - s + 1
    low = view.lower()
    present = _TRIGGER_SET.Match(low)
    if present is None:
        # No trigger word, or the Set gave up (RE2 says nothing else when its DFA runs
        # out of memory): ask again the slow way rather than trust it.
        present = [i for i, t in enumerate(_TRIGGERS) if t in low]
    present = set(present)

    spans = []
    for name, search, check, needs, groups, key_index in _COMPILED:
        if needs.isdisjoint(present):
            continue
        pos = 0
        while pos <= len(view):
            found = search(view, pos)
            if found is None:
                break
            pos = found[0][1] if found[0][1] > found[0][0] else found[0][1] + 1
            start = end = -1
            for g in groups:
                start, end = found[g]
                if start >= 0:
                    break
            key = ""
            if key_index:
                key_start, key_end = found[key_index]
                key = _full_key(view, key_start, view[key_start:key_end].decode("utf-8", "replace"))
            span = _accept(view, name, check, key, start, end) if start < end else None
            if span:
                i = bisect.bisect_right(offsets, span[0]) - 1
                spans.append((span[0] - offsets[i] + bases[i], span[1] - offsets[i] + bases[i]))
            elif key_index and found[0][1] - key_end <= _RESCAN:
                # "CKR_PIN_INCORRECT my password is X1": the rejected key must not
                # hide the next one. Only short matches are read again, so this
                # stays linear.
                pos = key_end
    if b"PRIVATE KEY" in data:
        for m in _PEM.finditer(data):
            spans.append(m.span(1))
    return spans + _echoes(data, spans)


def _echoes(data: bytes, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Other places the same secret shows up: `connect($dsn, 'u', 'pw')` then
    `password => 'pw'` reveals the first one too. A few dozen values at most,
    so this stays linear in the text."""
    values = {data[s:e] for s, e in spans if 6 <= e - s <= 200}
    found = []
    for value in sorted(values, key=len, reverse=True)[:32]:
        i = data.find(value)
        while i >= 0:
            found.append((i, i + len(value)))
            i = data.find(value, i + len(value))
    return found


def _merge(data: bytes, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        # Whitespace at the ends stays, so a PEM body's BEGIN/END keep their lines.
        while s < e and data[s] in b" \t\r\n":
            s += 1
        while e > s and data[e - 1] in b" \t\r\n":
            e -= 1
        # Never cut a UTF-8 character in two.
        while s > 0 and 0x80 <= data[s] < 0xC0:
            s -= 1
        while e < len(data) and 0x80 <= data[e] < 0xC0:
            e += 1
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def redact(text: str) -> tuple[str, int]:
    """Return the text with every secret masked, and how many were masked."""
    data = text.encode("utf-8", "surrogatepass")
    if not _HINT.search(data):
        return text, 0
    spans = _merge(data, _spans(data))
    if not spans:
        return text, 0
    out, pos = [], 0
    for s, e in spans:
        out.append(data[pos:s])
        out.append(MASK.encode())
        pos = e
    out.append(data[pos:])
    return b"".join(out).decode("utf-8", "surrogatepass"), len(spans)
