import pytest

from bot.redact import MASK, redact

SECRETS = [
    ("loginHSM CO admin Adm1nPassw0rd", "Adm1nPassw0rd"),
    ("azcloudhsm_util singlecmd loginHSM -u CU -p S3cretPw -s cu1 genRSAKeyPair -m 2048", "S3cretPw"),
    ("createUser CU cu1 N3wUserPw", "N3wUserPw"),
    ("changePswd CU cu1 Rotated99", "Rotated99"),
    ('export azcloudhsm_password="cu1:Sup3rS3cret"', "Sup3rS3cret"),
    ("azcloudhsm_password=cu1:plainpw123", "plainpw123"),
    ("pkcs11-tool --login --pin cu1:hunter22 --keygen", "hunter22"),
    ('char pPin[256] = "crypto_user:pinpw777";', "pinpw777"),
    ("C_Login failed pin=cu1:barepin55", "barepin55"),
    ("./tool --password=Tr0ub4dor", "Tr0ub4dor"),
    ('lm.login("PARTITION_1","cu1","javapw42");', "javapw42"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abcdefgh", "eyJhbGciOiJIUzI1NiJ9abcdefgh"),
    ("token xoxb-123456789012-abcdefghijklmn", "xoxb-123456789012-abcdefghijklmn"),
    ("app token xapp-1-A0B1C2D3E4-123456", "xapp-1-A0B1C2D3E4-123456"),
    ("DefaultEndpointsProtocol=https;AccountName=st;AccountKey=AbC+dEf/GhI==;EndpointSuffix=core.windows.net", "AbC+dEf/GhI=="),
    ("https://st.blob.core.windows.net/c?sv=2022&sig=AbCdEf%2B123", "AbCdEf%2B123"),
    ("postgres://admin:dbpass9@db.internal:5432/app", "dbpass9"),
    ("my password is hunter2 and login fails", "hunter2"),
    ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\n-----END PRIVATE KEY-----", "MIIEvQIBADANBgkq"),
    ("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBtruncated", "MHcCAQEEIBtruncated"),
]


@pytest.mark.parametrize("text,secret", SECRETS)
def test_secret_is_masked_and_counted(text, secret):
    masked, n = redact(text)
    assert secret not in masked
    assert MASK in masked and n >= 1


@pytest.mark.parametrize(
    "text",
    [
        "C_Login failed with error code: 0xa3",
        "mkdir -p /opt/azurecloudhsm",
        "ssh -p 22 admin@jumpbox",
        "2026-11-27T10:00:00Z started at 10:00:01",
        "environment variable azcloudhsm_password is not set",
        "loginHSM -u CU -s cu1",
    ],
)
def test_ordinary_text_is_untouched(text):
    assert redact(text) == (text, 0)


def test_one_secret_matched_twice_counts_once():
    masked, n = redact("azcloudhsm_password=cu1:pw123456 password=pw123456")
    assert "pw123456" not in masked and n == 2
    masked, n = redact("--pin cu1:abc12345")
    assert n == 1
