"""Mask secrets users paste, before anything is printed, logged or stored.

Every pattern names the span to hide (its `secret` group, else the whole
match); spans from all patterns are merged, so a secret matched twice is
masked and counted once. HSM-specific forms come first in the list because
they are the ones our users actually paste (`loginHSM CU cu1 <pw>`,
`--pin cu1:<pw>`, `azcloudhsm_password=cu1:<pw>`).
"""

import re

MASK = "[masked]"

_V = r"""(?:"[^"\n]*"|'[^'\n]*'|[^\s"',;]+)"""  # a value: quoted or bare

_PATTERNS = [
    # PEM private keys, also truncated ones (no END line in the paste).
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
    # user:password PINs: keep the user, hide the password.
    r"(?i)\bazcloudhsm_password\s*=\s*[\"']?[\w.@-]+:(?P<secret>[^\s\"']+)",
    r"(?i)\bazcloudhsm_password\s*=\s*[\"']?(?P<secret>[^\s\"':]+)(?![:\w])",
    r"(?i)--pin[\s=]+[\"']?(?:[\w.@-]+:)?(?P<secret>[^\s\"']+)",
    r"(?i)\bp?pin(?:\[\d*\])?\s*[:=]\s*[\"'](?:[\w.@-]+:)?(?P<secret>[^\"'\s]+)[\"']",
    r"(?i)\bpin\s*[:=]\s*(?:[\w.@-]+:)?(?P<secret>[^\s\"',;]+)",
    # azcloudhsm_mgmt_util / azcloudhsm_util forms.
    r"(?i)\bloginHSM\s+(?!-)\w+\s+\S+\s+(?P<secret>\S+)",
    r"(?i)\b(?:createUser|changePswd)\s+(?!-)\w+\s+\S+\s+(?P<secret>\S+)",
    r"(?i)(?:\bloginHSM\b|\bazcloudhsm\w*|\s-u\s+\w+).*?\s-p\s+(?P<secret>[^\s-]\S*)",
    r"(?i)--password(?:\s+|=)(?P<secret>" + _V + ")",
    # JCE: LoginManager.login("PARTITION_1", "cu1", "<pw>").
    r"(?i)\blogin\(\s*\"[^\"]*\"\s*,\s*\"[^\"]*\"\s*,\s*\"(?P<secret>[^\"]+)\"",
    # Tokens.
    r"\bxox[abposre]-[A-Za-z0-9-]{10,}",
    r"\bxapp-[A-Za-z0-9-]{10,}",
    r"(?i)\bbearer\s+(?P<secret>[A-Za-z0-9._~+/=-]{12,})",
    r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
    # Azure connection strings and SAS signatures.
    r"(?i)\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|sig)=(?P<secret>[^;&\s\"']+)",
    # URLs with credentials.
    r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]+:(?P<secret>[^@\s/]+)@",
    # Generic key=value secrets, and "my password is X".
    r"(?i)\b(?:password|passwd|pwd|pass|secret|client_secret|api[_-]?key|token)\s*(?:[:=]|\bis\b)\s*(?P<secret>"
    + _V
    + ")",
]
_COMPILED = [re.compile(p) for p in _PATTERNS]
# Every pattern above needs one of these words; most log lines have none, and
# one search for them is much cheaper than twenty patterns (triage's hot path).
_HINT = re.compile(
    r"(?i)pass|pwd|pin|login|createuser|changepswd|secret|token|bearer|xox|xapp|eyj|private key|"
    r"key=|sig=|signature=|api.?key|azcloudhsm|\s-u\s|@"
)


def _spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for rx in _COMPILED:
        for m in rx.finditer(text):
            group = "secret" if "secret" in rx.groupindex and m.group("secret") else 0
            start, end = m.span(group)
            value = text[start:end].strip("\"'")
            if not value or value == MASK:
                continue
            spans.append((start, end))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def redact(text: str) -> tuple[str, int]:
    """Return the text with every secret masked, and how many were masked."""
    if not _HINT.search(text):
        return text, 0
    spans = _spans(text)
    if not spans:
        return text, 0
    out, pos = [], 0
    for s, e in spans:
        out.append(text[pos:s])
        # Keep quotes around a quoted secret so the line still reads right.
        chunk = text[s:e]
        lead = chunk[0] if chunk[:1] in "\"'" and chunk[-1:] == chunk[:1] and len(chunk) > 1 else ""
        out.append(f"{lead}{MASK}{lead}")
        pos = e
    out.append(text[pos:])
    return "".join(out), len(spans)
