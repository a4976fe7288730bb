# Generates eval_queries.jsonl (run from tests/): the labelled set for `chsm eval`, kept as code so labels are reviewable.
import json
T = "troubleshoot: "
LOGIN = T + "C_Login failed"
INIT = T + "C_Initialize() failed"
CERT = T + "Certificate signature failure"
SSLSH = T + "SSL_shutdown sent close_notify"
APPCFG = T + "azcloudhsm_application.cfg is not present"
ENGWIN = T + "OpenSSL engine for Azure Cloud HSM support Windows"
ENGLIB = T + "invalid engine"
OSSLCONF = T + "azcloudhsm_openssl_conf is not set"
PWD = T + "azcloudhsm_password is not set"
JCEWIN = T + "JCE integration with Azure Cloud HSM support Windows"
JCECRED = T + "could not find credentials"
KEK = T + "Attribute should set for User KEK"
APILOGIN = T + "API login failed"
LINCFG = T + "PKCS#11 library for Linux know"
WINCFG = T + "azcloudhsm_pkcs11.dll) for Windows"
KEYSTORE = T + "PKCS#11 errors when I try to set a key"
OPENSC = T + "integrate with OpenSC"
TLSP11 = T + "support PKCS#11 for SSL/TLS offloading"
LIQ = T + "LIQUIDSECURITY"
KEYTOK = T + "Key/Token not found"
CC = T + "C compiler cc not found"
SSLMOD = T + "SSL modules require the OpenSSL library"
ZLIB = T + "gzip module requires the zlib"
RETUSER = T + "RET_USER_LOGIN_FAILURE"
DISPLAY = T + "display the contents of the CRT"
ED25519 = T + "ED25519"
CSR = T + "generate RSA and EC keys before"
SYM = T + "support Symmetric Keys"
SQLLIN = T + "SQL Server on Linux"
SAAS = T + "SQL Server SaaS/PaaS"
MULTI = T + "multiple logins"
EKMINIT = T + "Cannot initialize cryptographic provider"
CACNF = T + "openssl-ca.cnf"
SIGNSRV = T + "our own signing servers"
SIGNTOOL = T + "accepted methods to sign or verify"
SELFSIGNED = T + "self-signed certs"
CERTSTORE = T + "local Windows certificate store"
KSPALG = T + "CNG and KSP providers support"
PERMS = T + "private key permissions"
KSPIMPORT = T + "azcloudhsm_ksp_import_key.exe"
CORPNET = T + "connecting to Cloud HSM from the corporate network"

Q = []
def add(kind, q, *expect):
    Q.append({"query": q, "kind": kind, "expect": list(expect)})

# exact error text, as the docs quote it
for q, e in [
    ("C_Login failed with error code: 0xa3", LOGIN),
    ("C_Initialize() failed with 00000005 (Failed to connect socket)", INIT),
    ("Certificate ERROR: [Certificate signature failure]", CERT),
    ("INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert", SSLSH),
    ("azcloudhsm_application.cfg is not present", APPCFG),
    ("invalid engine 'azcloudhsm_openssl' could not load the shared library", ENGLIB),
    ("environment variable azcloudhsm_openssl_conf is not set", OSSLCONF),
    ("environment variable azcloudhsm_password is not set", PWD),
    ("could not find credentials to login to the HSM", JCECRED),
    ("attribute with value 0 for this operation? Attribute should set for User KEK", KEK),
    ("Daemon socket connection error, API login failed", APILOGIN),
    ("ORA-28407: Hardware Security Module failed with PKCS#11 error", KEYSTORE),
    ("Failed to connect socket, LIQUIDSECURITY: Daemon socket connection error", LIQ),
    ("Key/Token not found", KEYTOK),
    ("Invalid key-handle/token", KEYTOK),
    ("/configure: error: C compiler cc not found", CC),
    ("/configure: error: SSL modules require the OpenSSL library", SSLMOD),
    ("/configure: error: the HTTP gzip module requires the zlib library", ZLIB),
    ("HSM Error: RET_USER_LOGIN_FAILURE", RETUSER),
    ("Error: Cannot initialize cryptographic provider. Provider error code: 1. (Failure - Consult EKM provider for details)", EKMINIT),
    ("Can't open openssl-ca.cnf file", CACNF),
    ("C_Login failed with error code: 0xA3", LOGIN),
    ("C_Login failed with error code 0x000000a3", LOGIN),
    ("C_Initialize failed with 0x5", INIT),
    ("LIQUIDSECURITY: Daemon socket connection error", LIQ),
    ("Status: HSM Error: This user doesn't exist.", RETUSER),
    ("CKR_GENERAL_ERROR(5) ORA-28407", KEYSTORE),
]:
    add("exact", q, e)

# paraphrases, in an engineer's words
for row in [
    ("my pkcs11 login keeps failing with 0xa3, what's wrong with the PIN?", LOGIN),
    ("what format should the PIN be in for C_Login", LOGIN),
    ("pkcs11 app can't connect to the socket when initializing", INIT),
    ("the client daemon is not running and my PKCS#11 app fails at init", INIT),
    ("how do I run azcloudhsm_client as a systemd service", INIT, LIQ),
    ("mgmt util complains about certificate signature on a new VM", CERT),
    ("I installed the SDK on a second VM and azcloudhsm_mgmt_util fails the certificate check", CERT, SSLSH),
    ("azcloudhsm_client drops the connection with close_notify on the new server", SSLSH),
    ("my app says the application cfg file is missing", APPCFG),
    ("where should azcloudhsm_application.cfg live relative to my application", APPCFG),
    ("can I use the openssl engine on windows server", ENGWIN),
    ("openssl can't load the azcloudhsm engine shared library, do I need LD_LIBRARY_PATH?", ENGLIB),
    ("which environment variable points openssl at azcloudhsm_openssl_dynamic.conf", OSSLCONF),
    ("how do I set the crypto user and password for the openssl engine", PWD),
    ("is JCE supported on windows", JCEWIN),
    ("java provider cannot find credentials to log in to the HSM", JCECRED),
    ("JCE key unwrap complains about wrap_with_trusted and the user KEK", KEK),
    ("java app gets daemon socket error and API login fails", APILOGIN),
    ("how does the linux pkcs11 library find the client configuration", LINCFG),
    ("how does azcloudhsm_pkcs11.dll on windows locate its config", WINCFG),
    ("oracle TDE wallet fails with pkcs11 error when setting the keystore", KEYSTORE),
    ("pkcs11-tool from OpenSC creates keys that fail, sensitive and private attributes", OPENSC),
    ("does the openssl engine support pkcs11 for TLS offload", TLSP11),
    ("azcloudhsm_util cannot connect to the daemon socket", LIQ),
    ("importing a key fails because the wrapping key handle is wrong", KEYTOK),
    ("nginx configure says no C compiler found", CC),
    ("building nginx fails because openssl dev libraries are missing", SSLMOD),
    ("nginx build needs zlib for the gzip module", ZLIB),
    ("user doesn't exist on one of the three HSM nodes so login fails", RETUSER, "user-management: available on all nodes", "synchronize-users-keys: Synchronize missing users", "synchronize-users-keys: User synchronization", "synchronize-users-keys: Identify missing users"),
    ("how can I view the contents of a CSR or certificate file", DISPLAY),
    ("how do I create an ed25519 signing key inside the HSM", ED25519),
    ("generate an RSA key with azcloudhsm_util and then make a CSR with the openssl engine", CSR),
    ("does SQL TDE with the EKM provider support symmetric keys", SYM),
    ("can I run the SQL EKM provider on SQL Server for Linux", SQLLIN),
    ("does cloud hsm work with Azure SQL Managed Instance TDE", SAAS),
    ("can the SQL EKM connection have more than one credential", MULTI),
    ("SQL server can't initialize the cryptographic provider after installing the MSI", EKMINIT),
    ("AD CS migration example fails because openssl-ca.cnf does not exist", CACNF),
    ("can our on-prem signing servers use cloud hsm over VPN", SIGNSRV),
    ("can I use signtool.exe to sign with keys in cloud hsm", SIGNTOOL),
    ("is it ok to use self-signed certificates for testing", SELFSIGNED),
    ("how to get certificates into the local windows cert store", CERTSTORE),
    ("which algorithms do the CNG and KSP providers support", KSPALG),
    ("non-admin user cannot access the private key created with KSP", PERMS),
    ("what is azcloudhsm_ksp_import_key for", KSPIMPORT),
    ("which ports does the cloud hsm service listen on", CORPNET, "network-security: Required ports", "network-security: NSG rules"),
    ("how do I back up my cloud hsm to a storage account", "backup-restore: Tutorial: Back up and restore", "backup-restore: Initiate a backup", "secure-cloud-hsm: Backup and recovery"),
    ("restore a backup into a different cloud hsm resource", "backup-restore: Initiate a restore", "faq: restore a backup to another destination"),
    ("how many keys can the HSM store", "service-limits: Object limits", "key-management: Manage the key storage limit"),
    ("how to find users missing from some nodes", "synchronize-users-keys: Identify missing users", "synchronize-users-keys: User synchronization", "user-management: available on all nodes"),
    ("how do I deploy cloud hsm with powershell", "quickstart-powershell: Create an Azure Cloud HSM instance", "quickstart-powershell: Quickstart"),
    ("what private DNS zone does cloud hsm need", "network-security: Private DNS"),
    ("is cloud hsm FIPS 140-3 level 3 validated", "faq: FIPS 140-3 Level 3", "overview: FIPS 140-3 Level 3"),
    ("how am I billed for cloud hsm", "faq: charged and billed", "faq: monetary policy", "faq: extra costs"),
    ("can I change the partition owner certificate after uploading it", "faq: update the partition owner certificate", "user-management: Protect your partition owner certificate"),
    ("send cloud hsm operation logs to event hubs", "tutorial-configure-event-hub: Tutorial: Configure Event Hubs", "tutorial-configure-event-hub: Update the diagnostic setting"),
    ("query login events in the operation event logs", "tutorial-operation-event-logging: Login and session events", "tutorial-operation-event-logging: Query operation event logs"),
    ("which OS does the cloud hsm SDK support", "faq: What operating systems"),
    ("store X.509 certificates in the HSM with pkcs11", "pkcs-api-certificate-storage: Using PKCS#11 API for X.509", "pkcs-api-certificate-storage: PKCS#11 API for certificate storage", "tutorial-certificate-storage: Azure Cloud HSM certificate storage"),
    ("should I use cloud hsm or managed hsm", "faq: Managed HSM", "overview: Azure Cloud HSM suitability", "overview: Not a fit"),
]:
    add("paraphrase", *row)


# pasted multi-line logs
add("log", "2026-11-20T10:01:02Z app01 signer[4411]: loading /usr/lib/libazcloudhsm_pkcs11.so\n2026-11-20T10:01:02Z app01 signer[4411]: C_Initialize() failed with 00000005 (Failed to connect socket)\n2026-11-20T10:01:02Z app01 signer[4411]: exiting", INIT)
add("log", "[main] INFO slot 0 opened\n[main] ERROR C_Login failed with error code: 0x000000A3\n[main] INFO closing session", LOGIN)
add("log", "$ sudo ./azcloudhsm_mgmt_util ./azcloudhsm_mgmt_util.cfg\nConnecting to the server(s), it may take time\ndepending on the server(s) load, please wait...\nCertificate ERROR: [Certificate signature failure]\nE2E failed", CERT)
add("log", "$ openssl req -new -engine azcloudhsm_openssl -key k.pem -out x.csr\ninvalid engine \"azcloudhsm_openssl\"\n140204: error:12800067:DSO support routines:dlfcn_load:could not load the shared library", ENGLIB)
add("log", "$ openssl x509 -req -engine azcloudhsm_openssl ...\nenvironment variable azcloudhsm_openssl_conf is not set\nunable to load engine", OSSLCONF)
add("log", "SQL> ADMINISTER KEY MANAGEMENT SET KEYSTORE OPEN IDENTIFIED BY \"cu1:pw\";\nERROR at line 1:\nORA-28407: Hardware Security Module failed with PKCS#11 error\nCKR_GENERAL_ERROR(5)", KEYSTORE)
add("log", "Command: singlecmd loginHSM -u CU -s cu1\nCfm3LoginHSM returned: 0x00\nSDK: Failed to connect socket, LIQUIDSECURITY: Daemon socket connection error\nHSM Return: FAILED", LIQ)
add("log", "Exception in thread \"main\" java.security.ProviderException: could not find credentials to login to the HSM\n\tat com.microsoft.azure.cloudhsm.jce.Provider.login(Provider.java:88)", JCECRED)
add("log", "checking for OS\n + Linux 5.15.0-1051-azure x86_64\nchecking for C compiler ... not found\n\n./configure: error: C compiler cc is not found", CC)
add("log", "./configure --with-http_ssl_module\n...\n./configure: error: SSL modules require the OpenSSL library.\nYou can either do not enable the modules, or install the OpenSSL library", SSLMOD)
add("log", "2026-11-21 08:00:01 worker-3 ERROR sign failed: HSM Error: RET_USER_LOGIN_FAILURE node=2\n2026-11-21 08:00:01 worker-3 INFO see critical_err_info_ file", RETUSER)
add("log", "Msg 33085, Level 16, State 1, Line 2\nCannot initialize cryptographic provider. Provider error code: 1. (Failure - Consult EKM provider for details)", EKMINIT)
add("log", "Cfm3ImportWrapKey returned: 0xa8 : Key/Token not found\nimportPrivateKey failed", KEYTOK)
add("log", "nov 20 10:00:00 vm1 azcloudhsm_client[812]: INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert\nnov 20 10:00:00 vm1 azcloudhsm_client[812]: connection closed", SSLSH)
add("log", "./myapp\nazcloudhsm_application.cfg is not present\nfailed to load configuration", APPCFG)
add("log", "java.lang.Exception: Daemon socket connection error, API login failed\n\tat LoginManager.login(LoginManager.java:40)", APILOGIN)

# typos
for row in [
    ("C_Logn faild with eror code 0xa3", LOGIN),
    ("C_Initalize failed with 00000005 faild to conect socket", INIT),
    ("azcloudhsm_openssl_conf not sett", OSSLCONF),
    ("enviroment variable azcloudhsm_pasword is not set", PWD),
    ("certifcate signature failur when running mgmt util", CERT),
    ("RET_USER_LOGIN_FAILUR", RETUSER),
    ("invlaid engine azcloudhsm_opensl could not load shared libary", ENGLIB),
    ("liquidsecurty daemon socket conection error", LIQ),
    ("nginx configure zlib libary required for gzip modul", ZLIB),
    ("could not find credentails to login to the hsm", JCECRED),
    ("how do i bakup and restor my hsm", "backup-restore: Tutorial: Back up and restore", "backup-restore: Initiate a restore", "backup-restore: Initiate a backup", "secure-cloud-hsm: Backup and recovery"),
    ("synchronise users accross nodes", "synchronize-users-keys: User synchronization", "synchronize-users-keys: Synchronize missing users", "synchronize-users-keys: Synchronize users and keys", "user-management: available on all nodes"),
]:
    add("typo", *row)

# Slack-style chatter around the problem
for q, e in [
    ("hey folks :wave: anyone seen `C_Login failed with error code: 0xa3` before? started this morning on prod-signer-2", LOGIN),
    ("ugh again: C_Initialize() failed with 00000005 (Failed to connect socket) on the new box, halp", INIT),
    ("quick q - does the openssl engine work on windows or is it linux only?", ENGWIN),
    ("@here mgmt util on the new jumpbox -> Certificate ERROR: [Certificate signature failure] :(", CERT),
    ("anyone know why azcloudhsm_util keeps saying LIQUIDSECURITY: Daemon socket connection error??", LIQ),
    ("fyi getting HSM Error: RET_USER_LOGIN_FAILURE on like 1 in 3 requests, any ideas", RETUSER),
    ("sql folks: Cannot initialize cryptographic provider after the hsm msi install, restart needed?", EKMINIT),
    ("lol nginx build blew up: ./configure: error: SSL modules require the OpenSSL library", SSLMOD),
    ("is there a free tier for cloud hsm? asking for a poc", "faq: free tier"),
    ("pls help, openssl says env var azcloudhsm_openssl_conf is not set", OSSLCONF),
]:
    add("chatter", q, e)

# off-topic: must abstain
for q in [
    "what's the weather in Seattle tomorrow",
    "how do I reset my Jira password",
    "kubectl get pods shows CrashLoopBackOff",
    "who won the world cup in 2022",
    "how do I center a div in css",
    "my laptop fan is very loud",
    "recommend a good pizza place near the office",
    "git merge conflict in package-lock.json",
    "how to configure Postgres replication",
    "python list comprehension syntax",
    "what is the capital of Australia",
    "docker compose up fails with port already in use",
    "how do I book vacation days in workday",
    "terraform state lock error on s3 backend",
    "best practices for React hooks",
    "lunch plans?",
    "can you write me a poem about autumn",
    "npm ERR! code ERESOLVE unable to resolve dependency tree",
    "how do I rotate my AWS IAM access keys",
    "thanks!",
]:
    add("offtopic", q)

with open("eval_queries.jsonl", "w") as f:
    for q in Q:
        f.write(json.dumps(q) + "\n")
from collections import Counter
print(len(Q), Counter(q["kind"] for q in Q))
