"""Training cases: the ones the patterns were tuned on.

Hand-written pastes first, then a deterministic grid of key names x
separators (the casings and separators people actually use). All secrets
are synthetic; the generator is seeded so the set never changes.
"""

import base64
import random
import string

_rng = random.Random(20261127)
_ALNUM = string.ascii_letters + string.digits


def _tok(n: int, alphabet: str = _ALNUM) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _pw() -> str:
    # Human-ish passwords: letters, digits and the punctuation people use.
    return _tok(3, string.ascii_uppercase) + _tok(_rng.randint(5, 9)) + _rng.choice("!#%*_-.@^") + _tok(3, string.digits)


HAND = [
    # --- aws ---
    dict(family="aws", text="[default]\naws_access_key_id=AKIAUJZDEGXDNCF32EPF\naws_secret_access_key=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",
         secrets=["AKIAUJZDEGXDNCF32EPF", "99NksnRH9ucAUsdMlHUvTCQCyEZDz/TddJ8HyS5S"], keep=["[default]"]),
    dict(family="aws", text="export AWS_ACCESS_KEY_ID=ASIAK4ZRI3R2WYOJFLJO\nexport AWS_SECRET_ACCESS_KEY=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\n"
         "export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEPr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDx7yq1u0Zc8Gm0fFt3r2v9Jm7wqXnq0kqLzOq1xKz5YgIgR9oW",
         secrets=["ASIAK4ZRI3R2WYOJFLJO", "UkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt7s8Stqcbn", "IQoJb3JpZ2luX2VjEPr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDx7yq1u0Zc8Gm0fFt3r2v9Jm7wqXnq0kqLzOq1xKz5YgIgR9oW"], keep=[]),
    dict(family="aws", text="client = boto3.client('kms', aws_access_key_id=\"AKIA3DHODZDOCIS2JHTL\", aws_secret_access_key=\"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\", aws_session_token=\"FwoGZXIvYXdzEJr//////////wEaDBh3mK9sQzT5vXwYpCKsAR\")",
         secrets=["AKIA3DHODZDOCIS2JHTL", "i4PzJ59FHz5r1pY4OjE2jBMptUsGr7CmY+uCu3ZR", "FwoGZXIvYXdzEJr//////////wEaDBh3mK9sQzT5vXwYpCKsAR"], keep=["boto3.client('kms'"]),
    dict(family="aws", text='{"AccessKeyId": "ASIAZZG6ZDMEN4KHVDGA", "SecretAccessKey": "YNBDRzrZSgqbjG3uhkWKFLf6xuI5aHUQPFeNBTxa", "SessionToken": "IQoJb3JpZ2luX2VjEBQaCWV1LXdlc3QtMSJIMEYCIQCz2k", "Expiration": "2026-11-27T12:00:00Z"}',
         secrets=["ASIAZZG6ZDMEN4KHVDGA", "YNBDRzrZSgqbjG3uhkWKFLf6xuI5aHUQPFeNBTxa", "IQoJb3JpZ2luX2VjEBQaCWV1LXdlc3QtMSJIMEYCIQCz2k"], keep=["Expiration"]),
    dict(family="aws", text="An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation; key AKIAEUVW75EFR6EDT4SY",
         secrets=["AKIAEUVW75EFR6EDT4SY"], keep=["InvalidClientTokenId", "GetCallerIdentity"]),

    # --- keyword assignments named in the tester's report ---
    dict(family="keyword", text="DB_PASSWORD=75*yx*8xm5Msl.fY", secrets=["75*yx*8xm5Msl.fY"], keep=[]),
    dict(family="keyword", text="MSSQL_SA_PASSWORD=ub-iheyEd7P4z_DL docker run mssql -> Login failed for user 'sa'", secrets=["ub-iheyEd7P4z_DL"], keep=["Login failed for user 'sa'"]),
    dict(family="keyword", text="AZURE_CLIENT_SECRET=ak6J0kGOD*KdinZn az login fails", secrets=["ak6J0kGOD*KdinZn"], keep=["az login fails"]),
    dict(family="keyword", text="terraform.tfvars: admin_password = \"XicaBAg8WY1jz\"", secrets=["XicaBAg8WY1jz"], keep=["terraform.tfvars"]),
    dict(family="keyword", text="  postgresPassword: RlNQb0prFmbh7", secrets=["RlNQb0prFmbh7"], keep=[]),
    dict(family="keyword", text='{"TenantId": "f641a5b7-4d69-4077-b149-3b644540aac5", "ClientSecret": "wy5*yq1XoY1BaIMc"}', secrets=["wy5*yq1XoY1BaIMc"], keep=["f641a5b7-4d69-4077-b149-3b644540aac5"]),
    dict(family="keyword", text="PGPASSWORD=xYmfsB4HbQLX psql -h db -U app\npsql: error: FATAL:  password authentication failed for user \"app\"", secrets=["xYmfsB4HbQLX"], keep=["password authentication failed for user \"app\""]),
    dict(family="keyword", text="-Djavax.net.ssl.keyStorePassword=jlAFbVV6q9 -Djavax.net.ssl.keyStore=/etc/hsm/ks.jks", secrets=["jlAFbVV6q9"], keep=["/etc/hsm/ks.jks"]),
    dict(family="keyword", text="slack:\n  signing_secret: XxtNDFyuzX9\n  bot_user: hsmbot", secrets=["XxtNDFyuzX9"], keep=["hsmbot"]),
    dict(family="keyword", text='{"password": "1gnne*GEYG", "user": "cu1"}', secrets=["1gnne*GEYG"], keep=["cu1"]),
    dict(family="keyword", text='"ApiKey": "!L_wiqD9jJBAciI",', secrets=["!L_wiqD9jJBAciI"], keep=[]),
    dict(family="keyword", text="my password is 5FhfwKV-qlUr5Q_ and login fails", secrets=["5FhfwKV-qlUr5Q_"], keep=["login fails"]),
    dict(family="keyword", text="client_secret: ec8TNecj9iN", secrets=["ec8TNecj9iN"], keep=[]),
    dict(family="keyword", text="./deploy.sh --password rjj5@VfqRTk8j1 --verbose", secrets=["rjj5@VfqRTk8j1"], keep=["--verbose"]),
    dict(family="keyword", text="./tool --password=Tr0ub4dor", secrets=["Tr0ub4dor"], keep=[]),
    dict(family="keyword", text="sql_pwd := \"#bWWbjklo\"", secrets=["#bWWbjklo"], keep=[]),

    # --- command line ---
    dict(family="cli", text="mysql -uroot -p1QX647@k_*dNl -e 'select 1'", secrets=["1QX647@k_*dNl"], keep=["select 1"]),
    dict(family="cli", text="mysql --user=root --password=cDo#!GbVMsz_vR4# hsm", secrets=["cDo#!GbVMsz_vR4#"], keep=[]),
    dict(family="cli", text="sshpass -p PZGz3zBXCOAr ssh admin@hsm-jump", secrets=["PZGz3zBXCOAr"], keep=["admin@hsm-jump"]),
    dict(family="cli", text="curl -u admin:#SfiJvo58JB https://hsm-proxy/api", secrets=["#SfiJvo58JB"], keep=["admin", "https://hsm-proxy/api"]),
    dict(family="cli", text="curl --user 'svc:W_#O5PjeJfJTNcr' -X POST https://x/api", secrets=["W_#O5PjeJfJTNcr"], keep=["svc"]),
    dict(family="cli", text="Authorization: Basic c3ZjLWRlcGxveTpWWFd5YlFUS2p0YXlUZg==", secrets=["c3ZjLWRlcGxveTpWWFd5YlFUS2p0YXlUZg=="], keep=[]),
    dict(family="cli", text="machine github.com login octo password 6ydIEsgo5n.Vjzz", secrets=["6ydIEsgo5n.Vjzz"], keep=["octo", "github.com"]),
    dict(family="cli", text="keytool -list -keystore ks.jks -storepass Gwb8.ewCIS@_%uYC -keypass 0Xq56zaW%R", secrets=["Gwb8.ewCIS@_%uYC", "0Xq56zaW%R"], keep=["ks.jks"]),
    dict(family="cli", text="certutil -p PAmpBFXlN.PHcS%k -importpfx my.pfx", secrets=["PAmpBFXlN.PHcS%k"], keep=["my.pfx"]),
    dict(family="cli", text="signtool sign /f cert.pfx /p 4R1J!dBi2 file.exe", secrets=["4R1J!dBi2"], keep=["file.exe"]),
    dict(family="cli", text='$sec = ConvertTo-SecureString "w.Qr8t__4" -AsPlainText -Force', secrets=["w.Qr8t__4"], keep=["-AsPlainText -Force"]),
    dict(family="cli", text="net use \\\\server\\share lC4-Lv_*GNWAMs@- /user:DOMAIN\\svc", secrets=["lC4-Lv_*GNWAMs@-"], keep=["DOMAIN\\svc"]),
    dict(family="cli", text="ldapsearch -D cn=admin -w '#z0.o%aWd.f_Z' -b dc=x", secrets=["#z0.o%aWd.f_Z"], keep=["cn=admin"]),
    dict(family="cli", text="smbclient -U backup%!lvi.60ZIF //nas/share", secrets=["!lvi.60ZIF"], keep=["//nas/share"]),
    dict(family="cli", text="orapki wallet add -wallet ./w -pwd #qR38-Ony1dHqcey -trusted_cert -cert ca.pem", secrets=["#qR38-Ony1dHqcey"], keep=["ca.pem"]),
    dict(family="cli", text="openssl pkcs12 -in a.pfx -passin pass:DbKPTF#n#p* -nodes", secrets=["DbKPTF#n#p*"], keep=["-nodes"]),
    dict(family="cli", text="docker login -u ci -p z-3cW0-u.A.B- registry.contoso.com", secrets=["z-3cW0-u.A.B-"], keep=["registry.contoso.com"]),
    dict(family="cli", text="az login --service-principal --username 8f295efa-5e30-4dca-894d-34c20edcc4d0 --password @rDSxOOyBymr --tenant contoso.onmicrosoft.com",
         secrets=["@rDSxOOyBymr"], keep=["8f295efa-5e30-4dca-894d-34c20edcc4d0"]),
    dict(family="cli", text="sqlcmd -S tcp:sql01 -U sa -P qlHXm31@qzZc -Q \"select @@version\"", secrets=["qlHXm31@qzZc"], keep=["select @@version"]),
    dict(family="cli", text="Invoke-Sqlcmd -ServerInstance sql01 -Username sa -Password 'zTUo%R%yj9' -Query 'select 1'", secrets=["zTUo%R%yj9"], keep=["sql01"]),
    dict(family="cli", text="psql \"postgresql://app:de*9syxoAw@db:5432/hsm?sslmode=require\"", secrets=["de*9syxoAw"], keep=["sslmode=require"]),

    # --- sql ---
    dict(family="sql", text="CREATE USER hsm IDENTIFIED BY \"Kmhr7jmPY72\";", secrets=["Kmhr7jmPY72"], keep=["CREATE USER hsm"]),
    dict(family="sql", text="ALTER USER system IDENTIFIED BY 3AVbfzx06UVZyv;\nORA-01031: insufficient privileges", secrets=["3AVbfzx06UVZyv"], keep=["ORA-01031"]),
    dict(family="sql", text="ADMINISTER KEY MANAGEMENT SET KEY IDENTIFIED BY \"*bPkZy%RHJ\" MIGRATE USING \"uZrQ.V3xZA\" WITH BACKUP;", secrets=["*bPkZy%RHJ", "uZrQ.V3xZA"], keep=["WITH BACKUP"]),
    dict(family="sql", text="ALTER LOGIN sa WITH PASSWORD = 'jRM8mbTgDIM';", secrets=["jRM8mbTgDIM"], keep=["ALTER LOGIN sa"]),
    dict(family="sql", text="CREATE ROLE app LOGIN PASSWORD 'BZx.jX*#BpYcon';", secrets=["BZx.jX*#BpYcon"], keep=["CREATE ROLE app"]),
    dict(family="sql", text="GRANT ALL ON *.* TO 'app'@'%' IDENTIFIED BY 'G4Z%gzWbmHGJ' WITH GRANT OPTION;", secrets=["G4Z%gzWbmHGJ"], keep=["WITH GRANT OPTION"]),

    # --- azure ---
    dict(family="azure", text='[{"keyName": "key1", "permissions": "FULL", "value": "GtdmWs9zgaqKKoijp7Go1LjjmNFy85XLBR7x0IMkzWmdddV3sfIC/7AEWkv4A4jC30VbjNWtTKZY4gogSwikxw=="}]',
         secrets=["GtdmWs9zgaqKKoijp7Go1LjjmNFy85XLBR7x0IMkzWmdddV3sfIC/7AEWkv4A4jC30VbjNWtTKZY4gogSwikxw=="], keep=["key1", "FULL"]),
    dict(family="azure", text="az storage container list --account-name st1 --account-key JEdw1WW0KngcpdBazJSZyDx8xdlvB/86U+51RPl4RrSWREtgR9L8r/KY6EC4v577qi4VbZQOx60feJYv4hpIew==",
         secrets=["JEdw1WW0KngcpdBazJSZyDx8xdlvB/86U+51RPl4RrSWREtgR9L8r/KY6EC4v577qi4VbZQOx60feJYv4hpIew=="], keep=["st1"]),
    dict(family="azure", text="https://fn.azurewebsites.net/api/HttpTrigger?code=yC5HcK6h1auIevfhLXHyHSmpGI408VAecOa1Q5oVRmsI8fI7mM250w==&name=x",
         secrets=["yC5HcK6h1auIevfhLXHyHSmpGI408VAecOa1Q5oVRmsI8fI7mM250w=="], keep=["name=x"]),
    dict(family="azure", text="DefaultEndpointsProtocol=https;AccountName=st;AccountKey=AbC+dEf/GhI==;EndpointSuffix=core.windows.net", secrets=["AbC+dEf/GhI=="], keep=["AccountName=st"]),
    dict(family="azure", text="https://st.blob.core.windows.net/c?sv=2022&sig=AbCdEf%2B123", secrets=["AbCdEf%2B123"], keep=["sv=2022"]),
    dict(family="azure", text="Ocp-Apim-Subscription-Key: 10e971d94896c9023bf0a85b50d45502", secrets=["10e971d94896c9023bf0a85b50d45502"], keep=[]),
    dict(family="azure", text="client secret 0ss5Q~~ZQ.I.SA~pQyOMqlfZZgZMnafy8h.WskBf expired", secrets=["0ss5Q~~ZQ.I.SA~pQyOMqlfZZgZMnafy8h.WskBf"], keep=["expired"]),
    dict(family="azure", text="x-functions-key: yC5HcK6h1auIevfhLXHyHSmpGI408VAecOa1Q5oVRmsI8fI7mZZZZw==", secrets=["yC5HcK6h1auIevfhLXHyHSmpGI408VAecOa1Q5oVRmsI8fI7mZZZZw=="], keep=[]),
    dict(family="azure", text="Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=rt+GMssIlX7y3Fqxv8WNNnE24odNHSAU1PDtvQYB29Y=",
         secrets=["rt+GMssIlX7y3Fqxv8WNNnE24odNHSAU1PDtvQYB29Y="], keep=["SharedAccessKeyName=send"]),

    # --- vendors ---
    dict(family="github", text="https://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@github.com/o/r.git",
         secrets=["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"], keep=["github.com/o/r.git"]),
    dict(family="github", text="token ghp_afrfwA94hJ9WnywX0t0ZBfdTEmxI6CmuxV5E is not working", secrets=["ghp_afrfwA94hJ9WnywX0t0ZBfdTEmxI6CmuxV5E"], keep=["is not working"]),
    dict(family="github", text="git remote set-url origin https://ghp_Vt0SXjMpu3uDxYYMfGmzWkpAePcEJIukB4ge@github.com/c/hsm.git", secrets=["ghp_Vt0SXjMpu3uDxYYMfGmzWkpAePcEJIukB4ge"], keep=["github.com/c/hsm.git"]),
    dict(family="github", text="GITHUB_TOKEN: gho_qNfngAFTCloiADN5RpVI2XQWhX1ssrKrxqVq", secrets=["gho_qNfngAFTCloiADN5RpVI2XQWhX1ssrKrxqVq"], keep=[]),
    dict(family="gitlab", text="gitlab-runner register --token glrt-GYVHWVsUQk4DwgLGNOae", secrets=["glrt-GYVHWVsUQk4DwgLGNOae"], keep=[]),
    dict(family="gitlab", text="https://oauth2:glpat-6w8ZniqT3Ul4ffqkOkgW@gitlab.com/g/p.git", secrets=["glpat-6w8ZniqT3Ul4ffqkOkgW"], keep=["gitlab.com/g/p.git"]),
    dict(family="gitlab", text="CI token glpat-AHEOVezxZuJPWvHogU5n expired", secrets=["glpat-AHEOVezxZuJPWvHogU5n"], keep=["expired"]),
    dict(family="slack", text="webhook https://hooks.slack.com/services/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 returns 404", secrets=["Q8mjAmHMPGPPA0NlGtetOd4U"], keep=["returns 404"]),
    dict(family="slack", text="token xoxb-123456789012-abcdefghijklmn", secrets=["xoxb-123456789012-abcdefghijklmn"], keep=[]),
    dict(family="slack", text="app token xapp-1-A0B1C2D3E4-123456", secrets=["xapp-1-A0B1C2D3E4-123456"], keep=[]),
    dict(family="slack", text="xoxp-227978689991-278863435168-983172865534-91b4fc09ea69d7ab8b6a29b52cee1490", secrets=["xoxp-227978689991-278863435168-983172865534-91b4fc09ea69d7ab8b6a29b52cee1490"], keep=[]),
    dict(family="npm", text="//registry.npmjs.org/:_authToken=npm_OcSeVce2LWxm090I5Qe43W6T8ygpnnhcc826", secrets=["npm_OcSeVce2LWxm090I5Qe43W6T8ygpnnhcc826"], keep=[]),
    dict(family="npm", text="NPM_TOKEN npm_GE2sNVbYAbBHXgwETdIKnT30fK0skBaHmsWW failed E401", secrets=["npm_GE2sNVbYAbBHXgwETdIKnT30fK0skBaHmsWW"], keep=["E401"]),
    dict(family="npm", text="//npm.pkg.github.com/:_authToken=ghp_3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e", secrets=["ghp_3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e"], keep=[]),
    dict(family="stripe", text="Stripe.api_key = 'sk_live_SJYgOuwgz7z54VfB4PbxntqB'", secrets=["sk_live_SJYgOuwgz7z54VfB4PbxntqB"], keep=[]),
    dict(family="stripe", text="using sk_test_rtWT01NjUjpUuMHwkpu9mq9U for the sandbox", secrets=["sk_test_rtWT01NjUjpUuMHwkpu9mq9U"], keep=["for the sandbox"]),
    dict(family="gcp", text='"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw\\n-----END PRIVATE KEY-----\\n",',
         secrets=["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw"], keep=[]),
    dict(family="gcp", text="GOOGLE_API_KEY=AIzanvnzXtsMM3JznnJAX7ebZ3CL7csGZaF31DD", secrets=["AIzanvnzXtsMM3JznnJAX7ebZ3CL7csGZaF31DD"], keep=[]),
    dict(family="gcp", text="key AIzaR06AxYpThGJWZhbj11THnCMZCY7Bvqiy8Cs is restricted", secrets=["AIzaR06AxYpThGJWZhbj11THnCMZCY7Bvqiy8Cs"], keep=["is restricted"]),

    # --- http ---
    dict(family="http", text="Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abcdefgh", secrets=["eyJhbGciOiJIUzI1NiJ9abcdefgh"], keep=[]),
    dict(family="http", text="x-api-key: 2868099ba0ef19b66adbf649dee43221abc", secrets=["2868099ba0ef19b66adbf649dee43221abc"], keep=[]),
    dict(family="http", text="-H 'Authorization: Basic YWRtaW46c2VjcmV0cGFzcw=='", secrets=["YWRtaW46c2VjcmV0cGFzcw=="], keep=[]),
    dict(family="http", text="Proxy-Authorization: Basic c3ZjLWRlcGxveTpaR1d0bWVUdGZvc2kwVA==", secrets=["c3ZjLWRlcGxveTpaR1d0bWVUdGZvc2kwVA=="], keep=[]),

    # --- jwt / url ---
    dict(family="jwt", text="token=eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiczFqWjQzS2oiLCAiYXVkIjogImFwaTovL2Noc20iLCAiZXhwIjogMTc5MDAwMDAwMH0.f_IaRobesflXGefZPTkZzCK1mc7mxT-M8nxErz5u7MYzeevpfWz-f95fy1ilwNiIprnGFQI1PIpTmr2Nu2QZfA",
         secrets=["f_IaRobesflXGefZPTkZzCK1mc7mxT-M8nxErz5u7MYzeevpfWz-f95fy1ilwNiIprnGFQI1PIpTmr2Nu2QZfA"], keep=[]),
    dict(family="url", text="postgres://admin:dbpass9@db.internal:5432/app", secrets=["dbpass9"], keep=["admin", "db.internal:5432"]),
    dict(family="url", text="rediss://:H4+wWG487siNgRUn6e9iNW5Dcud3NglnjSurynZq1og=@cache:6380", secrets=["H4+wWG487siNgRUn6e9iNW5Dcud3NglnjSurynZq1og="], keep=["cache:6380"]),
    dict(family="url", text="redis://default:M#PKsCTPUp@redis:6379/0", secrets=["M#PKsCTPUp"], keep=["redis:6379"]),

    # --- hsm ---
    dict(family="hsm", text="loginHSM CO admin Adm1nPassw0rd", secrets=["Adm1nPassw0rd"], keep=["admin"]),
    dict(family="hsm", text="azcloudhsm_util singlecmd loginHSM -u CU -p S3cretPw -s cu1 genRSAKeyPair -m 2048", secrets=["S3cretPw"], keep=["cu1", "genRSAKeyPair -m 2048"]),
    dict(family="hsm", text="loginHSM -u CU -s cu1 -p Sw1tched0rder", secrets=["Sw1tched0rder"], keep=["cu1"]),
    dict(family="hsm", text="createUser CU cu1 N3wUserPw", secrets=["N3wUserPw"], keep=["cu1"]),
    dict(family="hsm", text="changePswd CU cu1 Rotated99", secrets=["Rotated99"], keep=["cu1"]),
    dict(family="hsm", text='export azcloudhsm_password="cu1:Sup3rS3cret"', secrets=["Sup3rS3cret"], keep=["cu1"]),
    dict(family="hsm", text="azcloudhsm_password=cu1:plainpw123", secrets=["plainpw123"], keep=["cu1"]),
    dict(family="hsm", text="pkcs11-tool --login --pin cu1:hunter22 --keygen", secrets=["hunter22"], keep=["cu1", "--keygen"]),
    dict(family="hsm", text='char pPin[256] = "crypto_user:pinpw777";', secrets=["pinpw777"], keep=["crypto_user"]),
    dict(family="hsm", text="C_Login failed pin=cu1:barepin55", secrets=["barepin55"], keep=["cu1", "C_Login failed"]),
    dict(family="hsm", text='lm.login("PARTITION_1","cu1","javapw42");', secrets=["javapw42"], keep=["PARTITION_1"]),
    dict(family="hsm", text="my pin is cu1:4UYXyVX@tw", secrets=["4UYXyVX@tw"], keep=["cu1"]),
    dict(family="hsm", text="CU creds are cu_ops / l6KcC_h@uLc", secrets=["l6KcC_h@uLc"], keep=["cu_ops"]),
    dict(family="hsm", text="tried logging in as cu_ssl with i@N@kQkJnOkdsm2, no luck", secrets=["i@N@kQkJnOkdsm2"], keep=["cu_ssl", "no luck"]),
    dict(family="hsm", text="pkcs11:token=hsm1;object=k1?pin-value=cu1:C!_R6YSRQr#!", secrets=["C!_R6YSRQr#!"], keep=["token=hsm1", "cu1"]),
    dict(family="hsm", text='session.login("cu_py:luEV99TARR")', secrets=["luEV99TARR"], keep=["cu_py"]),
    dict(family="hsm", text="- name: azcloudhsm_password\n  value: \"cu_k8s:rjp5B42HXtVtPLx2\"", secrets=["rjp5B42HXtVtPLx2"], keep=["cu_k8s"]),
    dict(family="hsm", text="azcloudhsm_password=pinonly77", secrets=["pinonly77"], keep=[]),
    dict(family="hsm", text="user cu2 password m7Pk@k3!7MbjNB", secrets=["m7Pk@k3!7MbjNB"], keep=["cu2"]),
    dict(family="hsm", text="loginHSM CU cu3 '4J4-N6OCZ_FkUU'", secrets=["4J4-N6OCZ_FkUU"], keep=["cu3"]),
    # found by the report's tests: a bare user:password with no "pin" near it
    dict(family="hsm", text="login fails for crypto_user:hunter2-S3cret! again", secrets=["hunter2-S3cret!"], keep=["crypto_user"]),
    dict(family="hsm", text="pkcs11 login with cu1:hunter2-S3cret! fails", secrets=["hunter2-S3cret!"], keep=["cu1"]),

    # --- multi-line ---
    dict(family="multiline", text="kind: Secret\ndata:\n  password: " + base64.b64encode(b"cu_k8s:vI3yvzPe9hB0").decode(),
         secrets=[base64.b64encode(b"cu_k8s:vI3yvzPe9hB0").decode()], keep=[]),
    dict(family="multiline", text="apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  DB_PASSWORD: STFZaUpDRDFZWnBreHc=\n  DB_USER: YXBw",
         secrets=["STFZaUpDRDFZWnBreHc="], keep=["YXBw"]),
    dict(family="multiline", text="env:\n- name: MYSQL_ROOT_PASSWORD\n  value: IH2denC@J\n- name: MYSQL_DATABASE\n  value: hsm", secrets=["IH2denC@J"], keep=["MYSQL_DATABASE"]),
    dict(family="multiline", text="db:\n  password:\n    %TJIyJEyF%zfh\n  host: db01", secrets=["%TJIyJEyF%zfh"], keep=["host: db01"]),
    dict(family="multiline", text="password:\n9IKLdbFfu0XgO", secrets=["9IKLdbFfu0XgO"], keep=[]),
    dict(family="pem", text="-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\n-----END PRIVATE KEY-----", secrets=["MIIEvQIBADANBgkq"], keep=[]),
    dict(family="pem", text="-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBtruncated", secrets=["MHcCAQEEIBtruncated"], keep=[]),
    dict(family="pem", text="-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\nerror: bad decrypt",
         secrets=["MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI"], keep=["error: bad decrypt"]),

    # --- entropy ---
    dict(family="entropy", text="signing key: b023be94ef41b799b0afa54e7cc77ec6", secrets=["b023be94ef41b799b0afa54e7cc77ec6"], keep=[]),
    dict(family="entropy", text="the api secret was 16pAgT-tpZk3Qx9vR2mW7yL, is it leaked?", secrets=["16pAgT-tpZk3Qx9vR2mW7yL"], keep=["is it leaked?"]),
]

# Key names in every casing and separator the tester found leaking.
_KEYS = [
    "password", "PASSWORD", "Password", "passwd", "pwd", "pass", "db_password", "DB_PASSWORD", "MYSQL_ROOT_PASSWORD",
    "admin_password", "adminPassword", "postgresPassword", "keyStorePassword", "truststore.password", "PGPASSWORD",
    "secret", "client_secret", "clientSecret", "ClientSecret", "AZURE_CLIENT_SECRET", "signing_secret", "SECRET_KEY",
    "api_key", "apiKey", "ApiKey", "API-KEY", "x_api_key", "access_token", "accessToken", "auth_token", "_authToken",
    "token", "GH_TOKEN", "refresh_token", "private_key_passphrase", "encryption_key", "hsm_pin", "HSM_PIN", "userPin",
]
_FORMS = [
    "{k}={v}",
    "{k} = {v}",
    "{k}: {v}",
    '{k}: "{v}"',
    "'{k}': '{v}'",
    '"{k}": "{v}"',
    '"{k}":"{v}"',
    "{k} => '{v}'",
    "set {k}={v}",
    "export {k}=\"{v}\"",
    "$env:{k} = '{v}'",
    "<{k}>{v}</{k}>",
    "{k} is {v}",
]
_CONTEXT = [
    "{a}",
    "ERROR startup failed ({a})",
    "2026-11-27T10:00:01Z app[12]: config loaded: {a}; then CKR_DEVICE_ERROR",
    "here is my config\n{a}\nand it still fails",
]

GRID = []
for i, key in enumerate(_KEYS):
    for j in range(2):
        form = _FORMS[(i * 2 + j) % len(_FORMS)]
        ctx = _CONTEXT[(i + j) % len(_CONTEXT)]
        value = _pw() if j % 2 else _tok(_rng.randint(14, 32))
        GRID.append(dict(family="keyword", text=ctx.format(a=form.format(k=key, v=value)), secrets=[value], keep=[]))

# Provider formats with a fresh random body each time.
_PROVIDERS = [
    ("aws", lambda: "AKIA" + _tok(16, string.ascii_uppercase + "234567")),
    ("aws", lambda: "ASIA" + _tok(16, string.ascii_uppercase + "234567")),
    ("github", lambda: "ghp_" + _tok(36)),
    ("github", lambda: "ghs_" + _tok(36)),
    ("github", lambda: "github_pat_" + _tok(22) + "_" + _tok(59)),
    ("gitlab", lambda: "glpat-" + _tok(20, _ALNUM + "-_")),
    ("gitlab", lambda: "glrt-" + _tok(20, _ALNUM + "-_")),
    ("npm", lambda: "npm_" + _tok(36)),
    ("stripe", lambda: "sk_live_" + _tok(24)),
    ("stripe", lambda: "rk_live_" + _tok(24)),
    ("gcp", lambda: "AIza" + _tok(35, _ALNUM + "-_")),
    ("slack", lambda: "xoxb-" + _tok(12, string.digits) + "-" + _tok(12, string.digits) + "-" + _tok(24)),
    ("slack", lambda: "xoxp-" + _tok(12, string.digits) + "-" + _tok(12, string.digits) + "-" + _tok(32, "0123456789abcdef")),
    ("azure", lambda: _tok(3) + "8Q~" + _tok(34, _ALNUM + "_~.-")),
]
_WHERE = [
    "{t}",
    "I pasted {t} by mistake",
    "value was '{t}' -> 401",
    'curl -H "X-Token: {t}" https://x',
    "https://example.com/api?token={t}&v=2",
]
for i, (family, make) in enumerate(_PROVIDERS):
    for j in range(2):
        t = make()
        GRID.append(dict(family=family, text=_WHERE[(i + j) % len(_WHERE)].format(t=t), secrets=[t], keep=[]))

LOOKALIKE = [
    dict(family="lookalike", text="loginHSM success on server 0", secrets=[], keep=["success on server 0"]),
    dict(family="lookalike", text="The user name or password is incorrect", secrets=[], keep=["The user name or password is incorrect"]),
    dict(family="lookalike", text="Access denied for user 'app'@'10.0.0.4' (using password: YES)", secrets=[], keep=["(using password: YES)"]),
    dict(family="lookalike", text="pkcs11:token=prod-hsm;object=signing", secrets=[], keep=["token=prod-hsm", "object=signing"]),
    dict(family="lookalike", text="C_Login failed with error code: 0xa3", secrets=[], keep=["0xa3"]),
    dict(family="lookalike", text="mkdir -p /opt/azurecloudhsm", secrets=[], keep=["-p /opt/azurecloudhsm"]),
    dict(family="lookalike", text="ssh -p 22 admin@jumpbox", secrets=[], keep=["-p 22 admin@jumpbox"]),
    dict(family="lookalike", text="environment variable azcloudhsm_password is not set", secrets=[], keep=["azcloudhsm_password is not set"]),
    dict(family="lookalike", text="loginHSM -u CU -s cu1", secrets=[], keep=["-s cu1"]),
    dict(family="lookalike", text="password: <password>", secrets=[], keep=["<password>"]),
    dict(family="lookalike", text="password=****", secrets=[], keep=["****"]),
    dict(family="lookalike", text="DB_PASSWORD=${DB_PASSWORD}", secrets=[], keep=["${DB_PASSWORD}"]),
    dict(family="lookalike", text="export PGPASSWORD=$PASSWORD", secrets=[], keep=["$PASSWORD"]),
    dict(family="lookalike", text="set HSM_PIN=%HSM_PIN%", secrets=[], keep=["%HSM_PIN%"]),
    dict(family="lookalike", text="password=[masked]", secrets=[], keep=[]),
    dict(family="lookalike", text="sha1: 1f5da3d94f1f3ed825f5227dddf23c3830ab0a1f", secrets=[], keep=["1f5da3d94f1f3ed825f5227dddf23c3830ab0a1f"]),
    dict(family="lookalike", text="sha256 b48f9b30979db65102ae230d242e7cfd1a06b9398b97a4baca4b98b95b4ed9c1 OK", secrets=[], keep=["b48f9b30979db65102ae230d242e7cfd1a06b9398b97a4baca4b98b95b4ed9c1"]),
    dict(family="lookalike", text="Thumbprint FE440CFFF4555C37E81C69552DE3FD41DA69D20A not found in store", secrets=[], keep=["FE440CFFF4555C37E81C69552DE3FD41DA69D20A"]),
    dict(family="lookalike", text="operation id 553ff4eb-ef75-4c0e-9b89-7f751710f3b7", secrets=[], keep=["553ff4eb-ef75-4c0e-9b89-7f751710f3b7"]),
    dict(family="lookalike", text="key handle 8 (label: rsa-2048-prod) exported", secrets=[], keep=["key handle 8", "rsa-2048-prod"]),
    dict(family="lookalike", text="findKey -l tls-key returned handles 262150 262151", secrets=[], keep=["262150 262151"]),
    dict(family="lookalike", text="Token is expired", secrets=[], keep=["Token is expired"]),
    dict(family="lookalike", text="token: null", secrets=[], keep=["null"]),
    dict(family="lookalike", text="password: true", secrets=[], keep=["true"]),
    dict(family="lookalike", text="RET_USER_LOGIN_FAILURE: the password for cu1 is wrong", secrets=[], keep=["the password for cu1 is wrong"]),
    dict(family="lookalike", text="Please enter the secret for the partition", secrets=[], keep=["Please enter the secret for the partition"]),
    dict(family="lookalike", text="loginHSM failed on server 1 with RET_USER_LOGIN_FAILURE", secrets=[], keep=["failed on server 1 with RET_USER_LOGIN_FAILURE"]),
    dict(family="lookalike", text="createUser failed: user cu1 already exists", secrets=[], keep=["failed: user cu1 already exists"]),
    dict(family="lookalike", text="changePswd failed: RET_INVALID_INPUT", secrets=[], keep=["failed: RET_INVALID_INPUT"]),
    dict(family="lookalike", text="azcloudhsm_util: Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS", secrets=[], keep=["HSM Return: SUCCESS"]),
    dict(family="lookalike", text="Password validation failed. The password does not meet policy requirements.", secrets=[], keep=["The password does not meet policy requirements."]),
    dict(family="lookalike", text="ORA-01017: invalid username/password; logon denied", secrets=[], keep=["invalid username/password; logon denied"]),
    dict(family="lookalike", text="FATAL: password authentication failed for user \"postgres\"", secrets=[], keep=["password authentication failed for user \"postgres\""]),
    dict(family="lookalike", text="Bearer realm=\"hsm\", error=\"invalid_token\"", secrets=[], keep=["error=\"invalid_token\""]),
    dict(family="lookalike", text="WWW-Authenticate: Basic realm=\"proxy\"", secrets=[], keep=["realm=\"proxy\""]),
    dict(family="lookalike", text="the key 'hsm-signing' was created with exportable=false", secrets=[], keep=["'hsm-signing'", "exportable=false"]),
    dict(family="lookalike", text="getAttribute -o 262150 -a 512 -out attr.txt", secrets=[], keep=["-o 262150 -a 512"]),
    dict(family="lookalike", text="user cu1 logged out of server 0", secrets=[], keep=["user cu1 logged out of server 0"]),
    dict(family="lookalike", text="client.conf: server=10.0.2.4 port=2225", secrets=[], keep=["server=10.0.2.4 port=2225"]),
    dict(family="lookalike", text="Pin policy: minimum length 8, maximum 32", secrets=[], keep=["minimum length 8, maximum 32"]),
    dict(family="lookalike", text="secret rotation scheduled for 2026-12-01", secrets=[], keep=["scheduled for 2026-12-01"]),
    dict(family="lookalike", text="az keyvault secret set --name hsm-pin --vault-name kv1 --file pin.txt", secrets=[], keep=["--name hsm-pin"]),
    dict(family="lookalike", text="ERROR: password file /etc/hsm/pw.txt not found", secrets=[], keep=["/etc/hsm/pw.txt not found"]),
    dict(family="lookalike", text="private key handle 262151 is not extractable", secrets=[], keep=["262151 is not extractable"]),
    dict(family="lookalike", text="-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----", secrets=[], keep=["MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa"]),
    dict(family="lookalike", text="-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----", secrets=[], keep=["MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"]),
    dict(family="lookalike", text="the PIN is stored in azcloudhsm_password as user:password", secrets=[], keep=["as user:password"]),
    dict(family="lookalike", text="token_endpoint: https://login.microsoftonline.com/x/oauth2/v2.0/token", secrets=[], keep=["https://login.microsoftonline.com/x/oauth2/v2.0/token"]),
    dict(family="lookalike", text="passwordless login enabled for cu1", secrets=[], keep=["passwordless login enabled for cu1"]),
    dict(family="lookalike", text="kubectl get secret hsm-creds -o yaml", secrets=[], keep=["hsm-creds -o yaml"]),
    dict(family="lookalike", text="commit 1f5da3d94f1f3ed825f5227dddf23c3830ab0a1f: remove hard-coded password", secrets=[], keep=["1f5da3d94f1f3ed825f5227dddf23c3830ab0a1f"]),
    dict(family="lookalike", text="pwd\n/home/azureuser/hsm", secrets=[], keep=["/home/azureuser/hsm"]),
    dict(family="lookalike", text="pass: 12 fail: 0 skip: 1", secrets=[], keep=["fail: 0 skip: 1"]),
    dict(family="lookalike", text="Successfully logged in as admin@contoso.com", secrets=[], keep=["admin@contoso.com"]),
    dict(family="lookalike", text="Enter PEM pass phrase:\nVerifying - Enter PEM pass phrase:", secrets=[], keep=["Verifying - Enter PEM pass phrase:"]),
    dict(family="lookalike", text="HSM_USER=cu1 HSM_PARTITION=PARTITION_1", secrets=[], keep=["HSM_USER=cu1", "PARTITION_1"]),
    dict(family="lookalike", text="The token 'hsm-part-1' is not present", secrets=[], keep=["'hsm-part-1' is not present"]),
    dict(family="lookalike", text="api_key: ${{ secrets.API_KEY }}", secrets=[], keep=["${{ secrets.API_KEY }}"]),
    dict(family="lookalike", text="password: {{ .Values.db.password }}", secrets=[], keep=["{{ .Values.db.password }}"]),
    dict(family="lookalike", text="AccountKey=<storage-key>", secrets=[], keep=["<storage-key>"]),
    dict(family="lookalike", text="--pin <user:password> is required", secrets=[], keep=["<user:password>"]),
    dict(family="lookalike", text="tokens used: 512 of 4096", secrets=[], keep=["512 of 4096"]),
    dict(family="lookalike", text="user@host:~$ ls -la /opt/azurecloudhsm/bin", secrets=[], keep=["/opt/azurecloudhsm/bin"]),
    dict(family="lookalike", text="email: ops@contoso.com, phone: +1 425 555 0100", secrets=[], keep=["ops@contoso.com"]),
    dict(family="lookalike", text="SecretName: hsm-tls-cert, SecretVersion: 3", secrets=[], keep=["hsm-tls-cert"]),
    dict(family="lookalike", text="PasswordLastSet : 11/27/2026 10:00:00 AM", secrets=[], keep=["11/27/2026 10:00:00 AM"]),
    dict(family="lookalike", text="keyVaultUri: https://kv-hsm.vault.azure.net/", secrets=[], keep=["https://kv-hsm.vault.azure.net/"]),
    dict(family="lookalike", text="Authentication method: password (failed), publickey (succeeded)", secrets=[], keep=["publickey (succeeded)"]),
    dict(family="lookalike", text="connected to hsm1:1792 as co:Running state, admin:8443 open", secrets=[], keep=["hsm1:1792", "co:Running", "admin:8443"]),
    dict(family="lookalike", text="secretRef:\n  name: hsm-secret\n  key: password", secrets=[], keep=["hsm-secret", "key: password"]),
]

CASES = HAND + GRID + LOOKALIKE
