import functools
import re
from pathlib import Path

from bot.corpus import load_corpus
from bot.corpus.text import slug

from conftest import CORPUS

TROUBLE = CORPUS / "azure-cloud-hsm" / "troubleshoot.md"


@functools.cache
def _entries():
    return load_corpus(CORPUS)  # parsed once: tests read, never change, the entries


def test_one_troubleshooting_entry_per_h3_with_its_h2_section():
    es = [e for e in _entries() if e.doc == "azure-cloud-hsm/troubleshoot"]
    h3 = re.findall(r"^### (.+)$", TROUBLE.read_text(encoding="utf-8"), re.M)
    assert [e.title for e in es] == [t.strip() for t in h3]
    e = next(e for e in es if "0xa3" in e.title)
    assert e.title == 'Why am I getting the error message "C_Login failed with error code: 0xa3"?'
    assert e.section == "PKCS#11 library for Azure Cloud HSM"
    assert e.kind == "troubleshooting"
    assert e.url == (
        "https://learn.microsoft.com/azure/cloud-hsm/troubleshoot"
        "#why-am-i-getting-the-error-message-c_login-failed-with-error-code-0xa3"
    )


def test_h4_variants_stay_inside_their_entry():
    e = next(e for e in _entries() if "C_Initialize()" in e.title)
    assert "#### Linux (recommended)" in e.fix and "#### Windows (manual)" in e.fix
    assert "sudo systemctl start azure-cloud-hsm.service\nsudo systemctl enable azure-cloud-hsm.service" in e.commands


def test_heading_in_two_sections_gets_two_ids_and_the_slug_url():
    es = [e for e in _entries() if "azcloudhsm_password is not set" in e.title]
    assert len(es) == 2 and len({e.id for e in es}) == 2
    assert {e.section for e in es} == {"OpenSSL engine for Azure Cloud HSM", "SSL/TLS offloading for Azure Cloud HSM"}
    assert all(e.url.endswith("#why-am-i-getting-the-error-message-environment-variable-azcloudhsm_password-is-not-set") for e in es)


def test_hash_comments_in_code_fences_are_not_headings():
    titles = {e.title for e in _entries()}
    assert "Define parameters for the new managed identity" not in titles
    assert "Create a managed identity" in titles


def test_mojibake_and_odd_spaces_repaired_in_commands():
    e = next(e for e in _entries() if "RET_USER_LOGIN_FAILURE" in e.title)
    assert "loginHSM CO admin adminpassword\ncreateUser CU cu1 user1234" in e.commands[0]
    for entry in _entries():
        for cmd in entry.commands:
            assert "â€" not in cmd and "\ufeff" not in cmd and "\u202f" not in cmd


def test_faq_one_entry_per_question():
    faq = [e for e in _entries() if e.doc == "azure-cloud-hsm/faq"]
    import yaml

    data = yaml.safe_load((CORPUS / "azure-cloud-hsm" / "faq.yml").read_text(encoding="utf-8"))
    assert len(faq) == sum(len(s["questions"]) for s in data["sections"])
    e = next(e for e in faq if e.title == "What is Azure Cloud HSM?")
    assert e.section == "General questions" and e.kind == "faq"
    assert e.url == "https://learn.microsoft.com/azure/cloud-hsm/faq#what-is-azure-cloud-hsm"


def test_learn_markdown_is_cleaned():
    for e in _entries():
        assert "[!NOTE]" not in e.fix and ":::image" not in e.fix and "](overview.md" not in e.fix
    e = next(e for e in _entries() if e.doc.endswith("faq") and e.title == "What is Azure Cloud HSM?")
    assert "(https://learn.microsoft.com/azure/cloud-hsm/overview)" in e.fix


def test_error_strings_and_tags():
    e = next(e for e in _entries() if "set a key or keystore" in e.title)
    assert "ORA-28407: Hardware Security Module failed with PKCS#11 error" in e.errors
    assert "PKCS#11" in e.tags
    e = next(e for e in _entries() if "SQL Server on Linux" in e.title)
    assert "SQL EKM" in e.tags


def test_slug_rule():
    assert slug("How does the PKCS#11 library (azcloudhsm_pkcs11.dll) integrate with OpenSC?") == (
        "how-does-the-pkcs11-library-azcloudhsm_pkcs11dll-integrate-with-opensc"
    )


def test_a_teams_runbook_folder_works_the_same_way(tmp_path: Path):
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "hsm-oncall.md").write_text(
        "# HSM on-call\n\n## Client\n\n### Why do I see \"proxy handshake refused by relay\"?\n\n"
        "Restart the relay.\n\n```bash\nsudo systemctl restart relay\n```\n",
        encoding="utf-8",
    )
    es = load_corpus(tmp_path)
    e = next(e for e in es if "relay" in e.title)
    assert e.url == "runbooks/hsm-oncall#why-do-i-see-proxy-handshake-refused-by-relay"
    assert e.commands == ["sudo systemctl restart relay"]
    assert e.errors == ["proxy handshake refused by relay"]
