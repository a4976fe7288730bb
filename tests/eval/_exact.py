# ruff: noqa: F403, F405
"""kind=exact: the error text as the docs quote it, with the small changes
people make when they paste or retype it (prefixes, quotes, case, a trailing
detail). Heldout rows were written later, by a different hand: more of them
are partial strings and carry tool prefixes."""

from _labels import *

TRAIN = [
    ("C_Login failed with error code: 0xa3", [T_CLOGIN]),
    ("C_Initialize() failed with 00000005 (Failed to connect socket)", [T_CINIT]),
    ("Certificate ERROR: [Certificate signature failure]", [T_CERTSIG]),
    ("INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert", [T_CLOSE]),
    ("azcloudhsm_application.cfg is not present", [T_APPCFG]),
    ("invalid engine 'azcloudhsm_openssl' could not load the shared library", [T_ENGINE]),
    ("environment variable azcloudhsm_openssl_conf is not set", [T_OSSLCONF]),
    ("environment variable azcloudhsm_password is not set", [T_PASSWORD]),
    ("could not find credentials to login to the HSM", [T_JCE_CREDS]),
    ("attribute with value 0 for this operation? Attribute should set for User KEK", [T_KEK]),
    ("Daemon socket connection error, API login failed", [T_DAEMON_API]),
    ("Failed to connect socket, LIQUIDSECURITY: Daemon socket connection error", [T_LIQUID]),
    ("Key/Token not found", [T_KEYTOKEN]),
    ("Invalid key-handle/token", [T_KEYTOKEN]),
    ("./configure: error: C compiler cc not found", [T_CC]),
    ("./configure: error: SSL modules require the OpenSSL library.", [T_SSLMOD]),
    ("./configure: error: the HTTP gzip module requires the zlib library.", [T_GZIP]),
    ("HSM Error: RET_USER_LOGIN_FAILURE", [T_RETLOGIN]),
    ("ORA-28407: Hardware Security Module failed with PKCS#11 error CKR_GENERAL_ERROR(5)", [T_ORA]),
    ("Error: Cannot initialize cryptographic provider. Provider error code: 1. (Failure - Consult EKM provider for details)", [T_EKM_INIT]),
    ("Can't open openssl-ca.cnf", [T_CACNF]),
    ("Status: HSM Error: This user doesn't exist.", [T_RETLOGIN, UM_NODES]),
    ("user already created, unable to insert object", [SY_SYNCUSERS]),
    ("<subscription> is not registered to use microsoft.insights", [OL_REG]),
    ("C_Login failed with error code 0xA3", [T_CLOGIN]),
    ("C_Initialize() failed with 5 (Failed to connect socket)", [T_CINIT]),
    ("SSL_shutdown sent close_notify alert", [T_CLOSE]),
    ('invalid engine "azcloudhsm_openssl"', [T_ENGINE]),
    ("environment variable 'azcloudhsm_password' is not set", [T_PASSWORD]),
    ("Msg 33085, Level 16, State 1: Cannot initialize cryptographic provider. Provider error code: 1.", [T_EKM_INIT]),
    ("ERROR at line 1: ORA-28407: Hardware Security Module failed with PKCS#11 error", [T_ORA]),
    ("Certificate signature failure azcloudhsm_mgmt_util", [T_CERTSIG]),
    ("configure: error: SSL modules require the OpenSSL library", [T_SSLMOD]),
]

HELDOUT = [
    ("error: C_Login failed with error code: 0xa3 (rv=0x000000a3)", [T_CLOGIN]),
    ("C_Initialize failed with 00000005", [T_CINIT]),
    ("[Certificate signature failure]", [T_CERTSIG]),
    ("shutdown_ssl_socket: SSL_shutdown sent close_notify alert", [T_CLOSE]),
    ("ERROR: azcloudhsm_application.cfg is not present in the current directory", [T_APPCFG]),
    ("invalid engine azcloudhsm_openssl", [T_ENGINE]),
    ("azcloudhsm_openssl_conf is not set", [T_OSSLCONF]),
    ("azcloudhsm_password is not set", [T_PASSWORD]),
    ("ProviderException: could not find credentials to login to the HSM", [T_JCE_CREDS]),
    ("Attribute should set for User KEK", [T_KEK]),
    ("Cfm3Initialize() returned: 0x40000040 : LIQUIDSECURITY: Daemon socket connection error", [T_LIQUID]),
    ("importPrivateKey: HSM Error: Key/Token not found", [T_KEYTOKEN]),
    ("configure: error: C compiler cc not found", [T_CC]),
    ("the HTTP gzip module requires the zlib library", [T_GZIP]),
    ("RET_USER_LOGIN_FAILURE", [T_RETLOGIN]),
    ("ORA-28407", [T_ORA]),
    ("Cannot initialize cryptographic provider. Provider error code: 1", [T_EKM_INIT]),
    ("Can't open openssl-ca.cnf for reading, No such file or directory", [T_CACNF]),
    ("API login failed", [T_DAEMON_API]),
    ("The subscription is not registered to use microsoft.insights", [OL_REG]),
    ("Failed to connect socket", [T_CINIT, T_LIQUID]),
    ("INF: shutdown_ssl_socket", [T_CLOSE]),
]
