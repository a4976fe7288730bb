# ruff: noqa: F403, F405
"""Write tests/eval/logs/*.log and tests/eval/logs.jsonl.

    .venv/bin/python tests/eval/make_logs.py

Each scenario below is hand-scripted: which host, which programs, which
Azure Cloud HSM problem(s) happen and when, what noise surrounds them. A
seeded RNG (one seed per file) only varies timestamps, PIDs, durations and
which noise line comes next, so the output is identical on every run and the
committed files are what gets evaluated.

The expected list of a scenario names every distinct Azure Cloud HSM problem
in its log once (repeats of the same problem are one finding). Generic
errors (nginx upstream timeouts, apt, systemd units that are not ours, sshd)
and success/trace lines (C_Login -> CKR_OK, status=0, succeeded) must not
become findings. Logs from neighbour products expect nothing.
"""

import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _labels import *  # noqa: E402

OUT = HERE / "logs"
EPOCH = datetime(1970, 1, 1)
ESC = "\x1b"
RED, YEL, GRN, DIM, RST, BOLD = f"{ESC}[31m", f"{ESC}[33m", f"{ESC}[32m", f"{ESC}[2m", f"{ESC}[0m", f"{ESC}[1m"


class Clock:
    def __init__(self, rng: random.Random, start: str):
        self.rng = rng
        self.t = datetime.fromisoformat(start)

    def tick(self, lo=0.05, hi=4.0):
        self.t += timedelta(seconds=self.rng.uniform(lo, hi))
        return self.t

    def jump(self, minutes):
        self.t += timedelta(minutes=minutes, seconds=self.rng.randint(0, 59))
        return self.t

    # formats
    def syslog(self):
        return self.t.strftime("%b ") + f"{self.t.day:>2}" + self.t.strftime(" %H:%M:%S")

    def iso(self, ms=True, z=True):
        s = self.t.strftime("%Y-%m-%dT%H:%M:%S")
        if ms:
            s += f".{self.t.microsecond // 1000:03d}"
        return s + ("Z" if z else "+00:00")

    def nginx(self):
        return self.t.strftime("%Y/%m/%d %H:%M:%S")

    def java(self, sep="."):
        return self.t.strftime("%Y-%m-%d %H:%M:%S") + f"{sep}{self.t.microsecond // 1000:03d}"

    def sqlerr(self):
        return self.t.strftime("%Y-%m-%d %H:%M:%S") + f".{self.t.microsecond // 10000:02d}"

    def win(self):
        h = self.t.hour % 12 or 12
        return f"{self.t.month}/{self.t.day}/{self.t.year} {h}:{self.t.strftime('%M:%S')} {'AM' if self.t.hour < 12 else 'PM'}"

    def apache(self):
        return self.t.strftime("[%a %b %d %H:%M:%S.") + f"{self.t.microsecond:06d}" + self.t.strftime(" %Y]")

    def hms(self):
        return self.t.strftime("%H:%M:%S") + f".{self.t.microsecond // 1000:03d}"


# ---------------------------------------------------------------- noise pools

def noise_syslog(rng, host):
    """One unrelated, healthy host line (program[pid]: message)."""
    pid = rng.randint(300, 65000)
    return rng.choice([
        f"sshd[{pid}]: Accepted publickey for azureuser from 10.10.{rng.randint(0, 9)}.{rng.randint(2, 250)} port {rng.randint(30000, 65000)} ssh2: RSA SHA256:q3Vd9x1",
        f"systemd[1]: Started Session {rng.randint(10, 900)} of User azureuser.",
        f"CRON[{pid}]: (root) CMD (/usr/lib/azure/heartbeat.sh >/dev/null 2>&1)",
        f"systemd-timesyncd[{rng.randint(400, 900)}]: Initial synchronization to time server 168.61.215.74:123 (time.windows.com).",
        f"python3[{rng.randint(800, 1200)}]: INFO ExtHandler ExtHandler Checking for agent updates (family: Prod)",
        f"dhclient[{rng.randint(700, 900)}]: DHCPACK of 10.20.1.{rng.randint(4, 60)} from 168.63.129.16",
        f"kernel: [{rng.randint(1000, 999999)}.{rng.randint(0, 999999):06d}] hv_balloon: Max. dynamic memory size: 16384 MB",
        "systemd[1]: Starting Daily apt download activities...",
        "systemd[1]: apt-daily.service: Succeeded.",
        f"snapd[{rng.randint(600, 900)}]: storehelpers.go:769: cannot refresh: snap has no updates available: \"core20\", \"lxd\"",
        "systemd[1]: Started Run anacron jobs.",
        f"rsyslogd[{pid % 300 + 600}]: [origin software=\"rsyslogd\" swVersion=\"8.2112.0\" x-pid=\"{pid % 300 + 600}\"] rsyslogd was HUPed",
        f"node_exporter[{rng.randint(1000, 3000)}]: caller=collector.go:173 level=info msg=\"collector succeeded\" name=cpu duration_seconds=0.00{rng.randint(1, 9)}",
    ])


def generic_error_syslog(rng, host):
    """An unrelated error a triage must ignore (not an Azure Cloud HSM problem)."""
    pid = rng.randint(300, 65000)
    ms = rng.randint(30000, 60000)
    return rng.choice([
        f"nginx: [error] 811#811: *{rng.randint(1000, 99999)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.1.4.{rng.randint(2, 250)}, server: api.contoso.com, request: \"GET /v1/status HTTP/1.1\", upstream: \"http://127.0.0.1:8081/v1/status\"",
        f"sshd[{pid}]: Failed password for invalid user admin from 203.0.113.{rng.randint(2, 250)} port {rng.randint(30000, 65000)} ssh2",
        "systemd[1]: apt-daily-upgrade.service: Failed with result 'exit-code'.",
        f"apt-get[{pid}]: E: Unable to locate package libssl1.1",
        f"gateway[{rng.randint(2000, 3000)}]: level=error msg=\"upstream request timeout\" upstream=payments-api after={ms}ms",
        f"telegraf[{rng.randint(2000, 3000)}]: E! [outputs.http] when writing to [https://metrics.contoso.com/write]: Post \"https://metrics.contoso.com/write\": x509: certificate signed by unknown authority",
        "systemd[1]: node-agent.service: Main process exited, code=exited, status=1/FAILURE",
    ])


def hsm_success_lines(rng, fmt="plain"):
    """Success / trace lines that mention HSM calls but are NOT problems."""
    h = rng.randint(1, 40)
    k = rng.choice([262150, 262151, 262152, 524289])
    us = rng.randint(300, 9000)
    return rng.choice([
        "C_Login -> CKR_OK",
        f"[DEBUG] C_Encrypt(hSession=0x{h:x}, mech=CKM_AES_GCM, len=4096) -> CKR_OK ({us}us)",
        f"[DEBUG] C_Sign(hSession=0x{h:x}, hKey={k}, mech=CKM_SHA256_RSA_PKCS) -> CKR_OK",
        f"[DEBUG] C_FindObjectsInit(hSession=0x{h:x}, template=[CKA_LABEL]) -> CKR_OK",
        f"sign request id={rng.randint(10000, 99999)} succeeded in {rng.randint(2, 40)}ms status=0",
        f"C_OpenSession(slot=0) -> CKR_OK hSession=0x{h:x}",
        f"healthcheck hsm: ok status=0 latency_ms={rng.randint(1, 25)}",
    ])


def pick(rng, pool_fn, host, n):
    return [pool_fn(rng, host) for _ in range(n)]


# ---------------------------------------------------------------- scenarios
# Each returns (lines, expect, split). A scenario is registered with @log.

SCENARIOS = []


def log(name, split, seed):
    def deco(fn):
        SCENARIOS.append((name, split, seed, fn))
        return fn
    return deco


# ======================== TRAIN ========================

@log("signer-client-down-syslog.log", "train", 101)
def _(rng):
    c, host, L = Clock(rng, "2025-03-14T01:52:00"), "hsm-app-01", []
    for _ in range(14):
        c.tick(5, 60)
        L.append(f"{c.syslog()} {host} {noise_syslog(rng, host)}")
    c.jump(9)
    L.append(f"{c.syslog()} {host} systemd[1]: azure-cloud-hsm.service: Main process exited, code=killed, status=9/KILL")
    L.append(f"{c.syslog()} {host} kernel: [812233.118201] Out of memory: Killed process 1822 (azcloudhsm_clie) total-vm:412008kB, anon-rss:201232kB")
    for attempt in range(13):
        pid = rng.randint(20000, 40000)
        c.tick(8, 12)
        L.append(f"{c.syslog()} {host} systemd[1]: Started Document signing service.")
        L.append(f"{c.syslog()} {host} signer[{pid}]: loading PKCS#11 module /opt/azurecloudhsm/lib64/libazcloudhsm_pkcs11.so")
        c.tick(0.01, 0.1)
        L.append(f"{c.syslog()} {host} signer[{pid}]: C_Initialize() failed with 00000005 (Failed to connect socket)")
        L.append(f"{c.syslog()} {host} signer[{pid}]: fatal: HSM not available, exiting")
        L.append(f"{c.syslog()} {host} systemd[1]: signer.service: Main process exited, code=exited, status=1/FAILURE")
        L.append(f"{c.syslog()} {host} systemd[1]: signer.service: Failed with result 'exit-code'.")
        if attempt % 4 == 1:
            c.tick(1, 20)
            L.append(f"{c.syslog()} {host} {generic_error_syslog(rng, host)}")
        L.append(f"{c.syslog()} {host} systemd[1]: signer.service: Scheduled restart job, restart counter is at {attempt + 1}.")
    for _ in range(8):
        c.tick(5, 60)
        L.append(f"{c.syslog()} {host} {noise_syslog(rng, host)}")
    return L, [T_CINIT + " | " + T_LIQUID]


@log("batch-login-0xa3.jsonl.log", "train", 102)
def _(rng):
    c, L = Clock(rng, "2025-04-02T09:00:00"), []
    hosts = ["batch-w1", "batch-w2", "batch-w3"]
    for i in range(60):
        c.tick(0.5, 20)
        host = rng.choice(hosts)
        if host == "batch-w3" and i > 10 and rng.random() < 0.6:
            L.append(json.dumps({"ts": c.iso(), "host": host, "level": "error", "logger": "hsm.session", "msg": "C_Login failed with error code: 0xa3", "slot": 0, "job": f"job-{rng.randint(7000, 7999)}"}))
            L.append(json.dumps({"ts": c.iso(), "host": host, "level": "error", "logger": "batch", "msg": "login step failed, job aborted", "retries": rng.randint(0, 3)}))
        elif rng.random() < 0.15:
            L.append(json.dumps({"ts": c.iso(), "host": host, "level": "warn", "logger": "http", "msg": f"upstream timed out after {rng.randint(30000, 40000)}ms", "upstream": "ledger-api"}))
        else:
            msg = hsm_success_lines(rng)
            L.append(json.dumps({"ts": c.iso(), "host": host, "level": "debug" if "DEBUG" in msg else "info", "logger": "hsm.session", "msg": msg.replace("[DEBUG] ", "")}))
    L.append(json.dumps({"ts": c.iso(), "host": "batch-w3", "level": "info", "logger": "config", "msg": "pin source: env HSM_PIN (format: password)"}))
    return L, [T_CLOGIN]


@log("mgmt-util-new-admin-vm.log", "train", 103)
def _(rng):
    L = ["chsmadmin@adminvm-dr:~$ cd /opt/azurecloudhsm/bin",
         "chsmadmin@adminvm-dr:/opt/azurecloudhsm/bin$ ls",
         "azcloudhsm_client  azcloudhsm_client.cfg  azcloudhsm_mgmt_util  azcloudhsm_resource.cfg  azcloudhsm_util  azcloudhsm_openssl_dynamic.conf",
         "chsmadmin@adminvm-dr:/opt/azurecloudhsm/bin$ sudo ./azcloudhsm_mgmt_util ./azcloudhsm_resource.cfg",
         "Connecting to the server(s), it may take time",
         "depending on the server(s) load, please wait...", ""]
    for n in (1, 2, 3):
        L.append(f"Connecting to server 'hsm{n}.chsm-contoso-x7k2p.privatelink.cloudhsm.azure.net': port 444...")
        L.append("Certificate ERROR: [Certificate signature failure]")
    L += ["", "Connection to all servers failed", "E2E: failed to initialize the session", "",
          "chsmadmin@adminvm-dr:/opt/azurecloudhsm/bin$ ls -l PO.crt",
          "ls: cannot access 'PO.crt': No such file or directory",
          "chsmadmin@adminvm-dr:/opt/azurecloudhsm/bin$ scp chsmadmin@adminvm-01:/opt/azurecloudhsm/bin/PO.crt .",
          "PO.crt                                        100% 1294   412.3KB/s   00:00",
          "chsmadmin@adminvm-dr:/opt/azurecloudhsm/bin$ sudo ./azcloudhsm_mgmt_util ./azcloudhsm_resource.cfg",
          "Connecting to the server(s), it may take time",
          "depending on the server(s) load, please wait..."]
    for n in (1, 2, 3):
        L.append(f"Connecting to server 'hsm{n}.chsm-contoso-x7k2p.privatelink.cloudhsm.azure.net': port 444...")
        L.append(f"Connected to server 'hsm{n}.chsm-contoso-x7k2p.privatelink.cloudhsm.azure.net': port 444.")
    L += ["", "E2E enabled on server 0(hsm1.chsm-contoso-x7k2p.privatelink.cloudhsm.azure.net)",
          "E2E enabled on server 1(hsm2.chsm-contoso-x7k2p.privatelink.cloudhsm.azure.net)",
          "E2E enabled on server 2(hsm3.chsm-contoso-x7k2p.privatelink.cloudhsm.azure.net)",
          "cloudmgmt>getClusterInfo", "Node id 1 status: 0x00000000 : HSM Return: SUCCESS",
          "Node id 2 status: 0x00000000 : HSM Return: SUCCESS", "Node id 3 status: 0x00000000 : HSM Return: SUCCESS", "cloudmgmt>quit"]
    return L, [T_CERTSIG]


@log("client-daemon-close-notify-journal.log", "train", 104)
def _(rng):
    c, host, L = Clock(rng, "2025-06-03T17:40:00"), "app-vm-07", []
    L.append("-- Logs begin at Mon 2025-06-02 00:00:01 UTC, end at Tue 2025-06-03 18:02:44 UTC. --")
    pid = 1822
    L.append(f"{c.syslog()} {host} systemd[1]: Started Azure Cloud HSM Client.")
    L.append(f"{c.syslog()} {host} azcloudhsm_client[{pid}]: INF: azcloudhsm_client starting, config /opt/azurecloudhsm/bin/azcloudhsm_client.cfg")
    L.append(f"{c.syslog()} {host} azcloudhsm_client[{pid}]: INF: listening on UNIXSOCKET /opt/azurecloudhsm/run/azcloudhsm.sock")
    for i in range(40):
        c.tick(4, 6)
        node = (i % 3) + 1
        L.append(f"{c.syslog()} {host} azcloudhsm_client[{pid}]: INF: connecting to hsm{node}.chsm-payments-q81zt.privatelink.cloudhsm.azure.net:2224")
        c.tick(0.1, 0.6)
        L.append(f"{c.syslog()} {host} azcloudhsm_client[{pid}]: INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert")
        if i % 5 == 2:
            L.append(f"{c.syslog()} {host} azcloudhsm_client[{pid}]: INF: reconnect attempt {i + 1} in 5s")
        if i % 9 == 4:
            L.append(f"{c.syslog()} {host} {noise_syslog(rng, host)}")
    return L, [T_CLOSE]


@log("nginx-offload-env-vars.log", "train", 105)
def _(rng):
    c, host, L = Clock(rng, "2025-05-21T07:58:00"), "tls-edge-01", []
    for _ in range(6):
        c.tick(2, 30)
        L.append(f"{c.syslog()} {host} {noise_syslog(rng, host)}")
    for _attempt in range(3):
        pid = rng.randint(4000, 6000)
        c.tick(20, 90)
        L.append(f"{c.syslog()} {host} systemd[1]: Starting A high performance web server and a reverse proxy server...")
        L.append(f"{c.syslog()} {host} nginx[{pid}]: environment variable azcloudhsm_openssl_conf is not set")
        L.append(f"{c.syslog()} {host} nginx[{pid}]: nginx: [emerg] ENGINE_by_id(\"azcloudhsm_openssl\") failed")
        L.append(f"{c.syslog()} {host} nginx[{pid}]: nginx: configuration file /etc/nginx/nginx.conf test failed")
        L.append(f"{c.syslog()} {host} systemd[1]: nginx.service: Control process exited, code=exited, status=1/FAILURE")
        L.append(f"{c.syslog()} {host} systemd[1]: nginx.service: Failed with result 'exit-code'.")
        L.append(f"{c.syslog()} {host} systemd[1]: Failed to start A high performance web server and a reverse proxy server.")
    c.jump(6)
    L.append(f"{c.syslog()} {host} sudo[{rng.randint(7000, 8000)}]: azureuser : TTY=pts/0 ; PWD=/home/azureuser ; USER=root ; COMMAND=/usr/bin/systemctl edit nginx.service")
    L.append(f"{c.syslog()} {host} systemd[1]: Reloading.")
    for _attempt in range(2):
        pid = rng.randint(6000, 7000)
        c.tick(20, 90)
        L.append(f"{c.syslog()} {host} systemd[1]: Starting A high performance web server and a reverse proxy server...")
        L.append(f"{c.syslog()} {host} nginx[{pid}]: environment variable azcloudhsm_password is not set")
        L.append(f"{c.syslog()} {host} nginx[{pid}]: nginx: [emerg] ENGINE_init(\"azcloudhsm_openssl\") failed")
        L.append(f"{c.syslog()} {host} systemd[1]: nginx.service: Control process exited, code=exited, status=1/FAILURE")
        L.append(f"{c.syslog()} {host} systemd[1]: nginx.service: Failed with result 'exit-code'.")
        c.tick(1, 10)
        L.append(f"{c.syslog()} {host} {generic_error_syslog(rng, host)}")
    c.jump(4)
    pid = rng.randint(7000, 8000)
    L.append(f"{c.syslog()} {host} systemd[1]: Starting A high performance web server and a reverse proxy server...")
    L.append(f"{c.syslog()} {host} systemd[1]: Started A high performance web server and a reverse proxy server.")
    for _ in range(5):
        c.tick(1, 30)
        L.append(f"{c.syslog()} {host} nginx[{pid}]: 2025/05/21 08:{rng.randint(20, 59)}:{rng.randint(10, 59)} [error] {pid}#{pid}: *{rng.randint(10, 999)} upstream timed out (110: Connection timed out) while connecting to upstream, client: 10.1.0.{rng.randint(2, 200)}, server: pay.contoso.com, upstream: \"http://10.1.2.10:8080/\", after {rng.randint(30000, 40000)}ms")
    return L, [T_OSSLCONF, T_PASSWORD]


@log("openssl-engine-shell-ansi.log", "train", 106)
def _(rng):
    p = f"{GRN}azureuser@web-02{RST}:{BOLD}~/certs{RST}$ "
    return [
        f"{p}openssl version",
        "OpenSSL 1.1.1f  31 Mar 2020",
        f"{p}openssl req -new -key web_server_fake_PEM.key -out web_server.csr -engine azcloudhsm_openssl",
        f"{RED}invalid engine \"azcloudhsm_openssl\"{RST}",
        "140245839361856:error:25066067:DSO support routines:dlfcn_load:could not load the shared library:../crypto/dso/dso_dlfcn.c:118:filename(/usr/lib/x86_64-linux-gnu/engines-1.1/azcloudhsm_openssl.so): /usr/lib/x86_64-linux-gnu/engines-1.1/azcloudhsm_openssl.so: cannot open shared object file: No such file or directory",
        "140245839361856:error:25070067:DSO support routines:DSO_load:could not load the shared library:../crypto/dso/dso_lib.c:162:",
        "140245839361856:error:260B6084:engine routines:dynamic_load:dso not found:../crypto/engine/eng_dyn.c:414:",
        "140245839361856:error:2606A074:engine routines:ENGINE_by_id:no such engine:../crypto/engine/eng_list.c:334:id=azcloudhsm_openssl",
        f"{p}echo $LD_LIBRARY_PATH",
        "",
        f"{p}export LD_LIBRARY_PATH=/opt/azurecloudhsm/lib64/:$LD_LIBRARY_PATH",
        f"{p}export azcloudhsm_openssl_conf=/opt/azurecloudhsm/bin/azcloudhsm_openssl_dynamic.conf",
        f"{p}export azcloudhsm_password=\"cu1:********\"",
        f"{p}openssl req -new -key web_server_fake_PEM.key -out web_server.csr -engine azcloudhsm_openssl",
        f"{DIM}engine \"azcloudhsm_openssl\" set.{RST}",
        "You are about to be asked to enter information that will be incorporated",
        "into your certificate request.",
        "Country Name (2 letter code) [AU]:US",
        "Organization Name (eg, company) [Internet Widgits Pty Ltd]:Contoso",
        "Common Name (e.g. server FQDN or YOUR name) []:www.contoso.com",
        f"{p}openssl req -in web_server.csr -noout -subject",
        "subject=C = US, O = Contoso, CN = www.contoso.com",
        f"{p}{GRN}# ok{RST}",
    ], [T_ENGINE]


@log("tomcat-jce-credentials.log", "train", 107)
def _(rng):
    c, L = Clock(rng, "2025-02-11T13:21:50"), []
    for m in ["org.apache.catalina.startup.VersionLoggerListener.log Server version name:   Apache Tomcat/9.0.85",
              "org.apache.catalina.startup.VersionLoggerListener.log OS Name:               Linux",
              "org.apache.catalina.startup.VersionLoggerListener.log JVM Version:           17.0.10+7-Ubuntu-122.04.1",
              "org.apache.coyote.AbstractProtocol.init Initializing ProtocolHandler [\"http-nio-8080\"]",
              "org.apache.catalina.startup.Catalina.load Server initialization in [804] milliseconds",
              "org.apache.catalina.core.StandardService.startInternal Starting service [Catalina]"]:
        c.tick(0.01, 0.5)
        L.append(f"{c.t.strftime('%d-%b-%Y %H:%M:%S')}.{c.t.microsecond // 1000:03d} INFO [main] {m}")
    for _attempt in range(4):
        c.tick(1, 3)
        ts = f"{c.t.strftime('%d-%b-%Y %H:%M:%S')}.{c.t.microsecond // 1000:03d}"
        L += [f"{ts} SEVERE [main] org.apache.catalina.core.StandardContext.listenerStart Exception sending context initialized event to listener instance of class [com.contoso.payments.HsmBootstrap]",
              "com.microsoft.azure.cloudhsm.jce.provider.ProviderException: could not find credentials to login to the HSM",
              "\tat com.microsoft.azure.cloudhsm.jce.provider.LoginManager.implicitLogin(LoginManager.java:212)",
              "\tat com.microsoft.azure.cloudhsm.jce.provider.CloudHsmKeyStore.engineLoad(CloudHsmKeyStore.java:88)",
              "\tat java.base/java.security.KeyStore.load(KeyStore.java:1479)",
              "\tat com.contoso.payments.HsmBootstrap.contextInitialized(HsmBootstrap.java:41)",
              "\tat org.apache.catalina.core.StandardContext.listenerStart(StandardContext.java:4018)",
              "\t... 12 more",
              f"{ts} SEVERE [main] org.apache.catalina.core.StandardContext.startInternal One or more listeners failed to start. Full details will be found in the appropriate container log file",
              f"{ts} SEVERE [main] org.apache.catalina.core.StandardContext.startInternal Context [/payments] startup failed due to previous errors"]
        c.tick(10, 40)
        L.append(f"{c.t.strftime('%d-%b-%Y %H:%M:%S')}.{c.t.microsecond // 1000:03d} INFO [main] org.apache.catalina.startup.HostConfig.deployWAR Deployment of web application archive [/var/lib/tomcat9/webapps/payments.war] has finished in [{rng.randint(900, 3000)}] ms")
    c.tick(5, 10)
    L.append(f"{c.t.strftime('%d-%b-%Y %H:%M:%S')}.{c.t.microsecond // 1000:03d} INFO [main] org.apache.coyote.AbstractProtocol.start Starting ProtocolHandler [\"http-nio-8080\"]")
    L.append(f"{c.t.strftime('%d-%b-%Y %H:%M:%S')}.{c.t.microsecond // 1000:03d} INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [{rng.randint(4000, 9000)}] milliseconds")
    return L, [T_JCE_CREDS]


@log("key-import-kek-logback.log", "train", 108)
def _(rng):
    c, L = Clock(rng, "2025-05-09T14:03:00"), []
    for batch in range(1, 9):
        c.tick(20, 60)
        L.append(f"{c.hms()} [pool-2-thread-{rng.randint(1, 4)}] INFO  KeyImporter - unwrapping customer key batch {batch} ({rng.randint(10, 25)} keys)")
        if batch in (3, 4, 7):
            c.tick(0.1, 0.5)
            L += [f"{c.hms()} [pool-2-thread-3] ERROR KeyImporter - unwrap failed for key alias=acct-{rng.randint(1000, 9999)}",
                  "java.security.InvalidKeyException: attribute with value 0 for this operation? Attribute should set for User KEK",
                  "\tat com.microsoft.azure.cloudhsm.jce.provider.CloudHsmCipher.engineUnwrap(CloudHsmCipher.java:431)",
                  "\tat javax.crypto.Cipher.unwrap(Cipher.java:2508)",
                  "\tat com.contoso.keys.KeyImporter.importOne(KeyImporter.java:97)",
                  f"{c.hms()} [pool-2-thread-3] WARN  KeyImporter - skipping rest of batch {batch}"]
        else:
            for _ in range(rng.randint(2, 4)):
                c.tick(0.05, 0.3)
                L.append(f"{c.hms()} [pool-2-thread-{rng.randint(1, 4)}] DEBUG CloudHsmCipher - unwrap -> CKR_OK handle={rng.randint(262150, 262400)}")
            L.append(f"{c.hms()} [pool-2-thread-{rng.randint(1, 4)}] INFO  KeyImporter - batch {batch} imported, status=0")
        if rng.random() < 0.3:
            L.append(f"{c.hms()} [http-nio-8080-exec-{rng.randint(1, 9)}] WARN  RestClient - upstream timed out after {rng.randint(30000, 40000)}ms (ledger-api)")
    return L, [T_KEK]


@log("k8s-tokenizer-daemon-login.log", "train", 109)
def _(rng):
    c, L = Clock(rng, "2025-06-09T22:40:00"), []
    pods = [f"tokenizer-7d9f8c6b5-{s}" for s in ("x2kq1", "m8zt4")]
    for restart in range(5):
        for pod in pods:
            c.tick(1, 5)
            L.append(f"{pod} tokenizer {c.iso()} INFO  [main] starting tokenizer v3.4.1")
            L.append(f"{pod} tokenizer {c.iso()} INFO  [main] Security.addProvider(AzureCloudHsmProvider) ok")
            c.tick(0.2, 1)
            L.append(f"{pod} tokenizer {c.iso()} ERROR [main] Daemon socket connection error, API login failed")
            L.append(f"{pod} tokenizer {c.iso()} ERROR [main] provider not ready; exiting with code 2")
        c.tick(10, 40)
        L.append(f"Warning  BackOff    {rng.randint(1, 9)}m (x{restart + 3} over {restart + 10}m)  kubelet  Back-off restarting failed container tokenizer in pod {pods[0]}_payments(3f1c...)")
        L.append(f"Warning  Unhealthy  {rng.randint(1, 9)}m  kubelet  Readiness probe failed: Get \"http://10.244.1.{rng.randint(2, 90)}:8080/ready\": dial tcp 10.244.1.17:8080: connect: connection refused")
    return L, [T_DAEMON_API]


@log("admin-util-liquidsecurity-history.log", "train", 110)
def _(rng):
    return [
        "Script started on 2025-06-18 07:31:02+00:00 [TERM=\"xterm-256color\" TTY=\"/dev/pts/0\" COLUMNS=\"160\" LINES=\"48\"]",
        "chsmadmin@adminvm:~$ cd /opt/azurecloudhsm/bin",
        "chsmadmin@adminvm:/opt/azurecloudhsm/bin$ sudo ./azcloudhsm_util singlecmd loginHSM -u CU -s cu1 -p ******** findKey",
        "Version info, Client Version: 2.0.1.2, SDK API Version: 2.0.1.2, SDK Package Version: 2.0.1.2",
        "Cfm3Initialize() returned: 0x40000040 : Failed to connect socket, LIQUIDSECURITY: Daemon socket connection error",
        "",
        "chsmadmin@adminvm:/opt/azurecloudhsm/bin$ sudo ./azcloudhsm_util",
        "Version info, Client Version: 2.0.1.2, SDK API Version: 2.0.1.2, SDK Package Version: 2.0.1.2",
        "Cfm3Initialize() returned: 0x40000040 : Failed to connect socket, LIQUIDSECURITY: Daemon socket connection error",
        "Command:  exit",
        "chsmadmin@adminvm:/opt/azurecloudhsm/bin$ systemctl status azure-cloud-hsm.service --no-pager",
        "○ azure-cloud-hsm.service - Azure Cloud HSM Client",
        "     Loaded: loaded (/etc/systemd/system/azure-cloud-hsm.service; disabled; vendor preset: enabled)",
        "     Active: inactive (dead)",
        "chsmadmin@adminvm:/opt/azurecloudhsm/bin$ sudo systemctl enable --now azure-cloud-hsm.service",
        "Created symlink /etc/systemd/system/multi-user.target.wants/azure-cloud-hsm.service → /etc/systemd/system/azure-cloud-hsm.service.",
        "chsmadmin@adminvm:/opt/azurecloudhsm/bin$ sudo ./azcloudhsm_util singlecmd loginHSM -u CU -s cu1 -p ******** findKey",
        "Version info, Client Version: 2.0.1.2, SDK API Version: 2.0.1.2, SDK Package Version: 2.0.1.2",
        "Cfm3Initialize() returned app id : 01000000",
        "\tsession_handle 1000000",
        "\tCurrent FIPS mode is: 00000000",
        "Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS",
        "Cluster Status:",
        "Node id 1 status: 0x00000000 : HSM Return: SUCCESS",
        "Node id 2 status: 0x00000000 : HSM Return: SUCCESS",
        "Node id 3 status: 0x00000000 : HSM Return: SUCCESS",
        "Command: findKey",
        "Total number of keys present: 6",
        " number of keys matched from start index 0::6",
        "262150, 262151, 262152, 262155, 262156, 524289",
        "Cluster Status:",
        "Node id 1 status: 0x00000000 : HSM Return: SUCCESS",
        "Node id 2 status: 0x00000000 : HSM Return: SUCCESS",
        "Node id 3 status: 0x00000000 : HSM Return: SUCCESS",
        "Script done on 2025-06-18 07:36:40+00:00 [COMMAND_EXIT_CODE=\"0\"]",
    ], [T_LIQUID]


@log("import-private-key-wrong-kek.log", "train", 111)
def _(rng):
    L = ["chsmadmin@adminvm:/opt/azurecloudhsm/bin$ ./azcloudhsm_util",
         "Cfm3Initialize() returned app id : 01000000",
         "Command:  loginHSM -u CU -s cu1 -p ********",
         "Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS"]
    for attempt, w in enumerate((262151, 262152, 524290)):
        L += [f"Command:  importPrivateKey -l importTestKey{attempt} -f key.pem -w {w}",
              "BER encoded key length is 1217",
              "Cfm3ImportWrapKey returned: 0xa8 : HSM Error: Key/Token not found",
              "Cluster Status:",
              "Node id 1 status: 0x000000a8 : HSM Error: Key/Token not found",
              "Node id 2 status: 0x000000a8 : HSM Error: Key/Token not found",
              "Node id 3 status: 0x000000a8 : HSM Error: Key/Token not found"]
    L += ["Command:  findKey -c 4 -l user-kek",
          "Total number of keys present: 1",
          " number of keys matched from start index 0::1",
          "262150",
          "Command:  importPrivateKey -l importTestKey -f key.pem -w 262150",
          "BER encoded key length is 1217",
          "Cfm3CreateUnwrapTemplate2 returned: 0x00 : HSM Return: SUCCESS",
          "Cfm3CreatePrivateKey returned: 0x00 : HSM Return: SUCCESS",
          "Private Key Imported.  Key Handle: 262160",
          "Cluster Status:",
          "Node id 1 status: 0x00000000 : HSM Return: SUCCESS",
          "Node id 2 status: 0x00000000 : HSM Return: SUCCESS",
          "Node id 3 status: 0x00000000 : HSM Return: SUCCESS",
          "Command:  exit"]
    return L, [T_KEYTOKEN]


@log("jenkins-nginx-build.log", "train", 112)
def _(rng):
    L = ["Started by user svc-build", "Running as SYSTEM", "Building remotely on tls-builder-01 (ubuntu-22.04) in workspace /var/lib/jenkins/workspace/nginx-hsm-offload",
         "[nginx-hsm-offload] $ /bin/bash -xe /tmp/jenkins1180281.sh", "+ sudo apt-get update -q",
         "Hit:1 http://azure.archive.ubuntu.com/ubuntu jammy InRelease", "Get:2 http://azure.archive.ubuntu.com/ubuntu jammy-updates InRelease [128 kB]",
         "Fetched 1,482 kB in 2s (741 kB/s)", "Reading package lists...", "+ sudo apt-get install -y -q libpcre3-dev libssl1.1",
         "Reading package lists...", "E: Unable to locate package libssl1.1", "+ true",
         "+ tar xzf nginx-1.24.0.tar.gz", "+ cd nginx-1.24.0", "+ ./configure --with-http_ssl_module --with-openssl-opt=enable-engine",
         "checking for OS", " + Linux 5.15.0-1057-azure x86_64", "checking for C compiler ... not found", "",
         "./configure: error: C compiler cc not found", "", "Build step 'Execute shell' marked build as failure", "Finished: FAILURE", "",
         "Started by user svc-build (rebuild #42)", "+ sudo apt-get install -y -q build-essential",
         "Setting up build-essential (12.9ubuntu3) ...", "+ ./configure --with-http_ssl_module --with-openssl-opt=enable-engine",
         "checking for OS", " + Linux 5.15.0-1057-azure x86_64", "checking for C compiler ... found",
         " + using GNU C compiler", " + gcc version: 11.4.0 (Ubuntu 11.4.0-1ubuntu1~22.04)",
         "checking for gcc -pipe switch ... found", "checking for PCRE library ... found",
         "checking for OpenSSL library ... not found", "checking for OpenSSL library in /usr/local/ ... not found",
         "checking for OpenSSL library in /usr/pkg/ ... not found", "checking for OpenSSL library in /opt/local/ ... not found", "",
         "./configure: error: SSL modules require the OpenSSL library.", "You can either do not enable the modules, or install the OpenSSL library",
         "into the system, or build the OpenSSL library statically from the source", "with nginx by using --with-openssl=<path> option.", "",
         "Build step 'Execute shell' marked build as failure", "Finished: FAILURE", "",
         "Started by user svc-build (rebuild #43)", "+ sudo apt-get install -y -q libssl-dev",
         "+ ./configure --with-http_ssl_module --with-openssl-opt=enable-engine", "checking for OpenSSL library ... found",
         "checking for zlib library ... not found", "", "./configure: error: the HTTP gzip module requires the zlib library.",
         "You can either disable the module by using --without-http_gzip_module", "option, or install the zlib library into the system, or build the zlib library",
         "statically from the source with nginx by using --with-zlib=<path> option.", "", "Build step 'Execute shell' marked build as failure", "Finished: FAILURE", "",
         "Started by user svc-build (rebuild #44)", "+ sudo apt-get install -y -q zlib1g-dev", "+ ./configure --with-http_ssl_module --with-openssl-opt=enable-engine",
         "checking for zlib library ... found", "creating objs/Makefile", "", "Configuration summary", "  + using system PCRE library",
         "  + using system OpenSSL library", "  + using system zlib library", "+ make -j2", "make[1]: Leaving directory '/var/lib/jenkins/workspace/nginx-hsm-offload/nginx-1.24.0'",
         "Finished: SUCCESS"]
    return L, [T_CC, T_SSLMOD, T_GZIP]


@log("engine-node-user-missing.log", "train", 113)
def _(rng):
    c, _host, L = Clock(rng, "2025-05-18T04:00:00"), "sign-api-02", []
    for _i in range(70):
        c.tick(1, 25)
        r = rng.random()
        if r < 0.25:
            node = 3
            L.append(f"{c.java()} ERROR [worker-{rng.randint(1, 8)}] c.c.sign.Engine - sign failed on node {node}: HSM Error: RET_USER_LOGIN_FAILURE (took {rng.randint(5, 90)}ms)")
            if rng.random() < 0.3:
                L.append(f"{c.java()} WARN  [worker-{rng.randint(1, 8)}] c.c.sign.Engine - critical_err_info_ file written to /opt/azurecloudhsm/AzureCloudHSM-ClientSDK/")
        elif r < 0.35:
            L.append(f"{c.java()} WARN  [http-{rng.randint(1, 20)}] c.c.sign.Proxy - upstream timed out after {rng.randint(30000, 39000)}ms")
        else:
            msg = hsm_success_lines(rng)
            lvl = "DEBUG" if msg.startswith("[DEBUG] ") else "INFO "
            L.append(f"{c.java()} {lvl} [worker-{rng.randint(1, 8)}] c.c.sign.Engine - {msg.removeprefix('[DEBUG] ')}")
    L.append(f"{c.java()} INFO  [main] c.c.sign.Engine - stats: ok={rng.randint(200, 300)} failed={rng.randint(40, 80)} nodes=3")
    return L, [T_RETLOGIN]


@log("oracle-tde-alert.log", "train", 114)
def _(rng):
    c, L = Clock(rng, "2025-04-14T21:00:00"), []
    for _ in range(5):
        c.tick(30, 300)
        L += [c.t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{c.t.microsecond:06d}+00:00", rng.choice([
            "Thread 1 advanced to log sequence 4412 (LGWR switch)", "  Current log# 2 seq# 4412 mem# 0: /u02/oradata/ORCL/redo02.log",
            "Resize operation completed for file# 3, old size 1249280K, new size 1259520K", "TABLE SYS.WRI$_OPTSTAT_HISTHEAD_HISTORY: ADDED INTERVAL PARTITION SYS_P2401"])]
    for _ in range(3):
        c.tick(60, 200)
        L += [c.t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{c.t.microsecond:06d}+00:00",
              "ADMINISTER KEY MANAGEMENT SET KEY IDENTIFIED BY * WITH BACKUP",
              "ORA-28407: Hardware Security Module failed with PKCS#11 error",
              "CKR_GENERAL_ERROR(5)",
              "kzthsmcc: PKCS#11 library /opt/oracle/extapi/64/hsm/azurecloudhsm/libazcloudhsm_pkcs11.so"]
    c.tick(600, 1200)
    L += [c.t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{c.t.microsecond:06d}+00:00", "ADMINISTER KEY MANAGEMENT SET ENCRYPTION KEY IDENTIFIED BY * : success",
          "Completed: ADMINISTER KEY MANAGEMENT SET KEY"]
    return L, [T_ORA]


@log("sqlserver-errorlog-ekm.log", "train", 115)
def _(rng):
    c, L = Clock(rng, "2025-03-30T10:00:00"), []
    hdr = ["Microsoft SQL Server 2022 (RTM-CU12) (KB5033663) - 16.0.4115.5 (X64)", "Server process ID is 4412.", "Authentication mode is MIXED.",
           "Logging SQL Server messages in file 'C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Log\\ERRORLOG'.",
           "Server is listening on [ 'any' <ipv4> 1433].", "SQL Server is now ready for client connections. This is an informational message; no user action is required."]
    for h in hdr:
        c.tick(0.01, 1)
        L.append(f"{c.sqlerr()} Server      {h}")
    for db in ("master", "msdb", "Payroll", "Ledger"):
        c.tick(0.1, 2)
        L.append(f"{c.sqlerr()} spid{rng.randint(20, 60)}s     Starting up database '{db}'.")
    for _ in range(3):
        c.tick(30, 300)
        sp = rng.randint(51, 80)
        L.append(f"{c.sqlerr()} spid{sp}      Error: 33085, Severity: 16, State: 1.")
        L.append(f"{c.sqlerr()} spid{sp}      Cannot initialize cryptographic provider. Provider error code: 1. (Failure - Consult EKM provider for details)")
        L.append(f"{c.sqlerr()} Logon       Login succeeded for user 'CONTOSO\\sqladmin'. Connection made using Windows authentication. [CLIENT: 10.0.4.12]")
    c.jump(15)
    L.append(f"{c.sqlerr()} spid14s     SQL Server is terminating in response to a 'stop' request from Service Control Manager. This is an informational message only. No user action is required.")
    c.jump(1)
    L.append(f"{c.sqlerr()} Server      Microsoft SQL Server 2022 (RTM-CU12) (KB5033663) - 16.0.4115.5 (X64)")
    L.append(f"{c.sqlerr()} spid52      Cryptographic provider 'AzureCloudHSM' initialized. Version 1.0.3.0")
    L.append(f"{c.sqlerr()} spid52      CREATE CREDENTIAL succeeded")
    return L, [T_EKM_INIT]


@log("adcs-ca-migration-transcript.log", "train", 116)
def _(rng):
    return ["**********************", "Windows PowerShell transcript start", "Start time: 20250512101501", "Username: CONTOSO\\pkiadmin",
            "RunAs User: CONTOSO\\pkiadmin", "Machine: ADCS-01 (Microsoft Windows NT 10.0.20348.0)", "Host Application: powershell.exe", "**********************",
            "PS C:\\ca-migration> certutil -csplist | Select-String Cavium", "Provider Name: Cavium Key Storage Provider",
            "PS C:\\ca-migration> .\\azcloudhsm_ksp_import_key.exe -h",
            "PS C:\\ca-migration> openssl ca -config openssl-ca.cnf -policy signing_policy -extensions signing_req -out subca.crt -infiles subca.csr",
            "Using configuration from openssl-ca.cnf", "Can't open openssl-ca.cnf for reading, No such file or directory",
            "1C6F0000:error:80000002:system library:BIO_new_file:No such file or directory:crypto\\bio\\bss_file.c:67:calling fopen(openssl-ca.cnf, r)",
            "1C6F0000:error:10000080:BIO routines:BIO_new_file:no such file:crypto\\bio\\bss_file.c:75:",
            "PS C:\\ca-migration> Get-ChildItem *.cnf", "PS C:\\ca-migration> certutil -ping", "Connecting to ADCS-01\\Contoso Issuing CA 2 ...",
            "Server \"Contoso Issuing CA 2\" ICertRequest2 interface is alive (0ms)", "CertUtil: -ping command completed successfully.",
            "**********************", "Windows PowerShell transcript end", "End time: 20250512102233", "**********************"], [T_CACNF]


@log("app-outside-sdk-dir.log", "train", 117)
def _(rng):
    c, host, L = Clock(rng, "2025-06-11T02:59:00"), "batch-01", []
    for run in range(4):
        c.jump(60 if run else 1)
        pid = rng.randint(10000, 30000)
        L.append(f"{c.syslog()} {host} CRON[{pid}]: (svc-sign) CMD (/srv/signing/run-signing.sh >> /var/log/signing.log 2>&1)")
        L.append(f"{c.syslog()} {host} run-signing.sh[{pid + 1}]: starting job {c.t.strftime('%Y%m%d-%H%M')} in /srv/signing")
        L.append(f"{c.syslog()} {host} doc_signer[{pid + 2}]: azcloudhsm_application.cfg is not present")
        L.append(f"{c.syslog()} {host} doc_signer[{pid + 2}]: HSM provider init failed (rc=-1)")
        L.append(f"{c.syslog()} {host} run-signing.sh[{pid + 1}]: job failed, exit 1")
        for _ in range(3):
            c.tick(10, 200)
            L.append(f"{c.syslog()} {host} {noise_syslog(rng, host)}")
    return L, [T_APPCFG]


@log("mgmt-util-sync-users.log", "train", 118)
def _(rng):
    return ["chsmadmin@adminvm:/opt/azurecloudhsm/bin$ sudo ./azcloudhsm_mgmt_util ./azcloudhsm_resource.cfg",
            "Connecting to the server(s), it may take time", "depending on the server(s) load, please wait...",
            "Connected to server 'hsm1.chsm-contoso-x7k2p.privatelink.cloudhsm.azure.net': port 444.",
            "Connected to server 'hsm2.chsm-contoso-x7k2p.privatelink.cloudhsm.azure.net': port 444.",
            "Connected to server 'hsm3.chsm-contoso-x7k2p.privatelink.cloudhsm.azure.net': port 444.",
            "cloudmgmt>listUsers", "Users on server 0(hsm1):", "Number of users found:5", "",
            "    User Id             User Type       User Name                          MofnPubKey    LoginFailureCnt         2FA",
            "         1              CO              admin                                    NO               0               NO",
            "         2              AU              app_user                                 NO               0               NO",
            "         3              CO              admin2                                   NO               0               NO",
            "         6              CU              cu1                                      NO               0               NO",
            "         7              CU              cu-signing                               NO               0               NO",
            "Users on server 1(hsm2):", "Number of users found:4", "Users on server 2(hsm3):", "Number of users found:5",
            "cloudmgmt>loginHSM CO admin ********", "loginHSM success on server 0", "loginHSM success on server 1", "loginHSM success on server 2",
            "cloudmgmt>server 0", "Server is in 'E2' mode...", "server0>syncUser 7 1", "syncUser success on server 1",
            "server0>syncUser 7 2", "syncUser failed: user already created, unable to insert object", "server0>exit",
            "cloudmgmt>listUsers", "Users on server 0(hsm1):", "Number of users found:5", "Users on server 1(hsm2):", "Number of users found:5",
            "Users on server 2(hsm3):", "Number of users found:5", "cloudmgmt>logoutHSM", "logoutHSM success on server 0",
            "logoutHSM success on server 1", "logoutHSM success on server 2", "cloudmgmt>quit"], [SY_SYNCUSERS]


@log("az-cli-diagnostic-settings.log", "train", 119)
def _(rng):
    return ["$ az account show --query name -o tsv", "Contoso-Security-Prod",
            "$ resourceId=/subscriptions/3f2a9c1e-0000-4f00-9a00-5b7d0e11aa20/resourceGroups/CHSM-SERVER-RG/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/chsm-contoso",
            "$ az monitor log-analytics workspace create --resource-group CHSM-LOGS-RG --workspace-name chsm-law",
            "{", "  \"customerId\": \"7c2e9a51-0000-4e0b-8d5b-3aa7c1b0f001\",", "  \"provisioningState\": \"Succeeded\",", "  \"retentionInDays\": 30", "}",
            "$ az monitor diagnostic-settings create --resource $resourceId --name my-chsmAuditLogs --storage-account $storageAccountId --workspace $workspaceId --logs '[{\"category\":\"HsmServiceOperations\",\"enabled\":true}]'",
            "(SubscriptionNotRegistered) The subscription 3f2a9c1e-0000-4f00-9a00-5b7d0e11aa20 is not registered to use microsoft.insights.",
            "Code: SubscriptionNotRegistered",
            "Message: The subscription 3f2a9c1e-0000-4f00-9a00-5b7d0e11aa20 is not registered to use microsoft.insights.",
            "$ az provider register --namespace Microsoft.Insights",
            "Registering is still on-going. You can monitor using 'az provider show -n Microsoft.Insights'",
            "$ az provider show --namespace Microsoft.Insights --query registrationState -o tsv", "Registered",
            "$ az monitor diagnostic-settings create --resource $resourceId --name my-chsmAuditLogs --storage-account $storageAccountId --workspace $workspaceId --logs '[{\"category\":\"HsmServiceOperations\",\"enabled\":true}]'",
            "{", "  \"logs\": [", "    {", "      \"category\": \"HsmServiceOperations\",", "      \"enabled\": true", "    }", "  ],",
            "  \"name\": \"my-chsmAuditLogs\"", "}"], [OL_REG]


@log("healthy-signer-trace.log", "train", 120)
def _(rng):
    c, host, L = Clock(rng, "2025-06-20T08:00:00"), "hsm-app-01", []
    L.append(f"{c.syslog()} {host} signer[4410]: loading PKCS#11 module /opt/azurecloudhsm/lib64/libazcloudhsm_pkcs11.so")
    L.append(f"{c.syslog()} {host} signer[4410]: C_Initialize -> CKR_OK")
    L.append(f"{c.syslog()} {host} signer[4410]: C_Login -> CKR_OK")
    for _ in range(110):
        c.tick(0.2, 15)
        r = rng.random()
        if r < 0.7:
            L.append(f"{c.syslog()} {host} signer[4410]: {hsm_success_lines(rng)}")
        elif r < 0.85:
            L.append(f"{c.syslog()} {host} {noise_syslog(rng, host)}")
        else:
            L.append(f"{c.syslog()} {host} {generic_error_syslog(rng, host)}")
    L.append(f"{c.syslog()} {host} signer[4410]: daily summary: 0 errors, 0 failed logins, 12876 signatures")
    return L, []


@log("aws-cloudhsm-client-ec2.log", "train", 121)
def _(rng):
    c, host, L = Clock(rng, "2025-05-02T11:00:00"), "ip-10-0-1-15", []
    L.append(f"{c.syslog()} {host} systemd[1]: Starting cloudhsm-client...")
    L.append(f"{c.syslog()} {host} cloudhsm_client[2211]: INF: cloudhsm_client version 3.4.4, config /opt/cloudhsm/etc/cloudhsm_client.cfg")
    L.append(f"{c.syslog()} {host} cloudhsm_client[2211]: INF: loading CA /opt/cloudhsm/etc/customerCA.crt")
    for _i in range(25):
        c.tick(2, 30)
        r = rng.random()
        if r < 0.3:
            L.append(f"{c.syslog()} {host} cloudhsm_client[2211]: ERR: reconnect_to_server: Unable to connect to server 10.0.2.{rng.randint(10, 60)}:2223, errno 111")
        elif r < 0.5:
            L.append(f"{c.syslog()} {host} cloudhsm_client[2211]: INF: Server 10.0.2.{rng.randint(10, 60)}:2223 connected")
        else:
            L.append(f"{c.syslog()} {host} " + rng.choice([
                f"amazon-ssm-agent[{rng.randint(1000, 2000)}]: INFO [MessageService] [MGSInteractor] sending reply",
                f"chronyd[{rng.randint(500, 900)}]: Selected source 169.254.169.123",
                f"systemd[1]: Started Session {rng.randint(10, 900)} of user ec2-user.",
                f"sshd[{rng.randint(3000, 9000)}]: Accepted publickey for ec2-user from 10.0.0.{rng.randint(2, 250)} port {rng.randint(30000, 65000)} ssh2",
                f"dhclient[{rng.randint(700, 900)}]: bound to 10.0.1.15 -- renewal in 1653 seconds."]))
    L += [f"{c.syslog()} {host} key_mgmt_util[3301]: Cfm3Initialize() returned: 0x40000040 : LIQUIDSECURITY: Daemon socket connection error",
          f"{c.syslog()} {host} app-signer[3390]: C_Login failed: CKR_PIN_INCORRECT (0xa0) using /opt/cloudhsm/lib/libcloudhsm_pkcs11.so",
          f"{c.syslog()} {host} amazon-cloudwatch-agent[1410]: 2025-05-02T11:{rng.randint(10, 59)}:00Z I! [outputs.cloudwatchlogs] Sent 112 log events to /aws/cloudhsm/cluster-7xqvmwo2abc",
          f"{c.syslog()} {host} cloudhsm_client[2211]: INF: Server 10.0.2.31:2223 connected"]
    return L, []


@log("web-tier-generic-only.log", "train", 122)
def _(rng):
    c, host, L = Clock(rng, "2025-06-02T03:00:00"), "web-01", []
    for _ in range(90):
        c.tick(0.5, 40)
        r = rng.random()
        L.append(f"{c.syslog()} {host} {noise_syslog(rng, host) if r < 0.55 else generic_error_syslog(rng, host)}")
    return L, []


@log("incident-hsm-app-01-full-day.log", "train", 123)
def _(rng):
    c, host, L = Clock(rng, "2025-06-02T00:00:05"), "hsm-app-01", []

    def fill(n):
        for _ in range(n):
            c.tick(20, 240)
            L.append(f"{c.syslog()} {host} {noise_syslog(rng, host) if rng.random() < 0.8 else generic_error_syslog(rng, host)}")

    fill(25)
    # 02:00 client dies -> socket errors
    L.append(f"{c.syslog()} {host} systemd[1]: azure-cloud-hsm.service: Main process exited, code=exited, status=1/FAILURE")
    L.append(f"{c.syslog()} {host} systemd[1]: azure-cloud-hsm.service: Failed with result 'exit-code'.")
    for _ in range(20):
        c.tick(10, 60)
        pid = rng.randint(20000, 30000)
        L.append(f"{c.syslog()} {host} signer[{pid}]: C_Initialize() failed with 00000005 (Failed to connect socket)")
        if rng.random() < 0.3:
            L.append(f"{c.syslog()} {host} {noise_syslog(rng, host)}")
    fill(10)
    # 06:00 someone reinstalls the SDK from scratch on this VM; PO.crt not copied
    L.append(f"{c.syslog()} {host} sudo[{rng.randint(1000, 9000)}]: azureuser : TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/usr/bin/dpkg -i AzureCloudHSM-ClientSDK-2.0.1.2.deb")
    L.append(f"{c.syslog()} {host} systemd[1]: Started Azure Cloud HSM Client.")
    for _ in range(30):
        c.tick(4, 6)
        L.append(f"{c.syslog()} {host} azcloudhsm_client[5120]: INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert")
    fill(8)
    # 09:30 PO.crt copied, client fine; now the app logs in with the password only
    L.append(f"{c.syslog()} {host} azcloudhsm_client[5120]: INF: loaded PO certificate from /opt/azurecloudhsm/bin/PO.crt")
    L.append(f"{c.syslog()} {host} azcloudhsm_client[5120]: INF: connected to 3 of 3 nodes")
    for _ in range(15):
        c.tick(30, 120)
        pid = rng.randint(30000, 40000)
        L.append(f"{c.syslog()} {host} signer[{pid}]: C_Initialize -> CKR_OK")
        L.append(f"{c.syslog()} {host} signer[{pid}]: C_Login failed with error code: 0xa3")
    fill(10)
    L.append(f"{c.syslog()} {host} signer[41020]: C_Login -> CKR_OK")
    for _ in range(25):
        c.tick(5, 60)
        L.append(f"{c.syslog()} {host} signer[41020]: {hsm_success_lines(rng)}")
    fill(10)
    return L, [T_CINIT + " | " + T_LIQUID, T_CLOSE, T_CLOGIN]


@log("apache-mod-ssl-engine-password.log", "train", 124)
def _(rng):
    c, L = Clock(rng, "2025-05-28T11:00:00"), []
    for _restart in range(3):
        c.tick(60, 300)
        pid = rng.randint(30000, 32000)
        L.append(f"{c.apache()} [mpm_event:notice] [pid {pid}:tid 140022] AH00489: Apache/2.4.52 (Ubuntu) OpenSSL/3.0.2 configured -- resuming normal operations")
        L.append(f"{c.apache()} [ssl:info] [pid {pid}:tid 140022] AH01887: Init: Initializing (virtual) servers for SSL")
        L.append(f"{c.apache()} [ssl:info] [pid {pid}:tid 140022] AH01876: mod_ssl/2.4.52 compiled against Server: Apache/2.4.52, Library: OpenSSL/3.0.2")
        L.append("environment variable azcloudhsm_password is not set")
        L.append(f"{c.apache()} [ssl:emerg] [pid {pid}:tid 140022] AH02312: Fatal error initialising mod_ssl, exiting.")
        L.append("AH00016: Configuration Failed")
        c.tick(1, 5)
        L.append(f"{c.apache()} [core:warn] [pid {pid}:tid 140022] AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using 127.0.1.1. Set the 'ServerName' directive globally to suppress this message")
    return L, [T_PASSWORD]


@log("luna-dedicated-hsm-client.log", "train", 125)
def _(rng):
    return ["lunacm (64-bit) v10.4.0-417. Copyright (c) 2021 SafeNet. All rights reserved.",
            "", "\tAvailable HSMs:", "", "\tSlot Id ->              0", "\tLabel ->                dedicated-hsm-par1",
            "\tSerial Number ->        1238696044953", "\tModel ->                LunaSA 7.7.1", "\tFirmware Version ->     7.7.1",
            "\tHSM Configuration ->    Luna User Partition With SO (PW) Signing With Cloning Mode", "\tHSM Status ->           OK", "",
            "\tCurrent Slot Id: 0", "", "lunacm:>role login -name co", "", "\tenter password: ********", "",
            "Command Result : 0x000000a0 (CKR_PIN_INCORRECT)", "", "lunacm:>role login -name co", "\tenter password: ********",
            "Command Result : 0x000000a0 (CKR_PIN_INCORRECT)", "", "lunacm:>exit", "",
            "C:\\Program Files\\SafeNet\\LunaClient>vtl verify", "", "The following Luna SA Slots/Partitions were found:", "",
            "Slot    Serial #        Label", "====    ========        =====", "", "Error: Unable to find any Luna SA Slots/Partitions.",
            "NTLS connection to 10.2.0.4 failed: certificate verify failed (server cert not in server.pem)"], []


@log("pkcs11-tool-opensc-keygen.log", "train", 126)
def _(rng):
    return ["PS C:\\tools\\opensc> .\\pkcs11-tool.exe --module \"C:\\AzureCloudHSM-ClientSDK\\AzureCloudHSM-ClientSDK-Windows-1.0.3.0\\libs\\pkcs11\\azcloudhsm_pkcs11.dll\" --list-slots",
            "Available slots:", "Slot 0 (0x0): Azure Cloud HSM Slot", "  token label        : PARTITION_1", "  token manufacturer : Marvell Semiconductors, Inc.",
            "  token flags        : login required, rng, token initialized", "",
            "PS C:\\tools\\opensc> .\\pkcs11-tool.exe --module \"C:\\AzureCloudHSM-ClientSDK\\AzureCloudHSM-ClientSDK-Windows-1.0.3.0\\libs\\pkcs11\\azcloudhsm_pkcs11.dll\" --login --login-type user --pin cu1:******** --keygen --key-type AES:32",
            "Using slot 0 with a present token (0x0)",
            "error: PKCS11 function C_GenerateKey failed: rv = CKR_ATTRIBUTE_VALUE_INVALID (0x13)", "Aborting.",
            "PS C:\\tools\\opensc> .\\pkcs11-tool.exe --module \"C:\\AzureCloudHSM-ClientSDK\\AzureCloudHSM-ClientSDK-Windows-1.0.3.0\\libs\\pkcs11\\azcloudhsm_pkcs11.dll\" --login --login-type user --pin cu1:******** --keypairgen --key-type EC:prime256v1 --usage-sign",
            "Using slot 0 with a present token (0x0)",
            "error: PKCS11 function C_GenerateKeyPair failed: rv = CKR_ATTRIBUTE_VALUE_INVALID (0x13)", "Aborting.",
            "PS C:\\tools\\opensc> # retry with --sensitive --private",
            "PS C:\\tools\\opensc> .\\pkcs11-tool.exe --sensitive --private --module \"C:\\AzureCloudHSM-ClientSDK\\AzureCloudHSM-ClientSDK-Windows-1.0.3.0\\libs\\pkcs11\\azcloudhsm_pkcs11.dll\" --login --login-type user --pin cu1:******** --keygen --key-type AES:32",
            "Using slot 0 with a present token (0x0)", "Key generated:", "Secret Key Object; AES length 32", "  VALUE:      <sensitive>",
            "  Usage:      encrypt, decrypt, wrap, unwrap", "  Access:     sensitive, always sensitive, never extractable, local"], [T_OPENSC]


@log("windows-pkcs11-app-events.log", "train", 127)
def _(rng):
    c, L = Clock(rng, "2025-04-08T18:30:00"), []
    blocks = []
    for i in range(6):
        c.tick(30, 400)
        if i in (1, 2, 4):
            blocks.append(("Application", "P11Signer", 1001, "Error", "C_Initialize() failed with 00000005 (Failed to connect socket)\r\nModule: C:\\Program Files\\Microsoft Azure Cloud HSM Client SDK\\libs\\pkcs11\\azcloudhsm_pkcs11.dll"))
        elif i == 3:
            blocks.append(("System", "Service Control Manager", 7036, "Information", "The Microsoft Azure Cloud HSM Client Service service entered the stopped state."))
        else:
            blocks.append(("Application", "P11Signer", 1000, "Information", "Signing service started. Slots: 1. status=0"))
        ln, src, eid, lvl, desc = blocks[-1]
        L += [f"Log Name:      {ln}", f"Source:        {src}", f"Date:          {c.win()}", f"Event ID:      {eid}", "Task Category: None",
              f"Level:         {lvl}", "Keywords:      Classic", "User:          N/A", "Computer:      SIGNVM01.corp.contoso.com", "Description:", *desc.split("\r\n"), ""]
    c.tick(30, 100)
    L += ["Log Name:      System", "Source:        Service Control Manager", f"Date:          {c.win()}", "Event ID:      7000", "Task Category: None",
          "Level:         Error", "Keywords:      Classic", "User:          N/A", "Computer:      SIGNVM01.corp.contoso.com", "Description:",
          "The Windows Update Medic Service service failed to start due to the following error: Access is denied.", ""]
    return L, [T_CINIT]


@log("jce-wrap-test-session.log", "train", 128)
def _(rng):
    # An admin shell: an EC key made correctly with azcloudhsm_util (all nodes SUCCESS), then a JCE wrap test
    # that fails because no user-generated KEK is set up.
    return ["azureuser@web-02:~/keys$ sudo ./azcloudhsm_util singlecmd loginHSM -u CU -p ******** -s cu1 genECCKeyPair -i 28 -l labelED25519Test",
            "Cfm3Initialize() returned app id : 01000000", "Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS",
            "Cfm3GenerateKeyPair returned: 0x00 : HSM Return: SUCCESS", "Cfm3GenerateKeyPair:    public key handle: 262170    private key handle: 262171",
            "Cluster Status:", "Node id 1 status: 0x00000000 : HSM Return: SUCCESS", "Node id 2 status: 0x00000000 : HSM Return: SUCCESS",
            "Node id 3 status: 0x00000000 : HSM Return: SUCCESS",
            "azureuser@web-02:~/keys$ grep -E 'USER_KEK_HANDLE|WRAP_WITH_TRUSTED' /opt/azurecloudhsm/bin/azcloudhsm_application.cfg",
            "DEFAULT_WRAP_WITH_TRUSTED=1",
            "azureuser@web-02:~/keys$ java -cp .:/opt/azurecloudhsm/jce/* WrapTest",
            "WrapTest: provider AzureCloudHSM loaded, login ok",
            "Exception in thread \"main\" java.security.InvalidKeyException: attribute with value 0 for this operation? Attribute should set for User KEK",
            "\tat com.microsoft.azure.cloudhsm.jce.provider.CloudHsmCipher.engineWrap(CloudHsmCipher.java:388)",
            "\tat javax.crypto.Cipher.wrap(Cipher.java:2437)", "\tat WrapTest.main(WrapTest.java:31)",
            "azureuser@web-02:~/keys$ echo $?", "1"], [T_KEK]


# ======================== HELDOUT ========================

@log("hl-zap-json-three-pods.log", "heldout", 201)
def _(rng):
    c, L = Clock(rng, "2025-07-01T04:00:00"), []
    pods = ["signer-5f7c9-a1b2c", "signer-5f7c9-d3e4f", "signer-5f7c9-g5h6i"]
    for i in range(120):
        c.tick(0.2, 12)
        pod = rng.choice(pods)
        r = rng.random()
        if pod == pods[1] and 40 < i < 90 and r < 0.5:
            L.append(json.dumps({"level": "error", "ts": round((c.t - EPOCH).total_seconds(), 3), "caller": "p11/pool.go:88", "msg": "C_Initialize() failed with 00000005 (Failed to connect socket)", "pod": pod, "attempt": rng.randint(1, 5)}))
        elif r < 0.1:
            L.append(json.dumps({"level": "error", "ts": round((c.t - EPOCH).total_seconds(), 3), "caller": "http/proxy.go:211", "msg": "upstream timed out", "after": f"{rng.randint(30000, 40000)}ms", "pod": pod}))
        else:
            msg = hsm_success_lines(rng)
            L.append(json.dumps({"level": "debug" if msg.startswith("[DEBUG] ") else "info", "ts": round((c.t - EPOCH).total_seconds(), 3), "caller": "p11/sign.go:41",
                                 "msg": msg.removeprefix("[DEBUG] "), "pod": pod}))
    return L, [T_CINIT]


@log("hl-windows-dotnet-pin-format.log", "heldout", 202)
def _(rng):
    c, L = Clock(rng, "2025-05-14T08:00:00"), []
    for i in range(40):
        c.tick(2, 60)
        ts = c.t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        if i % 6 == 3:
            L.append(f"{ts} [ERR] Contoso.Signing.Pkcs11Session: C_Login failed with error code: 0xa3 (module=C:\\Program Files\\Microsoft Azure Cloud HSM Client SDK\\libs\\pkcs11\\azcloudhsm_pkcs11.dll, user=<none>)")
            L.append(f"{ts} [WRN] Contoso.Signing.Worker: job {rng.randint(1000, 9999)} requeued")
        elif i % 11 == 7:
            L.append(f"{ts} [ERR] Microsoft.AspNetCore.Server.Kestrel: Connection id \"0HN{rng.randint(1000, 9999)}\", Request id \"0HN:0000000{rng.randint(1, 9)}\": An unhandled exception was thrown by the application. System.TimeoutException: upstream timed out after {rng.randint(30000, 40000)}ms")
        else:
            L.append(f"{ts} [INF] Contoso.Signing.Worker: {hsm_success_lines(rng).removeprefix('[DEBUG] ')}")
    return L, [T_CLOGIN]


@log("hl-mgmt-util-windows-transcript.log", "heldout", 203)
def _(rng):
    return ["**********************", "PowerShell transcript start", "Start time: 20250611143002", "Username: CORP\\hsmops", "Machine: ADMINVM-WEU2 (Microsoft Windows NT 10.0.20348.0)", "**********************",
            "PS C:\\Program Files\\Microsoft Azure Cloud HSM Client SDK\\azcloudhsm_mgmt_util> Test-NetConnection hsm1.chsm-fabrikam-9k2mq.privatelink.cloudhsm.azure.net -Port 444",
            "ComputerName     : hsm1.chsm-fabrikam-9k2mq.privatelink.cloudhsm.azure.net", "RemoteAddress    : 10.40.2.5", "RemotePort       : 444", "TcpTestSucceeded : True",
            "PS C:\\Program Files\\Microsoft Azure Cloud HSM Client SDK\\azcloudhsm_mgmt_util> .\\azcloudhsm_mgmt_util.exe .\\azcloudhsm_resource.cfg",
            "Connecting to the server(s), it may take time", "depending on the server(s) load, please wait...",
            "Certificate ERROR: [Certificate signature failure]", "Certificate ERROR: [Certificate signature failure]", "Certificate ERROR: [Certificate signature failure]",
            "Connection to all servers failed",
            "PS C:\\Program Files\\Microsoft Azure Cloud HSM Client SDK\\azcloudhsm_mgmt_util> Get-FileHash ..\\PO.crt", "Get-FileHash : Cannot find path 'C:\\Program Files\\Microsoft Azure Cloud HSM Client SDK\\PO.crt' because it does not exist.",
            "**********************", "PowerShell transcript end", "End time: 20250611143511", "**********************"], [T_CERTSIG]


@log("hl-docker-compose-client.log", "heldout", 204)
def _(rng):
    c, L = Clock(rng, "2025-06-14T07:00:00"), []
    for _i in range(70):
        c.tick(0.5, 8)
        r = rng.random()
        if r < 0.35:
            L.append(f"hsmclient-1  | {c.iso()} INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert")
        elif r < 0.45:
            L.append(f"hsmclient-1  | {c.iso()} INF: connecting to 10.20.1.{rng.choice([5, 6, 7])}:2224")
        elif r < 0.6:
            L.append(f"web-1        | 10.1.0.{rng.randint(2, 200)} - - [{c.t.strftime('%d/%b/%Y:%H:%M:%S')} +0000] \"GET /health HTTP/1.1\" 200 2 \"-\" \"kube-probe/1.29\"")
        elif r < 0.7:
            L.append(f"web-1        | {c.nginx()} [error] 29#29: *{rng.randint(100, 9999)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.1.0.{rng.randint(2, 200)}, after {rng.randint(30000, 40000)}ms")
        else:
            L.append(f"app-1        | {c.iso()} INFO waiting for hsm client socket (status=0, retry in 5s)")
    L.insert(0, "hsmclient-1  | INF: loaded config /etc/azurecloudhsm/azcloudhsm_client.cfg")
    return L, [T_CLOSE]


@log("hl-k8s-nginx-engine.log", "heldout", 205)
def _(rng):
    c, L = Clock(rng, "2025-06-30T10:00:00"), []
    for restart in range(4):
        c.tick(10, 80)
        L.append(f"{c.iso()} stdout F /docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh")
        L.append(f"{c.iso()} stdout F /docker-entrypoint.sh: Configuration complete; ready for start up")
        if restart < 2:
            L.append(f"{c.iso()} stderr F nginx: [emerg] ENGINE_by_id(\"azcloudhsm_openssl\") failed (SSL: error:12800067:DSO support routines::could not load the shared library)")
            L.append(f"{c.iso()} stderr F invalid engine 'azcloudhsm_openssl' could not load the shared library")
        else:
            L.append(f"{c.iso()} stderr F environment variable azcloudhsm_openssl_conf is not set")
            L.append(f"{c.iso()} stderr F nginx: [emerg] ENGINE_init(\"azcloudhsm_openssl\") failed")
        L.append(f"{c.iso()} stderr F Warning  BackOff  kubelet  Back-off restarting failed container nginx in pod tls-offload-6b7c-{rng.randint(10000, 99999)}")
    return L, [T_ENGINE, T_OSSLCONF]


@log("hl-logstash-java-importer.log", "heldout", 206)
def _(rng):
    c, L = Clock(rng, "2025-04-22T15:00:00"), []
    for i in range(45):
        c.tick(1, 30)
        ts = c.t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{c.t.microsecond // 1000:03d}+00:00"
        if i in (5, 6, 19, 33):
            L.append(json.dumps({"@timestamp": ts, "level": "ERROR", "logger_name": "com.fabrikam.migrate.Unwrapper", "thread_name": "main",
                                 "message": "unwrap failed", "stack_trace": "java.security.InvalidKeyException: attribute with value 0 for this operation? Attribute should set for User KEK\n\tat com.microsoft.azure.cloudhsm.jce.provider.CloudHsmCipher.engineUnwrap(CloudHsmCipher.java:431)"}))
        elif i in (1, 2):
            L.append(json.dumps({"@timestamp": ts, "level": "ERROR", "logger_name": "com.fabrikam.migrate.HsmSession", "thread_name": "main",
                                 "message": "could not find credentials to login to the HSM", "hint": "HSM_USER unset in this environment"}))
        else:
            L.append(json.dumps({"@timestamp": ts, "level": "INFO", "logger_name": "com.fabrikam.migrate.Unwrapper", "thread_name": "main",
                                 "message": rng.choice(["unwrap -> CKR_OK", "batch checkpoint saved status=0", "key imported, handle=" + str(rng.randint(262150, 262900)), "login succeeded"])}))
    return L, [T_KEK, T_JCE_CREDS]


@log("hl-oracle-trace-tde.log", "heldout", 207)
def _(rng):
    L = ["Trace file /u01/app/oracle/diag/rdbms/fin/FIN1/trace/FIN1_ora_20411.trc",
         "Oracle Database 19c Enterprise Edition Release 19.0.0.0.0 - Production", "Version 19.22.0.0.0",
         "ORACLE_HOME:    /u01/app/oracle/product/19.0.0/dbhome_1", "System name:    Linux", "Node name:      ora-fin-01",
         "*** 2025-04-30T02:14:55.118411+00:00", "*** SESSION ID:(1412.20331) 2025-04-30T02:14:55.118455+00:00",
         "kzthsm: loading /opt/oracle/extapi/64/hsm/azure/libazcloudhsm_pkcs11.so",
         "kzthsmcc: C_Initialize rv=0", "kzthsmcc: C_OpenSession rv=0", "kzthsmcc: C_Login rv=0x5",
         "ORA-28407: Hardware Security Module failed with PKCS#11 error CKR_GENERAL_ERROR(5)",
         "*** 2025-04-30T02:15:40.017220+00:00", "kzthsmcc: C_Login rv=0x5",
         "ORA-28407: Hardware Security Module failed with PKCS#11 error CKR_GENERAL_ERROR(5)",
         "ORA-28365: wallet is not open", "*** 2025-04-30T02:31:02.554003+00:00", "kzthsmcc: C_Login rv=0", "kzthsm: HSM wallet opened, status=0"]
    return L, [T_ORA]


@log("hl-windows-events-sql-ekm.log", "heldout", 208)
def _(rng):
    c, L = Clock(rng, "2025-04-08T18:00:00"), []
    events = [("Application", "MsiInstaller", 11707, "Information", "Product: Microsoft Azure Cloud HSM Client SDK -- Installation completed successfully."),
              ("Application", "MSSQLSERVER", 33085, "Error", "Cannot initialize cryptographic provider. Provider error code: 1. (Failure - Consult EKM provider for details)"),
              ("Application", "MSSQLSERVER", 18453, "Information", "Login succeeded for user 'CORP\\dba1'. Connection made using Windows authentication."),
              ("Application", "MSSQLSERVER", 33085, "Error", "Cannot initialize cryptographic provider. Provider error code: 1. (Failure - Consult EKM provider for details)"),
              ("System", "Service Control Manager", 7031, "Error", "The Windows Search service terminated unexpectedly.  It has done this 1 time(s)."),
              ("Application", "MSSQLSERVER", 17137, "Information", "Starting up database 'Payroll'.")]
    for ln, src, eid, lvl, desc in events:
        c.tick(20, 600)
        L += [f"Log Name:      {ln}", f"Source:        {src}", f"Date:          {c.t.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}", f"Event ID:      {eid}",
              f"Level:         {lvl}", "Computer:      SQLVM01.corp.fabrikam.com", "Description:", desc, ""]
    return L, [T_EKM_INIT]


@log("hl-docker-build-nginx.log", "heldout", 209)
def _(rng):
    return ["#1 [internal] load build definition from Dockerfile", "#1 transferring dockerfile: 1.02kB done", "#1 DONE 0.0s",
            "#5 [build 1/7] FROM docker.io/library/debian:bookworm-slim@sha256:5f7d...", "#5 DONE 2.1s",
            "#8 [build 4/7] RUN ./configure --prefix=/etc/nginx --with-http_ssl_module --with-http_gzip_static_module",
            "#8 0.412 checking for OS", "#8 0.413  + Linux 6.5.0-1025-azure x86_64", "#8 0.415 checking for C compiler ... not found", "#8 0.415",
            "#8 0.415 ./configure: error: C compiler cc not found",
            "#8 ERROR: process \"/bin/sh -c ./configure --prefix=/etc/nginx --with-http_ssl_module --with-http_gzip_static_module\" did not complete successfully: exit code: 1",
            "------", " > [build 4/7] RUN ./configure ...:", "------", "ERROR: failed to solve: process did not complete successfully: exit code: 1", "",
            "#9 [build 3/7] RUN apt-get update && apt-get install -y build-essential libssl-dev", "#9 DONE 41.7s",
            "#10 [build 4/7] RUN ./configure --prefix=/etc/nginx --with-http_ssl_module --with-http_gzip_static_module",
            "#10 1.902 checking for OpenSSL library ... found", "#10 1.977 checking for zlib library ... not found", "#10 1.977",
            "#10 1.977 ./configure: error: the HTTP gzip module requires the zlib library.",
            "#10 ERROR: process \"/bin/sh -c ./configure ...\" did not complete successfully: exit code: 1"], [T_CC, T_GZIP]


@log("hl-critical-err-info-dump.log", "heldout", 210)
def _(rng):
    c, L = Clock(rng, "2025-05-18T04:11:00"), []
    for _k in range(4):
        c.tick(30, 400)
        L += [f"==> /opt/azurecloudhsm/AzureCloudHSM-ClientSDK/critical_err_info_{c.t.strftime('%Y-%m-%d_%H-%M-%S')} <==",
              f"Time: {c.t.strftime('%a %b %d %H:%M:%S %Y')}", f"Operation: {rng.choice(['Cfm3GenerateKeyPair', 'Cfm3Sign', 'Cfm3FindKey'])}",
              f"Node: {rng.choice([2, 3])}", "Status: HSM Error: RET_USER_LOGIN_FAILURE", "Status: HSM Error: This user doesn't exist.", ""]
    L += ["==> /var/log/signer/app.log <==", "2025-05-18 04:20:01 INFO sign ok on node 1 status=0", "2025-05-18 04:20:02 INFO sign ok on node 2 status=0"]
    return L, [T_RETLOGIN]


@log("hl-util-import-invalid-handle.log", "heldout", 211)
def _(rng):
    return ["[hsmops@rhel9-admin bin]$ ./azcloudhsm_util singlecmd loginHSM -u CU -s cu-import -p ******** importPrivateKey -l web-2025 -f web.pem -w 8",
            "Cfm3Initialize() returned app id : 01000000", "Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS",
            "Command: importPrivateKey -l web-2025 -f web.pem -w 8", "BER encoded key length is 1193",
            "Cfm3ImportWrapKey returned: HSM Error: Invalid key-handle/token", "Cluster Status:",
            "Node id 1 status: HSM Error: Invalid key-handle/token", "Node id 2 status: HSM Error: Invalid key-handle/token",
            "Node id 3 status: HSM Error: Invalid key-handle/token",
            "[hsmops@rhel9-admin bin]$ grep USER_KEK_HANDLE azcloudhsm_application.cfg", "USER_KEK_HANDLE=262150",
            "[hsmops@rhel9-admin bin]$ ./azcloudhsm_util singlecmd loginHSM -u CU -s cu-import -p ******** importPrivateKey -l web-2025 -f web.pem -w 262150",
            "Cfm3CreatePrivateKey returned: 0x00 : HSM Return: SUCCESS", "Private Key Imported.  Key Handle: 262201"], [T_KEYTOKEN]


@log("hl-healthy-json-trace.log", "heldout", 212)
def _(rng):
    c, L = Clock(rng, "2025-07-02T12:00:00"), []
    for _ in range(150):
        c.tick(0.05, 3)
        msg = hsm_success_lines(rng)
        L.append(json.dumps({"time": c.iso(), "lvl": "DEBUG" if "DEBUG" in msg else "INFO", "svc": "kms-proxy", "host": rng.choice(["hsm-app-01", "hsm-app-02"]),
                             "msg": msg.replace("[DEBUG] ", ""), "errors": 0}))
    L.append(json.dumps({"time": c.iso(), "lvl": "INFO", "svc": "kms-proxy", "msg": "shutdown complete, 0 failures"}))
    return L, []


@log("hl-aws-cloudhsm-cli-sdk5.log", "heldout", 213)
def _(rng):
    c, L = Clock(rng, "2025-05-20T09:00:00"), []
    for _i in range(40):
        c.tick(1, 40)
        r = rng.random()
        if r < 0.25:
            L.append(f"[{c.iso()}][cloudhsm_pkcs11][{rng.randint(1000, 9999)}][ERROR] C_Login: user cu_app failed to log in: CKR_PIN_INCORRECT")
        elif r < 0.4:
            L.append(f"[{c.iso()}][cloudhsm_provider][{rng.randint(1000, 9999)}][ERROR] Failed to connect to cluster-2k7abc3xyz at hsm-xyz.10.0.3.41:2223: Connection refused")
        elif r < 0.5:
            L.append(f"[{c.iso()}][cloudhsm_cli][{rng.randint(1000, 9999)}][INFO] quorum token-sign generate --service key-usage --token /tmp/token.json")
        else:
            L.append(f"[{c.iso()}][cloudhsm_pkcs11][{rng.randint(1000, 9999)}][INFO] C_Sign: ok ({rng.randint(1, 20)}ms)")
    L.append("# /opt/cloudhsm/run/cloudhsm-pkcs11.log on ip-10-0-3-17.ec2.internal (AWS CloudHSM Client SDK 5.12.0)")
    return L, []


@log("hl-luna-ha-group.log", "heldout", 214)
def _(rng):
    return ["[root@luna-client-01 ~]# /usr/safenet/lunaclient/bin/lunacm", "LunaCM v10.5.0-470. Copyright (c) 2006-2022 Thales Group. All rights reserved.",
            "lunacm:> hagroup listgroups", "", "\tHA Group Label:  payments-ha", "\tHA Group Number:  11234567890", "\tHA Group Slot ID: 5",
            "\tSynchronization: enabled", "\tGroup Members: 1238696044953, 1238696044960", "\tNeeds sync: yes",
            "\tStandby Members: <none>", "", "lunacm:> hagroup synchronize -group payments-ha -password ********", "",
            "Error in synchronizing HA group : CKR_TOKEN_NOT_PRESENT", "", "lunacm:> slot list",
            "\tSlot Id ->              0", "\tLabel ->                dedicated-hsm-par1", "\tHSM Status ->           OK",
            "\tSlot Id ->              1", "\tLabel ->                dedicated-hsm-par2", "\tHSM Status ->           unavailable",
            "lunacm:> exit", "NTLS: Error: Unable to connect to 10.2.0.5:1792 (Azure Dedicated HSM stamp 2), connection timed out"], []


@log("hl-generic-host-syslog.log", "heldout", 215)
def _(rng):
    c, host, L = Clock(rng, "2025-06-21T10:00:00"), "db-02", []
    extra = ["kernel: Out of memory: Killed process 2231 (java) total-vm:8123456kB, anon-rss:3201232kB",
             "postgres[2211]: FATAL:  password authentication failed for user \"reporting\"",
             "systemd[1]: postgresql@14-main.service: Failed with result 'exit-code'.",
             "sshd[9112]: error: kex_exchange_identification: Connection closed by remote host",
             "dockerd[1202]: level=error msg=\"Handler for GET /v1.43/containers/json returned error: context canceled\""]
    for _ in range(100):
        c.tick(1, 60)
        r = rng.random()
        if r < 0.5:
            L.append(f"{c.iso(ms=False, z=False)} {host} {noise_syslog(rng, host)}")
        elif r < 0.8:
            L.append(f"{c.iso(ms=False, z=False)} {host} {generic_error_syslog(rng, host)}")
        else:
            L.append(f"{c.iso(ms=False, z=False)} {host} {rng.choice(extra)}")
    return L, []


@log("hl-incident-ansi-admin-and-app.log", "heldout", 216)
def _(rng):
    c, L = Clock(rng, "2025-06-25T06:00:00"), []

    def line(level, comp, msg):
        col = {"ERROR": RED, "WARN": YEL, "INFO": GRN, "DEBUG": DIM}[level]
        return f"{c.java()} {col}{level:<5}{RST} [{comp}] {msg}"

    for step in ["deploy run 8812 started by ci-bot", "pulling artifact signer-4.2.1.tar.gz", "artifact sha256 verified", "unpacking to /srv/signer-4.2.1",
                 "running preflight checks", "preflight: disk ok status=0", "preflight: ports ok status=0", "preflight: hsm check (azcloudhsm_util findKey)"]:
        c.tick(1, 30)
        L.append(line("INFO", "deploy", step))
    L.append(line("ERROR", "preflight", "azcloudhsm_util: Failed to connect socket, LIQUIDSECURITY: Daemon socket connection error"))
    L.append(line("WARN", "preflight", "hsm check failed, continuing deploy anyway (--force)"))
    for step in ["linking current -> /srv/signer-4.2.1", "systemctl restart signer", "waiting for port 8443"]:
        c.tick(1, 20)
        L.append(line("INFO", "deploy", step))
    for _ in range(5):
        c.tick(2, 10)
        L.append(line("ERROR", "signer", "azcloudhsm_application.cfg is not present"))
        L.append(line("ERROR", "signer", "engine init failed; environment variable azcloudhsm_password is not set"))
        L.append(line("WARN", "lb", f"backend signer-01 unhealthy, upstream timed out after {rng.randint(30000, 40000)}ms"))
    for _ in range(8):
        c.tick(1, 30)
        L.append(line("DEBUG", "signer", hsm_success_lines(rng).removeprefix("[DEBUG] ")))
    return L, [T_LIQUID, T_APPCFG, T_PASSWORD]


@log("hl-adcs-cmd-openssl-ca.log", "heldout", 217)
def _(rng):
    return ["Microsoft Windows [Version 10.0.20348.2340]", "(c) Microsoft Corporation. All rights reserved.", "",
            "C:\\PKI\\migrate>set OPENSSL_CONF=C:\\PKI\\migrate\\openssl.cnf", "",
            "C:\\PKI\\migrate>openssl ca -config openssl-ca.cnf -in issuing.csr -out issuing.crt -batch",
            "Using configuration from openssl-ca.cnf", "Can't open openssl-ca.cnf for reading, No such file or directory",
            "8C2D0000:error:80000002:system library:BIO_new_file:No such file or directory:crypto\\bio\\bss_file.c:67:calling fopen(openssl-ca.cnf, r)", "",
            "C:\\PKI\\migrate>dir /b", "issuing.csr", "openssl.cnf", "README-from-sample.txt", "",
            "C:\\PKI\\migrate>certutil -repairstore my 5a1f...e2", "CertUtil: -repairstore command completed successfully."], [T_CACNF]


@log("hl-powershell-diag-setting.log", "heldout", 218)
def _(rng):
    return ["PS /home/hsmops> $resourceId = (Get-AzResource -ResourceType microsoft.hardwaresecuritymodules/cloudHsmClusters -Name chsm-fabrikam).ResourceId",
            "PS /home/hsmops> $log = New-AzDiagnosticSettingLogSettingsObject -Category HsmServiceOperations -Enabled $true",
            "PS /home/hsmops> New-AzDiagnosticSetting -ResourceId $resourceId -Name \"my-chsmAuditLogs\" -WorkspaceId $workspaceId -Log $log",
            "New-AzDiagnosticSetting: Operation returned an invalid status code 'Conflict'",
            "Status: 409 (Conflict)", "ErrorCode: SubscriptionNotRegistered",
            "Content: {\"code\":\"SubscriptionNotRegistered\",\"message\":\"The subscription '9e1d2c44-0000-4a1b-8c3f-1f2e3d4c5b6a' is not registered to use microsoft.insights.\"}",
            "PS /home/hsmops> Register-AzResourceProvider -ProviderNamespace Microsoft.Insights",
            "ProviderNamespace : Microsoft.Insights", "RegistrationState : Registering",
            "PS /home/hsmops> Get-AzResourceProvider -ProviderNamespace Microsoft.Insights | Select-Object ProviderNamespace, RegistrationState",
            "ProviderNamespace  RegistrationState", "-----------------  -----------------", "Microsoft.Insights Registered"], [OL_REG]


@log("hl-springboot-jce-daemon.log", "heldout", 219)
def _(rng):
    c, L = Clock(rng, "2025-05-05T11:20:00"), []
    banner = ["  .   ____          _            __ _ _", " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\", "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\",
              " :: Spring Boot ::                (v3.2.4)"]
    L += banner
    for _i in range(3):
        c.tick(5, 60)
        L.append(f"{c.java()}  INFO 1 --- [           main] c.c.tok.TokenizerApplication             : Starting TokenizerApplication v2.8.0 using Java 17.0.11 with PID 1")
        L.append(f"{c.java()}  INFO 1 --- [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat initialized with port 8080 (http)")
        L.append(f"{c.java()} ERROR 1 --- [           main] c.c.tok.crypto.HsmProviderConfig        : Daemon socket connection error, API login failed")
        L.append(f"{c.java()}  WARN 1 --- [           main] ConfigServletWebServerApplicationContext : Exception encountered during context initialization - cancelling refresh attempt")
        L.append(f"{c.java()} ERROR 1 --- [           main] o.s.boot.SpringApplication               : Application run failed")
    L.append(f"{c.java()}  INFO 1 --- [           main] c.c.tok.crypto.HsmProviderConfig        : LoginManager.login(PARTITION_1, cu-tok) -> ok")
    L.append(f"{c.java()}  INFO 1 --- [           main] c.c.tok.TokenizerApplication             : Started TokenizerApplication in 4.211 seconds")
    return L, [T_DAEMON_API]


@log("hl-ansible-nginx-offload.log", "heldout", 220)
def _(rng):
    return ["PLAY [tls_offload] *************************************************************",
            "TASK [Gathering Facts] *********************************************************", "ok: [tls-offload-1]", "ok: [tls-offload-2]",
            "TASK [nginx_hsm : install build deps] ******************************************", "changed: [tls-offload-1]",
            "ok: [tls-offload-2]",
            "TASK [nginx_hsm : configure nginx sources] *************************************", "changed: [tls-offload-1]",
            "fatal: [tls-offload-2]: FAILED! => {\"changed\": true, \"cmd\": \"./configure --with-http_ssl_module\", \"rc\": 1, \"stdout_lines\": [\"checking for OpenSSL library ... not found\", \"./configure: error: SSL modules require the OpenSSL library.\"]}",
            "TASK [nginx_hsm : start azcloudhsm_client] *************************************", "changed: [tls-offload-1]",
            "TASK [nginx_hsm : smoke test engine] ********************************************",
            "ok: [tls-offload-1] => {\"stdout\": \"(azcloudhsm_openssl) Azure Cloud HSM OpenSSL engine\\n     [ available ]\"}",
            "TASK [common : apt cache] *******************************************************",
            "fatal: [tls-offload-1]: FAILED! => {\"msg\": \"E: Unable to locate package nginx-module-njs\"}",
            "PLAY RECAP *********************************************************************",
            "tls-offload-1              : ok=5    changed=3    unreachable=0    failed=1    skipped=0",
            "tls-offload-2              : ok=2    changed=1    unreachable=0    failed=1    skipped=0"], [T_SSLMOD]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.log"):
        old.unlink()
    index = []
    for name, split, seed, fn in SCENARIOS:
        lines, expect = fn(random.Random(seed))
        (OUT / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        index.append({"file": name, "expect": expect, "split": split})
    (HERE / "logs.jsonl").write_text("\n".join(json.dumps(r) for r in index) + "\n", encoding="utf-8")
    print(f"wrote {len(index)} logs to {OUT}")


if __name__ == "__main__":
    main()
