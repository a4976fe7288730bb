# ruff: noqa: F403, F405
"""kind=paraphrase, heldout split. Writer B: terser, often lower case, says
"chsm" / "azure cloudhsm" / "the partition" / "the box", asks from the
situation rather than the feature, sometimes as a manager or auditor would."""

from _labels import *

HELDOUT = [
    # --- PKCS#11 / client
    ("pin for the chsm pkcs11 lib: is it user:pass or just the password? login keeps getting rejected", [T_CLOGIN, AU_P11]),
    ("our c program dies at the very first pkcs11 call with a socket error, the vm can ping the hsm fine", [T_CINIT]),
    ("what has to be running locally for pkcs11 apps to work with azure cloudhsm", [T_CINIT, T_P11_LINUX]),
    ("after a reboot nothing can talk to the HSM until I start the client by hand. how do I make that permanent", [T_CINIT, T_LIQUID]),
    ("checklist for a new linux app server that will use the chsm pkcs11 .so?", [T_P11_LINUX]),
    ("windows dll for pkcs11 - what config does it read and where", [T_P11_WIN]),
    ("pkcs11 multithreading rules for chsm, one session per thread?", [AU_THREADS]),
    ("opensc keygen against the chsm dll creates keys that blow up, the docs mention special args?", [T_OPENSC]),
    ("is it one C_Login per slot or per session", [AU_P11]),
    # --- PO.crt / new box
    ("spun up a second admin box, mgmt util refuses every node with a cert problem, first box still fine", [T_CERTSIG]),
    ("client on the new app vm connects then immediately closes the ssl socket, over and over", [T_CLOSE]),
    ("do app servers need the partition owner cert or only the admin vm?", [T_P11_LINUX, T_CERTSIG, T_CLOSE]),
    ("binary works from the sdk dir but not from /srv/myapp, something about an application cfg file", [T_APPCFG]),
    # --- openssl / nginx
    ("is the chsm openssl engine linux only?", [T_OSSL_WIN]),
    ("engine .so won't load for openssl, I think it's the library path, what should LD_LIBRARY_PATH be", [T_ENGINE]),
    ("nginx with the chsm engine: where do the cu credentials go", [T_PASSWORD, AU_OSSL]),
    ("which conf file is the openssl engine env var supposed to reference", [T_OSSLCONF]),
    ("need pkcs11-based tls offload, does the chsm engine do that or is there another library", [T_TLS_P11]),
    ("fresh rhel box, building nginx for hsm offload, configure says no C compiler", [T_CC]),
    ("nginx source build on the offload vm wants libssl-dev?", [T_SSLMOD]),
    ("nginx build on the offload vm fails on the gzip/zlib check", [T_GZIP]),
    ("quick way to dump the csr and crt I made with the hsm engine to check the subject", [T_DISPLAY]),
    ("ed25519 in the hsm for signing - openssl genpkey or the util?", [T_ED25519]),
    ("generated an ec key with openssl ecparam and the engine flag, is that key protected by the hsm?", [T_ED25519]),
    ("workflow: key made in azcloudhsm_util, then CSR via openssl engine, is that supported", [T_RSAEC_CSR]),
    # --- JCE
    ("jce provider on windows server 2022 - supported?", [T_JCE_WIN]),
    ("spring boot app with the chsm jce provider can't authenticate to the hsm at startup, how do you pass creds", [T_JCE_CREDS, AU_JCE, T_DAEMON_API]),
    ("unwrapping with jce needs some KEK flag? getting an attribute error", [T_KEK]),
    ("LoginManager vs implicit login, which one survives a reconnect", [AU_JCE]),
    # --- util / sessions
    ("azcloudhsm_util cannot connect to the local daemon, what do I start", [T_LIQUID]),
    ("importPrivateKey -w: is that the KEK handle or the handle of the key I'm importing?", [T_KEYTOKEN]),
    ("non-interactive login for azcloudhsm_util in a cron script", [AU_SINGLE]),
    ("two apps on the same vm share the hsm client, one logs out and the other breaks. expected?", [AU_SESSION]),
    ("one of three nodes keeps saying the user doesn't exist", [T_RETLOGIN, UM_NODES, SY_USERS]),
    # --- SQL / Oracle
    ("tde with chsm ekm: asymmetric only?", [T_EKM_SYM]),
    ("sql on ubuntu + chsm ekm provider, possible?", [T_EKM_LINUX]),
    ("sql mi tde with our chsm keys?", [T_EKM_PAAS, OV_NOTFIT]),
    ("one credential per login limit for the ekm provider?", [T_EKM_MULTI]),
    ("installed the chsm msi on the sql vm and the ekm provider won't initialise until... what, a reboot?", [T_EKM_INIT]),
    ("oracle wallet open works but set key into the hsm fails with a pkcs11 general error", [T_ORA]),
    # --- ADCS / windows
    ("is the chsm a SaaS we can call from our datacenter signing boxes?", [T_SIGNSRV]),
    ("can signtool use the chsm ksp directly", [T_SIGNTOOL]),
    ("ksp supported algorithms list", [T_CNG_ALGS]),
    ("mmc won't let me edit permissions on the private key from the chsm ksp, how do I give a service account access", [T_KEYPERMS]),
    ("what's the point of azcloudhsm_ksp_import_key", [T_KSPIMPORT]),
    ("certs for hsm keys in the windows cert store, is there a tool", [T_WINSTORE]),
    # --- network
    ("firewall team asks which tcp ports the hsm needs from the app subnet", [NS_PORTS, NS_NSG]),
    ("hostnames like hsm1.chsm-xxx.privatelink.cloudhsm.azure.net don't resolve from the spoke vnet", [NS_DNS]),
    ("app in a peered vnet in another region, can it use the hsm", [F_VNET]),
    ("admin tasks from the corporate network - VPN or what's recommended", [T_CORPNET, NS_ONPREM]),
    ("can the client daemon run on a separate vm from the application", [NS_VM, T_CORPNET]),
    # --- backup/restore
    ("backup then restore to the same hsm for a quick test - allowed?", [F_RESTSRC, BR_UNSUP]),
    ("can I restore our backup into a cluster that is already activated?", [F_RESTACT, BR_UNSUP]),
    ("dr plan: restore chsm backup into paired region", [F_RESTREG, BR_RESTORE]),
    ("minimum storage permissions for backup source vs destination", [F_RESTRICT, BR_PRE]),
    ("backup job via api, how do I get the backup id back", [BR_BACKUP]),
    ("restore finished, how do I know all three nodes are healthy", [BR_VALIDATE]),
    ("backup storage account: public or behind private endpoint?", [BR_STORAGE]),
    # --- keys / limits
    ("max aes keys per hsm", [SL_OBJ]),
    ("mixed rsa and ec keys, what's the real ceiling on handles", [SL_OBJ, KM_LIMIT]),
    ("non-extractable keys: can we change our mind later", [KM_WRAP]),
    ("trusted key wrapping defaults per provider", [KM_ATTRS, KM_WRAP]),
    ("our signer calls findKey before every signature, latency is awful", [KM_CACHE]),
    ("p-256 sign throughput per cluster", [SL_EC]),
    ("aes-gcm ops per second, 4kb payloads", [SL_AES]),
    ("which algorithms are fips approved on the chsm", [SA_FIPS]),
    # --- users
    ("listUsers shows a different user count on server 2", [SY_IDUSERS, SY_SYNCUSERS]),
    ("findAllKeys 0 0 gives different key counts per server, how to fix", [SY_IDKEYS, SY_SYNCKEYS]),
    ("min/max length for hsm user passwords", [UM_PW]),
    ("lockout protection for hsm admins - what's the recommendation", [UM_ADMINS]),
    ("split duties between crypto users, what do the docs suggest", [UM_MULTICU]),
    # --- logging
    ("kql for user creation and deletion on the hsm", [OL_USERS]),
    ("audit query for new key generation events", [OL_KEYCREATE]),
    ("what does CN_TOMBSTONE_OBJECT mean in the hsm audit log", [OL_GL_UTIL, OL_GL_MGMT, OL_KEYDEL]),
    ("chsm audit logs to event hub: keep the storage + log analytics destinations or make a new diag setting?", [EH_DIAG, EH_OPTA, EH_OPTB]),
    ("how to confirm the event hub is actually getting hsm log messages", [EH_VERIFY, EH_METRICS]),
    ("event hubs tier needed for diagnostic settings", [EH_NS]),
    # --- cert storage
    ("pkcs11 cert objects show up as blobs named pkcs11_certificate_<n>?", [PC_VERIFY]),
    ("cert storage: which managed identity and role on the storage account", [CS_UAMI]),
    ("what is CERTSTORAGE_SIGNING_KEYID and how do I create that key", [CS_SIGNKEY, CS_CFG]),
    ("searching for certificate objects only, by label, with pkcs11", [PC_FINDINIT, PC_FINDALL]),
    ("delete a stored certificate via pkcs11 - does it delete the blob too", [PC_DESTROY]),
    # --- product
    ("auditor asks: fips 140-3 level 3 validated or not", [F_FIPS, OV_FIPS]),
    ("is the chsm usable for eIDAS qualified seals", [F_EIDAS, OV_EIDAS]),
    ("pci 3ds attestation for the hsm service?", [F_PCI, OV_PCI]),
    ("physical tampering, what happens to the keys", [F_TAMPER, OV_PHYS]),
    ("uptime commitment for chsm", [F_SLA]),
    ("who do we call when the hsm breaks", [F_SUPPORT]),
    ("any free/dev tier to try it out", [F_FREE]),
    ("does MS keep any of our data in the hsm service", [F_DATA]),
    ("where is the official onboarding doc for setting up the partition", [OB]),
    ("does the hsm do load balancing across the three nodes", [OV_HA, F_WHAT]),
]
