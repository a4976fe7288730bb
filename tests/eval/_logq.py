# ruff: noqa: F403, F405
"""kind=log: a pasted multi-line log (3-15 lines) with one real Azure Cloud
HSM error among timestamps, hosts, PIDs and noise. Train rows are mostly
syslog / plain terminal output; heldout rows use other formats (JSON lines,
Windows events, container logs, CI output) and another writer's habits."""

from _labels import *

TRAIN = [
    ("""Mar 14 02:11:07 hsm-app-01 signer[23114]: loading PKCS#11 module /opt/azurecloudhsm/lib64/libazcloudhsm_pkcs11.so
Mar 14 02:11:07 hsm-app-01 signer[23114]: C_GetFunctionList -> CKR_OK
Mar 14 02:11:07 hsm-app-01 signer[23114]: C_Initialize() failed with 00000005 (Failed to connect socket)
Mar 14 02:11:07 hsm-app-01 signer[23114]: fatal: cannot initialise HSM session pool, exiting
Mar 14 02:11:07 hsm-app-01 systemd[1]: signer.service: Main process exited, code=exited, status=1/FAILURE
Mar 14 02:11:07 hsm-app-01 systemd[1]: signer.service: Failed with result 'exit-code'.""", [T_CINIT]),

    ("""[2025-04-02 09:14:55] INFO  Loading /opt/azurecloudhsm/lib64/libazcloudhsm_pkcs11.so
[2025-04-02 09:14:55] INFO  C_Initialize -> CKR_OK
[2025-04-02 09:14:55] INFO  slot 0: token label 'PARTITION_1'
[2025-04-02 09:14:55] INFO  C_OpenSession(slot=0, flags=CKF_SERIAL_SESSION|CKF_RW_SESSION) -> CKR_OK
[2025-04-02 09:14:55] ERROR C_Login failed with error code: 0xa3
[2025-04-02 09:14:55] ERROR login step failed, aborting batch job id=7781""", [T_CLOGIN]),

    ("""$ sudo ./azcloudhsm_mgmt_util ./azcloudhsm_resource.cfg
Connecting to the server(s), it may take time
depending on the server(s) load, please wait...
Connecting to server 'hsm1.chsm-contoso-x7k2p.privatelink.cloudhsm.azure.net': port 444...
Certificate ERROR: [Certificate signature failure]
Connecting to server 'hsm2.chsm-contoso-x7k2p.privatelink.cloudhsm.azure.net': port 444...
Certificate ERROR: [Certificate signature failure]
Connection to all servers failed""", [T_CERTSIG]),

    ("""Jun 03 17:40:12 app-vm-07 azcloudhsm_client[1822]: INF: azcloudhsm_client starting, config /opt/azurecloudhsm/bin/azcloudhsm_client.cfg
Jun 03 17:40:12 app-vm-07 azcloudhsm_client[1822]: INF: connecting to hsm1.chsm-payments-q81zt.privatelink.cloudhsm.azure.net:2224
Jun 03 17:40:13 app-vm-07 azcloudhsm_client[1822]: INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert
Jun 03 17:40:13 app-vm-07 azcloudhsm_client[1822]: INF: reconnect attempt 1 in 5s
Jun 03 17:40:18 app-vm-07 azcloudhsm_client[1822]: INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert""", [T_CLOSE]),

    ("""azureuser@web-02:~/signing-tool$ ./doc_signer --in invoice.pdf
[doc_signer] reading config from ./signer.yaml
[doc_signer] azcloudhsm_application.cfg is not present
[doc_signer] HSM provider init failed (rc=-1)
azureuser@web-02:~/signing-tool$""", [T_APPCFG]),

    ("""$ openssl req -new -key web_server_fake_PEM.key -out web_server.csr -engine azcloudhsm_openssl
invalid engine "azcloudhsm_openssl"
140245839361856:error:25066067:DSO support routines:dlfcn_load:could not load the shared library:../crypto/dso/dso_dlfcn.c:118:filename(/usr/lib/x86_64-linux-gnu/engines-1.1/azcloudhsm_openssl.so): cannot open shared object file: No such file or directory
140245839361856:error:260B6084:engine routines:dynamic_load:dso not found:../crypto/engine/eng_dyn.c:414:
140245839361856:error:2606A074:engine routines:ENGINE_by_id:no such engine:../crypto/engine/eng_list.c:334:id=azcloudhsm_openssl""", [T_ENGINE]),

    ("""May 21 08:02:44 tls-edge-01 systemd[1]: Starting A high performance web server and a reverse proxy server...
May 21 08:02:44 tls-edge-01 nginx[4410]: environment variable azcloudhsm_openssl_conf is not set
May 21 08:02:44 tls-edge-01 nginx[4410]: nginx: [emerg] ENGINE_by_id("azcloudhsm_openssl") failed
May 21 08:02:44 tls-edge-01 nginx[4410]: nginx: configuration file /etc/nginx/nginx.conf test failed
May 21 08:02:44 tls-edge-01 systemd[1]: nginx.service: Control process exited, code=exited, status=1/FAILURE
May 21 08:02:44 tls-edge-01 systemd[1]: nginx.service: Failed with result 'exit-code'.""", [T_OSSLCONF]),

    ("""2025/05/21 08:15:02 [notice] 4522#4522: using the "epoll" event method
2025/05/21 08:15:02 [notice] 4522#4522: nginx/1.24.0
environment variable azcloudhsm_password is not set
2025/05/21 08:15:02 [emerg] 4522#4522: ENGINE_init("azcloudhsm_openssl") failed
2025/05/21 08:15:02 [emerg] 4522#4522: SSL_CTX_use_PrivateKey("/etc/nginx/ssl/web_server_fake_PEM.key") failed""", [T_PASSWORD]),

    ("""2025-02-11 13:22:07.118 ERROR 9921 --- [main] c.c.payments.HsmKeyService : HSM key lookup failed
com.microsoft.azure.cloudhsm.jce.provider.ProviderException: could not find credentials to login to the HSM
    at com.microsoft.azure.cloudhsm.jce.provider.LoginManager.implicitLogin(LoginManager.java:212)
    at com.microsoft.azure.cloudhsm.jce.provider.CloudHsmKeyStore.engineLoad(CloudHsmKeyStore.java:88)
    at java.base/java.security.KeyStore.load(KeyStore.java:1479)
    at com.contoso.payments.HsmKeyService.init(HsmKeyService.java:41)""", [T_JCE_CREDS]),

    ("""14:03:51.201 [pool-2-thread-3] INFO  KeyImporter - unwrapping customer key batch 12 (17 keys)
14:03:51.377 [pool-2-thread-3] ERROR KeyImporter - unwrap failed for key alias=acct-7731
java.security.InvalidKeyException: attribute with value 0 for this operation? Attribute should set for User KEK
    at com.microsoft.azure.cloudhsm.jce.provider.CloudHsmCipher.engineUnwrap(CloudHsmCipher.java:431)
    at javax.crypto.Cipher.unwrap(Cipher.java:2508)
14:03:51.380 [pool-2-thread-3] WARN  KeyImporter - skipping remaining 16 keys in batch 12""", [T_KEK]),

    ("""2025-06-09T22:41:10Z INFO  [tokenizer] starting JCE provider
2025-06-09T22:41:10Z INFO  [tokenizer] Security.addProvider(AzureCloudHsmProvider) ok
2025-06-09T22:41:11Z ERROR [tokenizer] Daemon socket connection error, API login failed
2025-06-09T22:41:11Z ERROR [tokenizer] provider not ready; readiness probe will fail
2025-06-09T22:41:15Z INFO  [tokenizer] retrying login (2/5)""", [T_DAEMON_API]),

    ("""chsmadmin@adminvm:/opt/azurecloudhsm/bin$ sudo ./azcloudhsm_util
Version info, Client Version: 2.0.1.2, SDK API Version: 2.0.1.2
Cfm3Initialize() returned: 0x40000040 : Failed to connect socket, LIQUIDSECURITY: Daemon socket connection error
Command:  exit""", [T_LIQUID]),

    ("""Command: importPrivateKey -l importTestKey -f key.pem -w 262151
BER encoded key length is 1217
Cfm3ImportWrapKey returned: 0xa8 : HSM Error: Key/Token not found
Cluster Status:
Node id 1 status: 0x000000a8 : HSM Error: Key/Token not found
Node id 2 status: 0x000000a8 : HSM Error: Key/Token not found
Node id 3 status: 0x000000a8 : HSM Error: Key/Token not found""", [T_KEYTOKEN]),

    ("""+ cd nginx-1.24.0
+ ./configure --with-http_ssl_module --with-openssl-opt=enable-engine
checking for OS
 + Linux 5.15.0-1057-azure x86_64
checking for C compiler ... not found

./configure: error: C compiler cc not found
Build step 'Execute shell' marked build as failure""", [T_CC]),

    ("""checking for PCRE2 library ... found
checking for OpenSSL library ... not found
checking for OpenSSL library in /usr/local/ ... not found
checking for OpenSSL library in /usr/pkg/ ... not found
checking for OpenSSL library in /opt/local/ ... not found

./configure: error: SSL modules require the OpenSSL library.
You can either do not enable the modules, or install the OpenSSL library
into the system, or build the OpenSSL library statically from the source
with nginx by using --with-openssl=<path> option.""", [T_SSLMOD]),

    ("""checking for zlib library ... not found

./configure: error: the HTTP gzip module requires the zlib library.
You can either disable the module by using --without-http_gzip_module
option, or install the zlib library into the system, or build the zlib library
statically from the source with nginx by using --with-zlib=<path> option.""", [T_GZIP]),

    ("""Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS
Cluster Status:
Node id 1 status: 0x00000000 : HSM Return: SUCCESS
Node id 2 status: 0x00000000 : HSM Return: SUCCESS
Node id 3 status: 0x0000001f : HSM Error: RET_USER_LOGIN_FAILURE
Command: genRSAKeyPair -m 2048 -e 65537 -l tls-2025""", [T_RETLOGIN]),

    ("""SQL> ADMINISTER KEY MANAGEMENT SET KEY IDENTIFIED BY "cu1:********" WITH BACKUP;
ADMINISTER KEY MANAGEMENT SET KEY IDENTIFIED BY "cu1:********" WITH BACKUP
*
ERROR at line 1:
ORA-28407: Hardware Security Module failed with PKCS#11 error
CKR_GENERAL_ERROR(5)""", [T_ORA]),

    ("""2025-03-30 10:02:11.53 spid57      Starting up database 'Payroll'.
2025-03-30 10:02:14.90 spid63      CREATE CRYPTOGRAPHIC PROVIDER AzureCloudHSM FROM FILE = 'C:\\Program Files\\Microsoft Azure Cloud HSM Client SDK\\libs\\ekm\\azcloudhsm_ekm.dll'
2025-03-30 10:02:15.02 spid63      Error: 33085, Severity: 16, State: 1.
2025-03-30 10:02:15.02 spid63      Cannot initialize cryptographic provider. Provider error code: 1. (Failure - Consult EKM provider for details)""", [T_EKM_INIT]),

    ("""PS C:\\ca-migration> openssl ca -config openssl-ca.cnf -policy signing_policy -extensions signing_req -out subca.crt -infiles subca.csr
Using configuration from openssl-ca.cnf
Can't open openssl-ca.cnf for reading, No such file or directory
1C6F0000:error:80000002:system library:BIO_new_file:No such file or directory:crypto\\bio\\bss_file.c:67:calling fopen(openssl-ca.cnf, r)
1C6F0000:error:10000080:BIO routines:BIO_new_file:no such file:crypto\\bio\\bss_file.c:75:""", [T_CACNF]),

    ("""cloudmgmt>server 0
server0>syncUser 7 1
syncUser failed: user already created, unable to insert object
server0>syncUser 7 2
syncUser success on server 2""", [SY_SYNCUSERS]),

    ("""$ az monitor diagnostic-settings create --resource $resourceId --name my-chsmAuditLogs --workspace $workspaceId --logs '[{"category":"HsmServiceOperations","enabled":true}]'
(SubscriptionNotRegistered) The subscription 3f2a9c1e-xxxx-xxxx-xxxx-5b7d0e11aa20 is not registered to use microsoft.insights.
Code: SubscriptionNotRegistered""", [OL_REG]),

    ("""C:\\apps\\p11-signer> .\\p11-signer.exe --module "C:\\Program Files\\Microsoft Azure Cloud HSM Client SDK\\libs\\pkcs11\\azcloudhsm_pkcs11.dll"
[p11-signer] loaded module, 1 slot(s)
[p11-signer] C_Initialize() failed with 00000005 (Failed to connect socket)
[p11-signer] exit code 3""", [T_CINIT]),

    ("""Using slot 0 with a present token (0x0)
$ pkcs11-tool --module /opt/azurecloudhsm/lib64/libazcloudhsm_pkcs11.so --login --pin user1234 --list-objects
C_Login failed with error code: 0xa3
error: PKCS11 function C_Login failed: rv = unknown PKCS11 error (0xa3)
Aborting.""", [T_CLOGIN]),

    ("""[Wed May 28 11:04:01.332410 2025] [ssl:info] [pid 30112:tid 140022] AH01887: Init: Initializing (virtual) servers for SSL
environment variable azcloudhsm_password is not set
[Wed May 28 11:04:01.334001 2025] [ssl:emerg] [pid 30112:tid 140022] AH02312: Fatal error initialising mod_ssl, exiting.
AH00016: Configuration Failed""", [T_PASSWORD]),

    ("""-- Logs begin at Mon 2025-06-02 00:00:01 UTC. --
Jun 02 09:12:40 hsm-app-03 systemd[1]: Started Azure Cloud HSM client.
Jun 02 09:12:41 hsm-app-03 azcloudhsm_client[912]: INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert
Jun 02 09:12:46 hsm-app-03 azcloudhsm_client[912]: INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert
Jun 02 09:12:51 hsm-app-03 azcloudhsm_client[912]: INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert""", [T_CLOSE]),

    ("""2025-01-17 03:30:00,004 INFO  cron.rotate - nightly key rotation start
2025-01-17 03:30:00,311 ERROR hsm.session - C_Login failed with error code: 0xa3
2025-01-17 03:30:00,312 ERROR cron.rotate - rotation aborted, 0 of 14 keys rotated
2025-01-17 03:30:00,312 INFO  cron.rotate - next run 2025-01-18 03:30:00""", [T_CLOGIN]),
]

HELDOUT = [
    ("""{"ts":"2025-07-01T04:12:09.882Z","level":"info","svc":"tokenizer","pod":"tokenizer-7d9f8-x2kq1","msg":"loading /opt/azurecloudhsm/lib64/libazcloudhsm_pkcs11.so"}
{"ts":"2025-07-01T04:12:09.915Z","level":"error","svc":"tokenizer","pod":"tokenizer-7d9f8-x2kq1","msg":"C_Login failed with error code: 0xa3","pin_format":"password-only"}
{"ts":"2025-07-01T04:12:09.916Z","level":"warn","svc":"tokenizer","pod":"tokenizer-7d9f8-x2kq1","msg":"hsm not ready, returning 503"}""", [T_CLOGIN]),

    ("""Log Name:      Application
Source:        MSSQLSERVER
Date:          4/8/2025 6:41:22 PM
Event ID:      33085
Level:         Error
Computer:      SQLVM01.corp.contoso.com
Description:
Cannot initialize cryptographic provider. Provider error code: 1. (Failure - Consult EKM provider for details)""", [T_EKM_INIT]),

    ("""tokenizer-6c5b7-qq2mt tokenizer 2025-05-05 11:20:31.004  INFO 1 --- [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat initialized with port(s): 8080 (http)
tokenizer-6c5b7-qq2mt tokenizer 2025-05-05 11:20:31.877 ERROR 1 --- [           main] c.c.tok.crypto.HsmProviderConfig        : Daemon socket connection error, API login failed
tokenizer-6c5b7-qq2mt tokenizer 2025-05-05 11:20:31.880  WARN 1 --- [           main] ConfigServletWebServerApplicationContext : Exception encountered during context initialization""", [T_DAEMON_API]),

    ("""web-1  | /docker-entrypoint.sh: Configuration complete; ready for start up
web-1  | environment variable azcloudhsm_openssl_conf is not set
web-1  | nginx: [emerg] ENGINE_by_id("azcloudhsm_openssl") failed (SSL: error:13000084:engine routines::dso not found)
web-1 exited with code 1""", [T_OSSLCONF]),

    ("""2025-06-14T07:00:02+0000 hsmclient-02 azcloudhsm_client[3381]: INF: loaded PO certificate from /opt/azurecloudhsm/bin/PO.crt
2025-06-14T07:00:03+0000 hsmclient-02 azcloudhsm_client[3381]: INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert
2025-06-14T07:00:03+0000 hsmclient-02 azcloudhsm_client[3381]: INF: node 10.20.1.5 not connected""", [T_CLOSE]),

    ("""#14 [build 4/7] RUN ./configure --prefix=/etc/nginx --with-http_ssl_module
#14 0.412 checking for OS
#14 0.413  + Linux 6.5.0-1025-azure x86_64
#14 0.415 checking for C compiler ... not found
#14 0.415 ./configure: error: C compiler cc not found
#14 ERROR: process "/bin/sh -c ./configure --prefix=/etc/nginx --with-http_ssl_module" did not complete successfully: exit code: 1""", [T_CC]),

    ("""TASK [nginx_hsm : configure nginx sources] ************************************
fatal: [tls-offload-2]: FAILED! => {"changed": true, "cmd": "./configure --with-http_ssl_module", "rc": 1,
  "stdout_lines": ["checking for OpenSSL library ... not found", "./configure: error: SSL modules require the OpenSSL library."]}
PLAY RECAP *********************************************************************
tls-offload-2              : ok=6    changed=2    unreachable=0    failed=1""", [T_SSLMOD]),

    ("""ORA-28407: Hardware Security Module failed with PKCS#11 error
ORA-06512: at line 3
28407. 00000 -  "Hardware Security Module failed with PKCS#11 error %s"
*Cause:    The HSM returned an error for a PKCS#11 call.
CKR_GENERAL_ERROR(5)""", [T_ORA]),

    ("""PS C:\\Program Files\\Microsoft Azure Cloud HSM Client SDK\\azcloudhsm_mgmt_util> .\\azcloudhsm_mgmt_util.exe .\\azcloudhsm_resource.cfg
Connecting to the server(s), it may take time
depending on the server(s) load, please wait...
Certificate ERROR: [Certificate signature failure]
Certificate ERROR: [Certificate signature failure]
Certificate ERROR: [Certificate signature failure]""", [T_CERTSIG]),

    ("""[root@rhel8-app01 bin]# ./azcloudhsm_util singlecmd loginHSM -u CU -s cu1 -p ******** findKey
Cfm3Initialize() returned: 0x40000040 : Failed to connect socket, LIQUIDSECURITY: Daemon socket connection error
[root@rhel8-app01 bin]# systemctl is-active azure-cloud-hsm
inactive""", [T_LIQUID]),

    ("""{"@timestamp":"2025-04-22T15:02:44.101+00:00","level":"ERROR","logger_name":"com.fabrikam.keyvault.Migrator","message":"unwrap of imported key failed","stack_trace":"java.security.InvalidKeyException: attribute with value 0 for this operation? Attribute should set for User KEK\\n\\tat com.microsoft.azure.cloudhsm.jce.provider.CloudHsmCipher.engineUnwrap(CloudHsmCipher.java:431)"}
{"@timestamp":"2025-04-22T15:02:44.180+00:00","level":"INFO","logger_name":"com.fabrikam.keyvault.Migrator","message":"batch 3 finished: 0 ok, 25 failed"}
{"@timestamp":"2025-04-22T15:02:45.002+00:00","level":"INFO","logger_name":"com.fabrikam.keyvault.Migrator","message":"sleeping 60s before batch 4"}""", [T_KEK]),

    ("""critical_err_info_2025-05-18_04-11-52:
    Operation: Cfm3GenerateKeyPair
    Node: 2
    Status: HSM Error: RET_USER_LOGIN_FAILURE
    Status: HSM Error: This user doesn't exist.""", [T_RETLOGIN]),

    ("""Command:  importPrivateKey -l web-2025 -f web.pem -w 8
Cfm3ImportWrapKey returned: HSM Error: Invalid key-handle/token
Cluster Status:
Node id 1 status: HSM Error: Invalid key-handle/token""", [T_KEYTOKEN]),

    ("""catalina.out:
21-May-2025 10:44:02.555 INFO [main] org.apache.catalina.startup.Catalina.load Server initialization in [812] milliseconds
21-May-2025 10:44:03.901 SEVERE [main] org.apache.catalina.core.StandardContext.startInternal One or more listeners failed to start.
java.lang.IllegalStateException: could not find credentials to login to the HSM
	at com.contoso.sign.HsmBootstrap.contextInitialized(HsmBootstrap.java:57)""", [T_JCE_CREDS]),

    ("""New-AzDiagnosticSetting : Operation returned an invalid status code 'Conflict'
Message: The subscription '9e1d2c44-0000-4a1b-8c3f-1f2e3d4c5b6a' is not registered to use microsoft.insights.
At line:1 char:1
+ New-AzDiagnosticSetting -ResourceId $resourceId -Name "my-chsmAuditLogs" ...""", [OL_REG]),

    ("""builder@ci-runner-14:~/nginx-src$ ./configure --with-http_ssl_module --with-http_gzip_static_module
checking for zlib library ... not found
./configure: error: the HTTP gzip module requires the zlib library.
builder@ci-runner-14:~/nginx-src$ echo $?
1""", [T_GZIP]),

    ("""[2025-06-30 22:17:45.120] [warn] [signing-svc] HSM call retry 1/3
[2025-06-30 22:17:45.121] [error] [signing-svc] C_Initialize() failed with 00000005 (Failed to connect socket)
[2025-06-30 22:17:45.121] [error] [signing-svc] azcloudhsm_client not reachable on local socket
[2025-06-30 22:17:46.122] [warn] [signing-svc] HSM call retry 2/3""", [T_CINIT]),

    ("""/srv/batch/run-signing.sh: line 14: starting job 20250611-0300
azcloudhsm_application.cfg is not present
/srv/batch/run-signing.sh: line 22: job failed, exit 1
mail: sending failure report to secops@contoso.com""", [T_APPCFG]),
]
