"""Scope: questions and logs about a neighbouring product are recognised;
ours, and texts that name both, are not."""

import time

import pytest

from bot.corpus import load_corpus
from bot.search.scope import DEFAULT_SCOPE_FILE, HEAD_CHARS, Scope, ScopeError, ScopeHit

from conftest import CORPUS

SCOPE = Scope.load(CORPUS / DEFAULT_SCOPE_FILE)

AWS = "AWS CloudHSM"
KMS = "AWS KMS"
GCP = "Google Cloud HSM / Cloud KMS"
MHSM = "Azure Key Vault Managed HSM"
AKV = "Azure Key Vault"
PAY = "Azure Payment HSM (Thales payShield)"
DHSM = "Azure Dedicated HSM (Thales Luna)"
NSHIELD = "Entrust nShield"
UTIMACO = "Utimaco CryptoServer"

POSITIVE: dict[str, list[str]] = {
    AWS: [
        "key_mgmt_util: Command: loginHSM -u CU -s app_user -p ****\nCfm3LoginHSM returned: 0xa3",
        "How do I create a crypto user with cloudhsm_mgmt_util?",
        "aws cloudhsmv2 describe-clusters --filters clusterIds=cluster-abc123 shows UNINITIALIZED",
        'nginx: [emerg] ENGINE_by_id("cloudhsm") failed (SSL: error:12800067:DSO support routines::could not load the shared library)',
        "I put ssl_engine cloudhsm; in nginx.conf and the workers exit on start",
        "C_Initialize() failed with CKR_GENERAL_ERROR using /opt/cloudhsm/lib/libcloudhsm_pkcs11.so",
        "export CLOUDHSM_PIN=crypto_user:secret and then `key list` says error_code 1",
        'aws-cloudhsm > login --username admin --role admin\n{ "error_code": 1, "data": "Invalid credentials" }',
        "openssl req -new -engine cloudhsm -key rsa.pem -out req.csr gives invalid engine",
        "Our AWS CloudHSM cluster went DEGRADED after one of the HSMs was deleted",
        "ran /opt/cloudhsm/bin/configure -a 10.0.1.12 but the daemon can't find customerCA.crt",
        "n3fips_password environment variable is not set when I run the JCE sample",
        r"C:\Program Files\Amazon\CloudHSM\bin\cloudhsm-cli.exe interactive just hangs",
        "Is hsm2m.medium available in eu-west-1 yet?",
        "CloudHSM CLI: user create --username app --role crypto-user, then how do I share a key with it?",
        "cloudhsm cli cluster activate asks for the admin password twice",
        "ERROR: the cloudhsm_client daemon exited: connect to 10.0.2.7:2223 refused",
        "our CloudHSM key store in KMS is DISCONNECTED; kmsuser password rotation?",
        "com.amazonaws.cloudhsm.jce.provider.CloudHsmProvider throws on init",
        "Migrating off CloudHSM Classic: are the keys exportable?",
        "configure-pkcs11 --hsm-ip 10.0.3.4 fails with permission denied",
    ],
    KMS: [
        "aws kms decrypt --ciphertext-blob fileb://secret.enc fails with AccessDeniedException",
        "User: arn:aws:iam::123456789012:role/app is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd",
        "botocore.errorfactory.KMSInvalidStateException: key is pending deletion",
        "Should the bucket use alias/aws/s3 or a customer managed key?",
        "How do I rotate a symmetric key in AWS Key Management Service every 90 days?",
        "Our XKS proxy returns 503 to KMS during the health check",
        "boto3 client('kms').verify() raises KMSInvalidSignatureException for an ECDSA signature",
        "Can a custom key store use my own on-prem HSM?",
        "kms:GenerateDataKey calls are being throttled (ThrottlingException: Rate exceeded)",
        "Amazon KMS key policy denies my Lambda role",
    ],
    GCP: [
        "gcloud kms keys create signing-key --keyring prod --location global --purpose asymmetric-signing --protection-level hsm",
        "PERMISSION_DENIED: Permission 'cloudkms.cryptoKeyVersions.useToSign' denied on resource",
        "libkmsp11.so: C_Initialize returned CKR_GENERAL_ERROR because KMS_PKCS11_CONFIG is not set",
        "Does Google Cloud HSM support FIPS 140-2 Level 3?",
        "projects/acme/locations/europe-west1/keyRings/app/cryptoKeys/tls/cryptoKeyVersions/3 is DESTROYED",
        "How do I set up Cloud EKM with our external key manager?",
        "protectionLevel: HSM on the CryptoKey but signing takes 200 ms",
        "Is Cloud KMS HSM-backed for CMEK on BigQuery?",
        "google.cloud.kms_v1.KeyManagementServiceClient raises FailedPrecondition",
        "We're on GCP: can I sign JWTs with an HSM key?",
        "GCP Cloud HSM quota for asymmetric sign requests per minute?",
        "Cloud External Key Manager says the key is unavailable",
    ],
    MHSM: [
        "az keyvault security-domain download --hsm-name contoso-mhsm --sd-wrapping-keys c0.cer c1.cer c2.cer --sd-quorum 2 --security-domain-file sd.json",
        'az keyvault role assignment create --hsm-name ContosoMHSM --role "Managed HSM Crypto User" --assignee app@contoso.com --scope /keys',
        "GET https://contoso-mhsm.managedhsm.azure.net/keys/cmk returns 403 Forbidden",
        "New-AzKeyVaultManagedHsm -Name contoso -ResourceGroupName rg -Location westus3 -Administrator $oid",
        "How many keys can I store in one Managed HSM pool?",
        "Our managed HSM is stuck in Provisioning after creation",
        "We lost two of the three wrapping keys, can we still restore the security domain?",
        "Microsoft.KeyVault/managedHSMs deployment fails with BadRequest",
        "Add-AzKeyVaultKey -HsmName contoso -Name cmk -KeyType RSA-HSM",
        "What's the SLA for mHSM in a single region?",
        "Does the AzureManagedHsmTLSOffload library work with nginx 1.24?",
    ],
    AKV: [
        "privatelink.vaultcore.azure.net does not resolve from our on-prem DNS servers",
        "Can I back up an Azure Key Vault key and restore it in another subscription?",
        "Key Vault RBAC vs access policies: how do we migrate without downtime?",
        'Operation returned an invalid status code \'Forbidden\'. Code: Forbidden. Inner error: {"code":"ForbiddenByRbac"}',
        "az keyvault secret show --vault-name kv-prod --name db-password",
        "https://kv-prod.vault.azure.net/secrets/db-password?api-version=7.4 returns 401",
        "AKV10032: Invalid issuer. Expected one of https://sts.windows.net/aaa/, found https://sts.windows.net/bbb/",
        "Set-AzKeyVaultAccessPolicy -VaultName kv-prod -ObjectId $id -PermissionsToSecrets get,list",
        "Cannot initialize cryptographic provider. Provider error code: 2058. (Provider Error - No explanation is available, consult EKM Provider for details)",
        "CREATE CRYPTOGRAPHIC PROVIDER AzureKeyVault_EKM FROM FILE = 'C:\\Program Files\\SQL Server Connector for Microsoft Azure Key Vault\\Microsoft.AzureKeyVaultService.EKM.dll'",
        "How do I turn on purge protection for an existing vault?",
        "App Service shows @Microsoft.KeyVault(SecretUri=https://kv.example/secrets/x/) unresolved",
        "HttpResponseError from azure-keyvault-secrets SecretClient.get_secret in a Function",
        "VaultAlreadyExists when I redeploy the Bicep template",
        "Where should I keep the TLS certificates in Key Vault for Application Gateway?",
        "Microsoft.KeyVault/vaults/accessPolicies add operation fails in the ARM template",
        "I assigned Key Vault Secrets User to the function identity and still get 403",
        "Does Key Vault Administrator let me read secret values?",
        "How do I recover a soft-deleted vault with the same name?",
    ],
    PAY: [
        "payShield Manager can't connect to the HSM over the management network",
        "az dedicated-hsm create --name pay1 --sku payShield10K_LMK1_CPS60 --stamp-id stamp1",
        "Which LMK options does Azure Payment HSM support?",
        "Is the payment HSM PCI PIN certified?",
        "payShield 10K host command A0 returns error 15",
        "Can I use a payment HSM for EMV card issuing?",
        "Thales payShield remote management certificate has expired",
        "How do I get quota for Payment HSM in East US?",
    ],
    DHSM: [
        "Dedicated HSM is being retired, what is the end-of-support date?",
        "lunacm:> partition login\n    Command Result : 0x000000a0 (CKR_PIN_INCORRECT)",
        "vtl verify shows no slots after I added the server certificate",
        "az dedicated-hsm show --name hsm1 --resource-group rg",
        "/usr/safenet/lunaclient/bin/lunacm doesn't see the partition",
        "C_Login returned CKR_PIN_INCORRECT from libCryptoki2_64.so",
        "Chrystoki.conf: which ServerName entries do I need for an HA group?",
        "lunash:> hsm init -label myHSM fails with an error",
        "Our Azure Dedicated HSM is being retired - what are the dates?",
        "The NTLS service isn't running on the Luna Network HSM",
        "LUNA_RET_SM_UNKNOWN_TOSM_STATE after the firmware update",
        "Microsoft.HardwareSecurityModules/dedicatedHSMs provisioning failed in the stamp",
        "Get-AzDedicatedHsm returns nothing in this subscription",
        "ckdemo option 1 (open session) fails on slot 0",
        "cmu list -slot=0 shows no objects after the import",
        "Thales DPoD service client: which tile do I download?",
        "Our dedicated HSM device in the stamp is unreachable",
    ],
    NSHIELD: [
        "/opt/nfast/bin/enquiry shows the module as unavailable",
        "nfkminfo says the Security World is not initialised",
        "hardserver fails to start after the 13.3 upgrade",
        "CKNFAST_LOADSHARING=1 still uses only one module",
        "generatekey pkcs11 protect=module type=RSA size=2048 fails",
        "Entrust nShield Connect XC remote file system setup",
        "rfs-setup --force 10.0.0.5 returns an error",
        "KeySafe can't load the OCS card set",
    ],
    UTIMACO: [
        "csadm Dev=3001@127.0.0.1 GetState reports INIT_INOPERABLE",
        "cs_pkcs11_R3.cfg: where do I set the device address?",
        "p11tool2 Slot=0 Login=User,123456 ListObjects fails with 0xB0830060",
        "How do I run the Utimaco simulator on Windows?",
        "CryptoServer Se Gen2 returns error B9010010",
        "libcs_pkcs11_R3.so C_Login -> CKR_PIN_INCORRECT",
        "cxitool ListKeys needs which user?",
        "SecurityServer setup on Windows can't find the HSM",
    ],
    "SoftHSM": [
        "softhsm2-util --init-token --slot 0 --label dev fails with 'Could not initialize the library'",
        "SoftHSM2 token not visible to pkcs11-tool after a reboot",
        "Where does SoftHSM keep its tokens? /var/lib/softhsm/tokens is empty",
        "CI uses softhsm as a fake HSM and C_Login returns CKR_PIN_INCORRECT",
        "export SOFTHSM2_CONF=/etc/softhsm2.conf still reads the default file",
        "libsofthsm2.so: cannot open shared object file in the docker image",
        "SoftHSM: how do I back up a token directory safely?",
        "Upgrading SoftHSM from 2.5 to 2.6 broke the object store",
    ],
    "Fortanix DSM": [
        "Fortanix DSM PKCS#11: the API key goes in the PIN field?",
        "fortanix pkcs11 library returns CKR_DEVICE_ERROR behind our proxy",
        "SDKMS app authentication with a client certificate fails with 401",
        "How do I rotate a security object in Fortanix Data Security Manager?",
        "sdkms-cli login works but the JCE provider cannot find the key",
        "Fortanix plugin for nginx keyless TLS: which engine id?",
        "FORTANIX_API_ENDPOINT set, still connecting to the default cluster",
        "Fortanix DSM quorum approval policy for key export",
    ],
    "Securosys Primus HSM": [
        "Securosys Primus HSM: JCE provider setup for a Java signing service",
        "primus.cfg for the Securosys PKCS#11 library, which fields matter?",
        "Securosys partition: login fails after password change",
        "securosys REST API (TSB) returns 403 on sign",
        "How to enable key attestation on a Securosys Primus X-Series",
        "Securosys HSM cluster failover in the PKCS#11 config",
        "Our Securosys tenant hit the object limit",
        "Securosys Primus: import a wrapped AES key with the Java provider",
    ],
}

# Our own product's vocabulary, and ambiguous words on their own: never a neighbour.
OURS = [
    "sudo ./azcloudhsm_util singlecmd loginHSM -u CU -s cu1 -p user1234 findKey",
    "sudo ./azcloudhsm_client azcloudhsm_client.cfg > /dev/null 2>&1 &",
    "./azcloudhsm_mgmt_util ./azcloudhsm_resource.cfg then loginHSM CO admin",
    "Certificate ERROR: [Certificate signature failure] after I copied PO.crt from the admin VM",
    "C_Login failed with error code: 0xa3 using /opt/azurecloudhsm/lib64/libazcloudhsm_pkcs11.so",
    "Private endpoint for Cloud HSM: the private DNS zone doesn't resolve the HSM hostname",
    "invalid engine 'azcloudhsm_openssl' could not load the shared library",
    "export azcloudhsm_openssl_conf=/opt/azurecloudhsm/bin/azcloudhsm_openssl_dynamic.conf",
    "Failed to connect socket, LIQUIDSECURITY: Daemon socket connection error",
    "HSM Error: RET_USER_LOGIN_FAILURE when running azcloudhsm_util",
    "Cfm3ImportWrapKey returned: 0xa8 : Key/Token not found",
    "How do I back up my Cloud HSM cluster to a storage account?",
    "Microsoft.HardwareSecurityModules/cloudHsmClusters deployment failed",
    "nginx: ssl_engine azcloudhsm_openssl; and the master process won't start",
    "openssl genpkey -algorithm RSA -out key.pem -engine azcloudhsm_openssl",
    r"C:\Program Files\Microsoft Azure Cloud HSM Client SDK\libs\pkcs11\azcloudhsm_pkcs11.dll not found",
    "systemctl status azure-cloud-hsm.service shows inactive (dead)",
    "What's the difference between Azure Cloud HSM and Key Vault?",
    "Is cloud hsm FIPS 140-3 Level 3 validated?",
    "Can I use keys in Cloud HSM for SQL Server TDE through the EKM provider?",
    "Cannot initialize cryptographic provider. Provider error code: 1. (Failure - Consult EKM provider for details)",
    "java.security.ProviderException: could not find credentials to login to the HSM",
    "ORA-28407: Hardware Security Module failed with PKCS#11 error",
    "How many keys can one cloudhsm partition hold?",
    "CKR_GENERAL_ERROR(5) from C_Initialize: is the client daemon running?",
    "Does the openssl engine support TLS offload for nginx?",
    "getCaviumPrivKey -k 262150 -out web_server_fake_PEM.key",
    "Which ports do I open in the NSG for the HSM: 2224, 2225, 443 and 444?",
    "azcloudhsm_ksp_import_key.exe fails to represent the key in CNG",
    r"C:\Users\Default\AppData\Roaming\Microsoft\Crypto\CaviumKSP is empty",
    "The partition owner certificate (PO.crt) was lost, can I upload it again?",
    "Event Hubs diagnostic setting for my Cloud HSM operation logs",
    "az monitor diagnostic-settings create --resource-type Microsoft.HardwareSecurityModules/cloudHsmClusters",
    "jce: Daemon socket connection error, API login failed",
    "How do I generate an ED25519 key pair in the HSM for signing?",
    "Should I keep my signing key in Key Vault or in an HSM?",
    "pkcs11 C_Login returns CKR_PIN_INCORRECT",
    "Can Microsoft access the keys in my HSM?",
    "[INFO] worker 1: C_Login -> CKR_OK",
    "chsm says C_Initialize() failed with 00000005",
    "Is an HSM a managed service or do I patch the firmware?",
    "Microsoft Cloud HSM SDK for Windows: where is the KSP installed?",
    "",
]

BOTH = [
    "We're migrating from AWS CloudHSM to Azure Cloud HSM: can keys exported with key_mgmt_util be imported with azcloudhsm_util?",
    "Azure Cloud HSM vs Managed HSM: which one for SQL Server TDE?",
    "Compare Azure Cloud HSM with Azure Key Vault Premium, az keyvault create --sku premium",
    "Moving keys from Azure Dedicated HSM (lunacm backups) to Azure Cloud HSM",
    "Our nginx used ssl_engine cloudhsm on AWS; what is the equivalent with azcloudhsm_openssl?",
    "Is Azure Cloud HSM multi-tenant like Google Cloud HSM?",
    "Replace /opt/cloudhsm/lib/libcloudhsm_pkcs11.so with /opt/azurecloudhsm/lib64/libazcloudhsm_pkcs11.so in the PKCS#11 config",
    "Managed HSM vs Cloud HSM - which one supports PKCS#11?",
    "Should I choose Payment HSM or Cloud HSM for PCI 3DS?",
    "We keep secrets in Key Vault today; can Cloud HSM keys be referenced the same way?",
    "Entrust nShield keys on-prem: can I import them into Azure Cloud HSM?",
    "az keyvault key create --hsm-name mhsm1 compared with genRSAKeyPair in azcloudhsm_util",
]


def test_the_corpus_scope_loads():
    assert len(SCOPE.products) == len(POSITIVE)
    assert set(SCOPE.products) == set(POSITIVE)


@pytest.mark.parametrize(
    "product,text", [(p, t) for p, texts in POSITIVE.items() for t in texts], ids=lambda x: str(x)[:50]
)
def test_neighbour_is_recognised(product, text):
    hit = SCOPE.classify(text)
    assert isinstance(hit, ScopeHit), f"expected {product} for {text!r}"
    assert hit.product == product, f"{text!r}: got {hit.product} on {hit.evidence!r}"
    assert hit.url.startswith("https://")
    assert hit.evidence and hit.evidence.lower() in " ".join(text.split()).lower()


@pytest.mark.parametrize("product", list(POSITIVE))
def test_each_neighbour_has_enough_examples(product):
    assert len(POSITIVE[product]) >= 8


@pytest.mark.parametrize("text", OURS, ids=lambda x: x[:50])
def test_ours_is_not_a_neighbour(text):
    assert SCOPE.classify(text) is None


@pytest.mark.parametrize("text", BOTH, ids=lambda x: x[:50])
def test_both_products_named_is_answered(text):
    assert SCOPE.classify(text) is None


def test_enough_negatives_and_both():
    assert len(OURS) >= 30 and len(BOTH) >= 10


def test_no_entry_of_our_docs_is_a_neighbour():
    entries = load_corpus(CORPUS)
    assert len(entries) > 100
    hits = {e.id: SCOPE.classify(f"{e.title}\n{e.fix}") for e in entries}
    assert {k: v for k, v in hits.items() if v} == {}


def test_every_pattern_is_exercised_by_an_example():
    """No dead pattern: each identifier and mention fires on some positive example."""
    from bot.search.scope import compile_pattern

    examples = [t for texts in POSITIVE.values() for t in texts]
    spec = SCOPE.spec
    dead = []
    for n in spec.neighbours:
        for p in n.patterns + n.mentions:
            if not any(compile_pattern(p).search(t) for t in examples):
                dead.append(f"{n.product}: {p}")
    for p in spec.ours:
        if not any(compile_pattern(p).search(t) for t in OURS + BOTH):
            dead.append(f"ours: {p}")
    assert dead == []


def test_identifiers_beat_a_mention_and_file_order_breaks_ties():
    # Managed HSM (mention) + lunacm (identifier): the identifier decides.
    assert SCOPE.classify("Managed HSM or lunacm?").product == DHSM
    # az keyvault ... --hsm-name is both Key Vault's CLI and Managed HSM's flag: Managed HSM is listed first.
    assert SCOPE.classify("az keyvault key list --hsm-name contoso").product == MHSM
    # A payShield SKU on a dedicatedHSMs resource is a Payment HSM.
    assert SCOPE.classify("Microsoft.HardwareSecurityModules/dedicatedHSMs sku payShield10K_LMK1_CPS60").product == PAY


def test_boundaries_keep_our_names_out_of_theirs():
    # cloudhsm_client is AWS's daemon; azcloudhsm_client is ours and must not look like it.
    assert SCOPE.classify("cloudhsm_client is not running").product == AWS
    for ours in ["azcloudhsm_client is not running", "libazcloudhsm_pkcs11.so", "/opt/azurecloudhsm/bin", "-engine azcloudhsm_openssl"]:
        assert SCOPE.classify(ours) is None


def test_non_breaking_spaces_are_spaces():
    assert SCOPE.classify("gcloud\u00a0kms keys list").product == GCP
    assert SCOPE.classify("Azure\u00a0Cloud\u00a0HSM and key_mgmt_util") is None


def test_only_head_and_tail_of_a_long_paste_are_read():
    filler = "INFO request served in 12 ms\n" * 3000  # ~87 KB
    assert SCOPE.classify(filler + "lunacm:> slot list\n" + filler) is None  # in the unread middle
    assert SCOPE.classify("lunacm:> slot list\n" + filler).product == DHSM  # head
    assert SCOPE.classify(filler + "lunacm:> slot list\n").product == DHSM  # tail
    assert len(filler) > 2 * HEAD_CHARS


ADVERSARIAL = [
    "aws " * 10_000,
    "cloud " * 10_000,
    "projects/a/locations/" * 2_000,
    "-engine " * 5_000,
    "az keyvault " * 4_000,
    ("a" * 199 + "\n") * 200,
    "é" * 40_000,
    "managed\u00a0" * 5_000,
]


def _best_of(fn, n=3):
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


@pytest.mark.parametrize("size", [40_000, 1_000_000])
def test_classify_time_is_bounded(size):
    worst = 0.0
    for seed in ADVERSARIAL:
        text = (seed * (size // len(seed) + 1))[:size]
        worst = max(worst, _best_of(lambda text=text: SCOPE.classify(text)))
    print(f"\nclassify worst over {len(ADVERSARIAL)} adversarial texts of {size:,} chars: {worst * 1000:.2f} ms")
    assert worst < 0.25  # measured ~1-3 ms; generous for a shared CI box


# ---------------------------------------------------------------- validation

GOOD = """
ours: ['azcloudhsm']
neighbours:
  - product: AWS CloudHSM
    url: https://docs.aws.amazon.com/cloudhsm/latest/userguide/
    patterns: ['key_mgmt_util']
"""


def _load(tmp_path, text):
    f = tmp_path / DEFAULT_SCOPE_FILE
    f.write_text(text, encoding="utf-8")
    return f, Scope.load(f)


def test_a_minimal_file_loads(tmp_path):
    _, scope = _load(tmp_path, GOOD)
    assert scope.classify("key_mgmt_util crashed").product == "AWS CloudHSM"
    assert scope.classify("azcloudhsm_util and key_mgmt_util") is None


@pytest.mark.parametrize(
    "text,expect",
    [
        (GOOD.replace("['key_mgmt_util']", "['(?<![a-z])key_mgmt_util']"), "neighbours[0] (AWS CloudHSM).patterns: pattern '(?<![a-z])key_mgmt_util' is not valid RE2"),
        (GOOD.replace("['key_mgmt_util']", "['(key_mgmt_util']"), "is not valid RE2: missing )"),
        (GOOD.replace("['azcloudhsm']", r"['(a)\1']"), "ours: pattern"),
        (GOOD.replace("['key_mgmt_util']", "['x*']"), "matches the empty string"),
        (GOOD.replace("https://", "http://"), "neighbours[0] (AWS CloudHSM).url: url 'http://docs.aws.amazon.com/cloudhsm/latest/userguide/' must be an https:// address"),
        (GOOD + GOOD.split("neighbours:\n")[1], "product 'AWS CloudHSM' is listed twice"),
        (GOOD.replace("patterns:", "paterns:"), "neighbours[0] (AWS CloudHSM).patterns: Field required"),
        (GOOD.replace("ours: ['azcloudhsm']", "ours: []"), "ours: List should have at least 1 item"),
        ("- just\n- a list\n", "expected a mapping with 'ours' and 'neighbours', got list"),
        ("ours: [azcloudhsm\nneighbours: {", "not valid YAML at line"),
    ],
    ids=["lookbehind", "unbalanced", "backreference", "empty-match", "http", "duplicate", "typo-key", "no-ours", "not-a-mapping", "bad-yaml"],
)
def test_a_bad_file_is_refused_with_one_clear_line(tmp_path, text, expect):
    f = tmp_path / DEFAULT_SCOPE_FILE
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ScopeError) as info:
        Scope.load(f)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(f"{f}: ")
    assert expect in msg, msg


def test_missing_file(tmp_path):
    with pytest.raises(ScopeError, match="scope file not found"):
        Scope.load(tmp_path / DEFAULT_SCOPE_FILE)
    assert Scope.for_corpus(tmp_path) is None  # a corpus without one has no scope checks
    assert Scope.for_corpus(CORPUS).products == SCOPE.products
