"""Held-out labelled cases. Written before the patterns, never tuned on.

Each case: family, the pasted text, the secrets that must vanish, and the
substrings that must stay visible. All secrets are synthetic.
"""

CASES = [
    # --- aws ---
    dict(family="aws", text="""$ cat ~/.aws/credentials
[prod-hsm]
aws_access_key_id = AKIAGMXGEDN73U55XTPL
aws_secret_access_key = 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
region = eastus""", secrets=["AKIAGMXGEDN73U55XTPL", "r3yBdGBLEPH1qhT61qtc4xatws8phP9nhFyJfm5d"], keep=["[prod-hsm]", "region = eastus"]),
    dict(family="aws", text="""{
    "Credentials": {
        "AccessKeyId": "ASIAOA7LQSAJ2XUID5ZZ",
        "SecretAccessKey": "1zTOlUcR64cXQLioDnkHIfxIq2HZt/PlJhx2jIcl",
        "SessionToken": "gcF+Ha6ili8GjHEAD6/Wj9KfzjsQGMrb9h+ImB+LK777pzNk8cL6j5IXAAjlsHUqJoUD/+Ydua+5ZMs1SWOpQaPRYpzbLGViYXjU2JgJngKtFI3OyV2dZAkg05rK+gqv81RKMGHZEM9Ypvuj",
        "Expiration": "2026-11-27T11:00:00+00:00"
    }
}""", secrets=["ASIAOA7LQSAJ2XUID5ZZ", "1zTOlUcR64cXQLioDnkHIfxIq2HZt/PlJhx2jIcl", "gcF+Ha6ili8GjHEAD6/Wj9KfzjsQGMrb9h+ImB+LK777pzNk8cL6j5IXAAjlsHUqJoUD"], keep=["Expiration", "2026-11-27T11:00:00+00:00"]),
    dict(family="aws", text="s3 = boto3.client('s3', aws_access_key_id='AKIAPFT7V4SEH2KVJ72C', aws_secret_access_key='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')  # copies the HSM backup, fails with AccessDenied",
         secrets=["AKIAPFT7V4SEH2KVJ72C", "HkCiHp6bR1IqfEouHgxzNNAL5wIScGebcy8F5n3/"], keep=["boto3.client", "AccessDenied"]),
    dict(family="aws", text="""- name: sync backups
  env:
    AWS_ACCESS_KEY_ID: ASIAJGXBENYJQWX6HH75
    AWS_SECRET_ACCESS_KEY: QWk8JzFalHlsZfYcMMDktXP/tKsf2rcDkdfrUnW5
  run: aws s3 sync ./hsm-backup s3://bkt/hsm
##[error]Process completed with exit code 1.""", secrets=["ASIAJGXBENYJQWX6HH75", "QWk8JzFalHlsZfYcMMDktXP/tKsf2rcDkdfrUnW5"], keep=["exit code 1", "aws s3 sync"]),
    dict(family="aws", text="hey, rotated key is AKIAWB5WKH7DNSIPZZ7F, still getting SignatureDoesNotMatch", secrets=["AKIAWB5WKH7DNSIPZZ7F"], keep=["SignatureDoesNotMatch"]),

    # --- keyword assignments ---
    dict(family="keyword", text="""# docker-compose.yml
services:
  db:
    image: mcr.microsoft.com/mssql/server:2022-latest
    environment:
      - ACCEPT_EULA=Y
      - MSSQL_SA_PASSWORD=xLUTZ*tFf#V
      - MSSQL_PID=Developer""", secrets=["xLUTZ*tFf#V"], keep=["ACCEPT_EULA=Y", "MSSQL_PID=Developer"]),
    dict(family="keyword", text="export REDIS_PASSWORD='V7ktOdSJ*cm'; ./app --serve  => error: NOAUTH Authentication required", secrets=["V7ktOdSJ*cm"], keep=["NOAUTH Authentication required"]),
    dict(family="keyword", text="""appsettings.Production.json:
{
  "HsmClient": {
    "UserName": "cu_app",
    "Password": "A!BHJ2m5qG",
    "Partition": "PARTITION_1"
  }
}""", secrets=["A!BHJ2m5qG"], keep=["cu_app", "PARTITION_1"]),
    dict(family="keyword", text="""values.yaml
auth:
  postgresPassword: RzxWkdgeV6
  username: keyvault
  database: hsmaudit""", secrets=["RzxWkdgeV6"], keep=["keyvault", "hsmaudit"]),
    dict(family="keyword", text="$env:AZURE_CLIENT_SECRET = 'QOD2Q~mxe1mbVrNHMx1eOc3g~fp1Z5ibXt80nk8B'\nConnect-AzAccount : AADSTS7000215: Invalid client secret provided.",
         secrets=["QOD2Q~mxe1mbVrNHMx1eOc3g~fp1Z5ibXt80nk8B"], keep=["AADSTS7000215: Invalid client secret provided."]),
    dict(family="keyword", text="spring.datasource.password=iYplGODl%Yx5uVECw\nspring.datasource.username=hsm_reader", secrets=["iYplGODl%Yx5uVECw"], keep=["hsm_reader"]),
    dict(family="keyword", text='config = {"db_pass": "GThdgH^9hm", "host": "10.0.4.5"}  # KeyError: \'timeout\'', secrets=["GThdgH^9hm"], keep=["10.0.4.5", "KeyError"]),
    dict(family="keyword", text="javax.net.ssl.trustStorePassword=OazM4n8PVGXp -Djavax.net.ssl.trustStore=/opt/cloudhsm/truststore.jks", secrets=["OazM4n8PVGXp"], keep=["/opt/cloudhsm/truststore.jks"]),
    dict(family="keyword", text="my $dbh = DBI->connect($dsn, 'hsm', '9Wv4Esb7yeuCjVr'); # script dies: password => '9Wv4Esb7yeuCjVr'",
         secrets=["9Wv4Esb7yeuCjVr"], keep=["DBI->connect"]),
    dict(family="keyword", text="[client]\nuser = backup\npassword = \"mXcj5RPD9oUsQChx5\"\nhost = db01", secrets=["mXcj5RPD9oUsQChx5"], keep=["user = backup", "host = db01"]),
    dict(family="keyword", text="WEBHOOK_SECRET=s4tI10FtdILQvH!nO6 npm start\nError: listen EADDRINUSE: address already in use :::3000", secrets=["s4tI10FtdILQvH!nO6"], keep=["EADDRINUSE", ":::3000"]),
    dict(family="keyword", text="<add key=\"ClientSecret\" value=\"ot^hB9KpGzU3HEEmX\" />", secrets=["ot^hB9KpGzU3HEEmX"], keep=["ClientSecret"]),
    dict(family="keyword", text="Settings: apiKey => '1uhLsc4%R^r4a_' (from vault) -> 401 Unauthorized", secrets=["1uhLsc4%R^r4a_"], keep=["401 Unauthorized"]),

    # --- command-line forms ---
    dict(family="cli", text="""$ mysql -h db01 -u hsmaudit -pxU3f0BJxrx*Dwz hsm
mysql: [Warning] Using a password on the command line interface can be insecure.
ERROR 1045 (28000): Access denied for user 'hsmaudit'@'10.1.0.4' (using password: YES)""",
         secrets=["xU3f0BJxrx*Dwz"], keep=["ERROR 1045 (28000)", "(using password: YES)", "hsmaudit", "Using a password on the command line interface can be insecure."]),
    dict(family="cli", text="sshpass -p 'l#JwAryNzbi' ssh azureuser@10.2.0.7 'sudo systemctl restart azure_cloudhsm_client'", secrets=["l#JwAryNzbi"], keep=["azureuser@10.2.0.7", "azure_cloudhsm_client"]),
    dict(family="cli", text="curl -sS -u deploy:0h*SQK#lb09rIFxUeu https://artifacts.contoso.com/hsm/client.rpm -o client.rpm\ncurl: (22) The requested URL returned error: 403",
         secrets=["0h*SQK#lb09rIFxUeu"], keep=["deploy", "error: 403"]),
    dict(family="cli", text="keytool -importkeystore -srckeystore app.p12 -srcstoretype PKCS12 -srcstorepass aT*5*jpTFPWhLn# -destkeystore app.jks -deststorepass ^d_-rcFlCxvnNGdcm\nkeytool error: java.io.IOException: keystore password was incorrect",
         secrets=["aT*5*jpTFPWhLn#", "^d_-rcFlCxvnNGdcm"], keep=["keystore password was incorrect", "app.p12"]),
    dict(family="cli", text="PS C:\\> certutil -f -p Hc7*E4nSmwfIp -importpfx .\\hsm-client.pfx\nCertUtil: -importPFX command FAILED: 0x80092002 (-2146885630 CRYPT_E_BAD_ENCODE)",
         secrets=["Hc7*E4nSmwfIp"], keep=["0x80092002", "CRYPT_E_BAD_ENCODE"]),
    dict(family="cli", text="signtool sign /f codesign.pfx /p #%JoppZrDDs7YvcX1 /fd SHA256 /tr http://timestamp.digicert.com app.exe\nSignTool Error: The specified PFX password is not correct.",
         secrets=["#%JoppZrDDs7YvcX1"], keep=["The specified PFX password is not correct.", "SHA256"]),
    dict(family="cli", text="$pw = ConvertTo-SecureString -String 'eYgURZEQ3PZgP*sTF2' -AsPlainText -Force\nImport-PfxCertificate : The PFX file you are trying to import requires either a different password",
         secrets=["eYgURZEQ3PZgP*sTF2"], keep=["Import-PfxCertificate", "requires either a different password"]),
    dict(family="cli", text="C:\\> net use Z: \\\\fs01\\hsmshare Un_xiP3z%c /user:CONTOSO\\svc-hsm\nSystem error 1326 has occurred.\nThe user name or password is incorrect.",
         secrets=["Un_xiP3z%c"], keep=["System error 1326", "The user name or password is incorrect.", "CONTOSO\\svc-hsm"]),
    dict(family="cli", text="ldapsearch -x -H ldaps://dc01 -D 'cn=svc-hsm,ou=svc,dc=contoso,dc=com' -w r1Y6ffeIIemGp -b dc=contoso,dc=com\nldap_bind: Invalid credentials (49)",
         secrets=["r1Y6ffeIIemGp"], keep=["Invalid credentials (49)", "cn=svc-hsm"]),
    dict(family="cli", text="smbclient //fs01/backup -U 'CONTOSO\\hsmbk%b3EfKoNSvph^Ik7-s4' -c ls\nsession setup failed: NT_STATUS_LOGON_FAILURE",
         secrets=["b3EfKoNSvph^Ik7-s4"], keep=["NT_STATUS_LOGON_FAILURE"]),
    dict(family="cli", text="orapki wallet create -wallet /u01/wallet -pwd ^qL0KJFlK6C -auto_login\nPKI-02003: Unable to load the wallet at: /u01/wallet",
         secrets=["^qL0KJFlK6C"], keep=["PKI-02003", "/u01/wallet"]),
    dict(family="cli", text="openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.pfx -passout pass:zU6M98NdFQCy^XYb\nunable to load private key",
         secrets=["zU6M98NdFQCy^XYb"], keep=["unable to load private key", "bundle.pfx"]),
    dict(family="cli", text="docker login myregistry.azurecr.io -u hsmbuild -p uEPP!IKBLhcuiS4\nError response from daemon: Get \"https://myregistry.azurecr.io/v2/\": unauthorized",
         secrets=["uEPP!IKBLhcuiS4"], keep=["hsmbuild", "unauthorized"]),
    dict(family="cli", text="""machine artifacts.contoso.com
  login ci-bot
  password *X4Tn*Ct1R""", secrets=["*X4Tn*Ct1R"], keep=["ci-bot", "artifacts.contoso.com"]),
    dict(family="cli", text="az login --service-principal -u 8f295efa-5e30-4dca-894d-34c20edcc4d0 -p rzJ*m8Iq0na0p#Y --tenant 44152f85-695d-4a70-9e4a-5d9757d631ab\nAADSTS700016: Application not found",
         secrets=["rzJ*m8Iq0na0p#Y"], keep=["8f295efa-5e30-4dca-894d-34c20edcc4d0", "44152f85-695d-4a70-9e4a-5d9757d631ab", "AADSTS700016"]),

    # --- sql ---
    dict(family="sql", text="""mysql> CREATE USER 'hsm_app'@'%' IDENTIFIED BY '1JoW56KTLTY_';
ERROR 1819 (HY000): Your password does not satisfy the current policy requirements""",
         secrets=["1JoW56KTLTY_"], keep=["ERROR 1819 (HY000)", "hsm_app", "does not satisfy the current policy requirements"]),
    dict(family="sql", text="SQL> alter user tde_admin identified by \"XPa#W4Mx-Ms3WDlQPF\" account unlock;\nORA-28003: password verification for the specified password failed",
         secrets=["XPa#W4Mx-Ms3WDlQPF"], keep=["ORA-28003", "tde_admin"]),
    dict(family="sql", text="ADMINISTER KEY MANAGEMENT SET ENCRYPTION KEY IDENTIFIED BY \"A2bdgG#M-N-3**3\" MIGRATE USING \"7TfS5bi_Dm0V%Zty\" WITH BACKUP;\nORA-46655: no valid keys in the file from which keys are to be imported",
         secrets=["A2bdgG#M-N-3**3", "7TfS5bi_Dm0V%Zty"], keep=["ORA-46655", "WITH BACKUP"]),
    dict(family="sql", text="postgres=# ALTER ROLE reporting WITH LOGIN PASSWORD '!Z4R_lvUOUjN^woL';\nALTER ROLE", secrets=["!Z4R_lvUOUjN^woL"], keep=["reporting", "ALTER ROLE"]),
    dict(family="sql", text="1> CREATE LOGIN hsm_svc WITH PASSWORD = N'^1u_L^A%y0xhnTf', CHECK_POLICY = ON;\nMsg 15118, Level 16, State 1, Line 1\nPassword validation failed.",
         secrets=["^1u_L^A%y0xhnTf"], keep=["Msg 15118", "Password validation failed.", "hsm_svc"]),

    # --- azure ---
    dict(family="azure", text="""$ az storage account keys list -g rg-hsm -n sthsmbackup
[
  {
    "creationTime": "2026-10-01T08:12:44.000000+00:00",
    "keyName": "key1",
    "permissions": "FULL",
    "value": "Y5+wAFIXMc7NMMe4446FzEZ9/UeBaKRbHCy2PvzvhqfqF0RNbIYAUvjKw3pCqiN8KLyxbVXHlJ/QKyajFC/eFQ=="
  },
  {
    "creationTime": "2026-10-01T08:12:44.000000+00:00",
    "keyName": "key2",
    "permissions": "FULL",
    "value": "rI3FqJOuouUuUchcwNQaJyEAwe1xdpxNBPC82lqdlmIxrJsOwufUFRk/8dOK7IiQB+bi59GYH1MfvrbIyxBP8Q=="
  }
]""", secrets=["Y5+wAFIXMc7NMMe4446FzEZ9/UeBaKRbHCy2PvzvhqfqF0RNbIYAUvjKw3pCqiN8KLyxbVXHlJ/QKyajFC/eFQ==",
               "rI3FqJOuouUuUchcwNQaJyEAwe1xdpxNBPC82lqdlmIxrJsOwufUFRk/8dOK7IiQB+bi59GYH1MfvrbIyxBP8Q=="], keep=["key1", "key2", "FULL", "creationTime"]),
    dict(family="azure", text="az storage blob upload --account-name sthsmbackup --account-key 313xIxeJ2Idp6dHUrcNbWAPtFqImyxuVvxzWAzoGRai/SvACJySyNQAbp/OjkG4S7sfsp5+MAUubvQFAvQizmw== -c backups -f hsm.bak\nErrorCode:AuthorizationFailure",
         secrets=["313xIxeJ2Idp6dHUrcNbWAPtFqImyxuVvxzWAzoGRai/SvACJySyNQAbp/OjkG4S7sfsp5+MAUubvQFAvQizmw=="], keep=["sthsmbackup", "AuthorizationFailure"]),
    dict(family="azure", text="POST https://fn-hsm-rotate.azurewebsites.net/api/rotate?code=LqyrI-9fJnmjRjp-Ztykjk_f9g6ktv97hnuTdxVyzOeFw_gk-tROsw== returned 500 Internal Server Error",
         secrets=["LqyrI-9fJnmjRjp-Ztykjk_f9g6ktv97hnuTdxVyzOeFw_gk-tROsw=="], keep=["fn-hsm-rotate.azurewebsites.net", "500 Internal Server Error"]),
    dict(family="azure", text="curl -H \"x-functions-key: ApLKfVv9Hj-pcIh_rkwkKoN4H4rwfX-ZfY3l3GUIDrxq-7ABwy4NKQ==\" https://fn-hsm.azurewebsites.net/api/health -> 401",
         secrets=["ApLKfVv9Hj-pcIh_rkwkKoN4H4rwfX-ZfY3l3GUIDrxq-7ABwy4NKQ=="], keep=["fn-hsm.azurewebsites.net"]),
    dict(family="azure", text="Endpoint=sb://ns-hsm-events.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=H4+wWG487siNgRUn6e9iNW5Dcud3NglnjSurynZq1og=;EntityPath=audit",
         secrets=["H4+wWG487siNgRUn6e9iNW5Dcud3NglnjSurynZq1og="], keep=["RootManageSharedAccessKey", "EntityPath=audit"]),
    dict(family="azure", text="Server=tcp:sql-hsm.database.windows.net,1433;Initial Catalog=audit;User ID=hsmadmin;Password=baNaMYmbdzw#I-^s;Encrypt=True;\nLogin failed for user 'hsmadmin'.",
         secrets=["baNaMYmbdzw#I-^s"], keep=["Login failed for user 'hsmadmin'.", "Initial Catalog=audit"]),
    dict(family="azure", text="GET https://sthsm.blob.core.windows.net/logs/app.log?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-01T00:00:00Z&spr=https&sig=Nf9QX%2BkR7t0jH2aQ1bC4dE5fG6hI7jK8lM9nO0pQ1rS%3D -> 403 AuthenticationFailed",
         secrets=["Nf9QX%2BkR7t0jH2aQ1bC4dE5fG6hI7jK8lM9nO0pQ1rS%3D"], keep=["403 AuthenticationFailed", "sp=r"]),
    dict(family="azure", text="curl -H 'Ocp-Apim-Subscription-Key: 90a68fae11ffd6f665665155028d2142' https://apim-hsm.azure-api.net/keys -> 401 Access denied due to invalid subscription key",
         secrets=["90a68fae11ffd6f665665155028d2142"], keep=["Access denied due to invalid subscription key"]),
    dict(family="azure", text="AZURE_CLIENT_ID=553ff4eb-ef75-4c0e-9b89-7f751710f3b7\nAZURE_TENANT_ID=560f443b-a7c3-4586-bd4b-377f0014d5e3\nAZURE_CLIENT_SECRET=1uD9Q~~L7V21jxUdcfQm-9_seB1qRmUR8AK3R2Gg",
         secrets=["1uD9Q~~L7V21jxUdcfQm-9_seB1qRmUR8AK3R2Gg"], keep=["553ff4eb-ef75-4c0e-9b89-7f751710f3b7", "560f443b-a7c3-4586-bd4b-377f0014d5e3"]),

    # --- vendor tokens ---
    dict(family="github", text="git clone https://ghp_bOApZOXzcycDeZ6dqmVe5Mvxrv99NcqVTSu7@github.com/contoso/hsm-tools.git\nfatal: Authentication failed for 'https://github.com/contoso/hsm-tools.git/'",
         secrets=["ghp_bOApZOXzcycDeZ6dqmVe5Mvxrv99NcqVTSu7"], keep=["fatal: Authentication failed", "contoso/hsm-tools"]),
    dict(family="github", text="GH_TOKEN=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 gh release download v1.4",
         secrets=["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"], keep=["gh release download v1.4"]),
    dict(family="github", text="the workflow prints gho_mCplppjs46LmuezqpGHoPZgPDcgaE40o1C6x in the debug log, is that bad?", secrets=["gho_mCplppjs46LmuezqpGHoPZgPDcgaE40o1C6x"], keep=["in the debug log"]),
    dict(family="gitlab", text="gitlab-runner register --url https://gitlab.contoso.com --token glrt-CtL31Ugq-DfcgaTMnTC0\nERROR: Verifying runner... is not valid", secrets=["glrt-CtL31Ugq-DfcgaTMnTC0"], keep=["Verifying runner... is not valid"]),
    dict(family="gitlab", text="curl --header \"PRIVATE-TOKEN: glpat-rdioyq-KvCiSGuPJ6sG9\" https://gitlab.contoso.com/api/v4/projects", secrets=["glpat-rdioyq-KvCiSGuPJ6sG9"], keep=["/api/v4/projects"]),
    dict(family="slack", text="alerting: SLACK_WEBHOOK=https://hooks.slack.com/services/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  (returns invalid_payload)",
         secrets=["rOJRBRY6HqsP795nf4Gakq5p"], keep=["invalid_payload"]),
    dict(family="slack", text="SLACK_BOT_TOKEN=xoxb-499647302627-923663157348-TS2jUWfsOJTFDQ74q69dTcad\nSLACK_APP_TOKEN=xapp-1-AYYO2SAUQR1-1746392689376-29ff29dd76b7b7f7f85bed28478256645af57766af99598004e4061db23ac638",
         secrets=["xoxb-499647302627-923663157348-TS2jUWfsOJTFDQ74q69dTcad", "29ff29dd76b7b7f7f85bed28478256645af57766af99598004e4061db23ac638"], keep=["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]),
    dict(family="npm", text="""$ cat .npmrc
registry=https://registry.npmjs.org/
//registry.npmjs.org/:_authToken=npm_ZWOf0WOOsEgigYWPnsuvBqbwq7sdTWx6uX9M
$ npm publish
npm ERR! code E403""", secrets=["npm_ZWOf0WOOsEgigYWPnsuvBqbwq7sdTWx6uX9M"], keep=["npm ERR! code E403"]),
    dict(family="npm", text="//pkgs.dev.azure.com/contoso/_packaging/hsm/npm/registry/:_password=blV6eU85TG50OEVHbm8=", secrets=["blV6eU85TG50OEVHbm8="], keep=["pkgs.dev.azure.com"]),
    dict(family="stripe", text="Stripe::AuthenticationError: Invalid API Key provided: sk_live_5IGky4Oo8DiIMWSWMPcwLuHj", secrets=["sk_live_5IGky4Oo8DiIMWSWMPcwLuHj"], keep=["Stripe::AuthenticationError"]),
    dict(family="stripe", text="STRIPE_KEY: rk_live_31CQJVukDCSXqLoivDP4SpGm", secrets=["rk_live_31CQJVukDCSXqLoivDP4SpGm"], keep=[]),
    dict(family="gcp", text="""{
  "type": "service_account",
  "project_id": "hsm-bridge",
  "private_key_id": "d8be08eb7f104ce61b869ccfddc9b020fd2db291",
  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC7q2Xv\\nP9Wb3kQ8fTr\\n-----END PRIVATE KEY-----\\n",
  "client_email": "bridge@hsm-bridge.iam.gserviceaccount.com"
}""", secrets=["MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC7q2Xv", "P9Wb3kQ8fTr", "d8be08eb7f104ce61b869ccfddc9b020fd2db291"],
         keep=["bridge@hsm-bridge.iam.gserviceaccount.com", "hsm-bridge"]),
    dict(family="gcp", text="https://maps.googleapis.com/maps/api/geocode/json?address=x&key=AIzaxp63OHm1FZuG296c0xPbX-neGBuzSm6A8cV -> REQUEST_DENIED",
         secrets=["AIzaxp63OHm1FZuG296c0xPbX-neGBuzSm6A8cV"], keep=["REQUEST_DENIED"]),

    # --- http auth headers ---
    dict(family="http", text="> GET /api/v1/keys HTTP/1.1\n> Host: hsm-proxy:8443\n> Authorization: Basic c3ZjLWRlcGxveTpTbFgyb3VtUTVnZUo2eA==\n< HTTP/1.1 401 Unauthorized",
         secrets=["c3ZjLWRlcGxveTpTbFgyb3VtUTVnZUo2eA=="], keep=["HTTP/1.1 401 Unauthorized", "hsm-proxy:8443"]),
    dict(family="http", text="Invoke-RestMethod -Uri $uri -Headers @{ 'x-api-key' = 'ee6665c98bc30d07a6150c761e7d2c6a' } : The remote server returned an error: (403) Forbidden.",
         secrets=["ee6665c98bc30d07a6150c761e7d2c6a"], keep=["(403) Forbidden."]),
    dict(family="http", text="requests.get(url, headers={'Authorization': 'Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiWnltWVdVN28iLCAiYXVkIjogImFwaTovL2Noc20iLCAiZXhwIjogMTc5MDAwMDAwMX0.l3M5T06uXZvlS7wOdkF7rX84P2UqZx93-rlVtbnT4jQoRQ7tskk2QcCLHZZMSkrACgxmAlCOqso1qY1iFQuwdQ'})",
         secrets=["l3M5T06uXZvlS7wOdkF7rX84P2UqZx93-rlVtbnT4jQoRQ7tskk2QcCLHZZMSkrACgxmAlCOqso1qY1iFQuwdQ", "eyJzdWIiOiAiWnltWVdVN28iLCAiYXVkIjogImFwaTovL2Noc20iLCAiZXhwIjogMTc5MDAwMDAwMX0"], keep=["requests.get"]),
    dict(family="http", text="authorization: token ghp_rtaUWM6ZO88eb0ogET9D9XyYq6B0Fi7FlaZ7", secrets=["ghp_rtaUWM6ZO88eb0ogET9D9XyYq6B0Fi7FlaZ7"], keep=[]),

    # --- jwt / url ---
    dict(family="jwt", text="id_token=eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiSWZJWndYZW8iLCAiYXVkIjogImFwaTovL2Noc20iLCAiZXhwIjogMTc5MDAwMDAwMn0.sI3vZcEJYJQZ2mKFUiWd5UZQcUIShZXiBfxU1TqFmIWDlSxSDI4Bel1FlIHaPd6Wb7qtM1o6bDBNF3M2KX47MQ&state=abc",
         secrets=["sI3vZcEJYJQZ2mKFUiWd5UZQcUIShZXiBfxU1TqFmIWDlSxSDI4Bel1FlIHaPd6Wb7qtM1o6bDBNF3M2KX47MQ"], keep=["state=abc"]),
    dict(family="url", text="amqp://hsm-events:NZ!cFlwvTWxaLYUo@rabbit01:5672/vhost -> ACCESS_REFUSED - Login was refused", secrets=["NZ!cFlwvTWxaLYUo"], keep=["hsm-events", "ACCESS_REFUSED"]),
    dict(family="url", text="REDIS_URL=rediss://:uq/8GUO7F5TfHookAiOr2vnszzsppIcvWPa7xs+is3M=@redis-hsm.redis.cache.windows.net:6380/0", secrets=["uq/8GUO7F5TfHookAiOr2vnszzsppIcvWPa7xs+is3M="], keep=["redis-hsm.redis.cache.windows.net:6380"]),
    dict(family="url", text="mongodb+srv://auditor:wOa6M1G#iFXC@cluster0.abcde.mongodb.net/?retryWrites=true", secrets=["wOa6M1G#iFXC"], keep=["auditor", "retryWrites=true"]),

    # --- hsm free text and tools ---
    dict(family="hsm", text="aws-style tooling aside: azcloudhsm_mgmt_util> loginHSM CO admin 3hbPsETJveImiSy5X\nloginHSM success on server 0(10.0.2.4)",
         secrets=["3hbPsETJveImiSy5X"], keep=["loginHSM success on server 0(10.0.2.4)"]),
    dict(family="hsm", text="./azcloudhsm_util singlecmd loginHSM -u CU -s cu_sign -p gCYf4gEFCf findKey -l signkey\nCfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS",
         secrets=["gCYf4gEFCf"], keep=["cu_sign", "HSM Return: SUCCESS", "findKey -l signkey"]),
    dict(family="hsm", text="so the PIN I use is cu_ops:Winter2026!Hsm and it still says CKR_PIN_INCORRECT", secrets=["Winter2026!Hsm"], keep=["cu_ops", "CKR_PIN_INCORRECT"]),
    dict(family="hsm", text="CU creds are cu_batch / Qz7-batch-Rot8 if anyone wants to repro", secrets=["Qz7-batch-Rot8"], keep=["cu_batch"]),
    dict(family="hsm", text="tried logging in as cu_tls with Tls!Pass2026 but loginHSM says RET_USER_LOGIN_FAILURE", secrets=["Tls!Pass2026"], keep=["cu_tls", "RET_USER_LOGIN_FAILURE"]),
    dict(family="hsm", text="openssl req -engine pkcs11 -keyform engine -key 'pkcs11:token=hsm-part1;object=web-rsa;type=private?pin-value=cu_web:PinWeb-4471' -new -out web.csr",
         secrets=["PinWeb-4471"], keep=["token=hsm-part1", "object=web-rsa"]),
    dict(family="hsm", text="    session.login(\"cu_ci:Ci-Hsm-pass-77\")\npkcs11.exceptions.PinIncorrect", secrets=["Ci-Hsm-pass-77"], keep=["PinIncorrect"]),
    dict(family="hsm", text="""env:
  - name: AZCLOUDHSM_USERNAME
    value: cu_web
  - name: azcloudhsm_password
    value: "cu_web:K8sEnv-Pw-2026"
  - name: AZCLOUDHSM_CLIENT_CONF
    value: /etc/azcloudhsm/client.conf""", secrets=["K8sEnv-Pw-2026"], keep=["cu_web", "/etc/azcloudhsm/client.conf"]),
    dict(family="hsm", text="C:\\hsm> set azcloudhsm_password=cu_win:Win-Pin-3390\nC:\\hsm> azcloudhsm_util.exe\nERROR: RET_INVALID_PIN", secrets=["Win-Pin-3390"], keep=["cu_win", "RET_INVALID_PIN"]),
    dict(family="hsm", text="aziot: p11-tool --module /usr/lib/libazcloudhsm_pkcs11.so --pin \"cu_edge:Edge-77-pin\" --list-objects\nCKR_USER_NOT_LOGGED_IN",
         secrets=["Edge-77-pin"], keep=["cu_edge", "CKR_USER_NOT_LOGGED_IN"]),
    dict(family="hsm", text="azcloudhsm_mgmt_util> createUser CU cu_new Fresh-User-9911\n*************************CAUTION********************************\nCreating User cu_new(CU) on 3 nodes",
         secrets=["Fresh-User-9911"], keep=["Creating User cu_new(CU) on 3 nodes"]),
    dict(family="hsm", text="changePswd CO admin Rot-Admin-2027 -> changePswd success on server 1(10.0.2.5)", secrets=["Rot-Admin-2027"], keep=["changePswd success on server 1(10.0.2.5)"]),
    dict(family="hsm", text="CK_UTF8CHAR pin[] = \"cu_c:CPin-55812\";\nrv = C_Login(hSession, CKU_USER, pin, strlen(pin)); // rv = 0xa0",
         secrets=["CPin-55812"], keep=["CKU_USER", "0xa0"]),
    dict(family="hsm", text="LoginManager.getInstance().login(\"PARTITION_1\", \"cu_jce\", \"Jce-Secret-01\"); -> LoginException: Invalid credentials",
         secrets=["Jce-Secret-01"], keep=["PARTITION_1", "cu_jce", "LoginException"]),

    # --- multi-line context ---
    dict(family="multiline", text="""apiVersion: v1
kind: Secret
metadata:
  name: hsm-creds
type: Opaque
data:
  username: Y3Vfd2Vi
  password: MkNSaThUcU01Q0x4SXA=""", secrets=["MkNSaThUcU01Q0x4SXA="], keep=["hsm-creds", "Y3Vfd2Vi", "Opaque"]),
    dict(family="multiline", text="""kind: Secret
data:
  azcloudhsm_password: Y3VfazhzOjZ3SnB5bURzd3BCYw==
  client.conf: c2VydmVyPTEwLjAuMi40""", secrets=["Y3VfazhzOjZ3SnB5bURzd3BCYw=="], keep=["c2VydmVyPTEwLjAuMi40"]),
    dict(family="multiline", text="""        - name: DB_PASSWORD
          value: "0psu*^ndmjv*!"
        - name: DB_HOST
          value: "sql01" """, secrets=["0psu*^ndmjv*!"], keep=["sql01", "DB_HOST"]),
    dict(family="multiline", text="""hsm:
  partition: PARTITION_2
  password:
    Hsm-Yaml-Pw-845
  retries: 3""", secrets=["Hsm-Yaml-Pw-845"], keep=["PARTITION_2", "retries: 3"]),
    dict(family="pem", text="""here's the key that fails to import:
-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun
VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK
-----END RSA PRIVATE KEY-----
unable to load Private Key 140234:error:0906D06C:PEM routines""",
         secrets=["MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK"], keep=["0906D06C:PEM routines"]),
    dict(family="pem", text="-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBh", secrets=["b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", "QyNTUxOQAAACBh"], keep=[]),

    # --- entropy next to a secret-ish word ---
    dict(family="entropy", text="the shared key for the proxy is 47f34a6fddb7b0d97af4a3b240a39913, rotated yesterday", secrets=["47f34a6fddb7b0d97af4a3b240a39913"], keep=["rotated yesterday"]),
    dict(family="entropy", text="HMAC_KEY: cf40d4de48ac33baab3a5f4ab2729a64 / signature mismatch on /v1/sign", secrets=["cf40d4de48ac33baab3a5f4ab2729a64"], keep=["signature mismatch"]),
    dict(family="entropy", text="encryption key = sFT8KpoRCZxRciHkFXoisOryvZtIFij6/Q8CyLPVJBc= (AES-256) but decrypt throws BadPaddingException",
         secrets=["sFT8KpoRCZxRciHkFXoisOryvZtIFij6/Q8CyLPVJBc="], keep=["BadPaddingException", "AES-256"]),

    # --- look-alike non-secrets ---
    dict(family="lookalike", text="loginHSM success on server 0(10.0.2.4)\nloginHSM success on server 1(10.0.2.5)\nloginHSM success on server 2(10.0.2.6)",
         secrets=[], keep=["loginHSM success on server 0(10.0.2.4)", "loginHSM success on server 1(10.0.2.5)", "loginHSM success on server 2(10.0.2.6)"]),
    dict(family="lookalike", text="ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: NO)", secrets=[], keep=["(using password: NO)", "'root'@'localhost'"]),
    dict(family="lookalike", text="Logon failure: unknown user name or bad password.", secrets=[], keep=["unknown user name or bad password."]),
    dict(family="lookalike", text="C_Login failed with CKR_PIN_INCORRECT (0x000000A0) for slot 0", secrets=[], keep=["CKR_PIN_INCORRECT (0x000000A0)", "slot 0"]),
    dict(family="lookalike", text="Thumbprint: 30B04036D78F85F2F1D19EB66EE31CAFAC854E72  Subject: CN=hsm-client", secrets=[], keep=["30B04036D78F85F2F1D19EB66EE31CAFAC854E72", "CN=hsm-client"]),
    dict(family="lookalike", text="sha256sum azcloudhsm-client.rpm\n01c3b42e101a312417168d80790bd526a9cf9eb43fca755970c918f9f1c457e9  azcloudhsm-client.rpm",
         secrets=[], keep=["01c3b42e101a312417168d80790bd526a9cf9eb43fca755970c918f9f1c457e9"]),
    dict(family="lookalike", text="Key Handle: 262150 Label: tls-signing-key  Class: private  Type: RSA", secrets=[], keep=["262150", "tls-signing-key"]),
    dict(family="lookalike", text="commit 386725e607e00f0ba7a421e67db88bdfb916dd1d\nAuthor: ops <ops@contoso.com>\n    rotate password for cu_ops", secrets=[], keep=["386725e607e00f0ba7a421e67db88bdfb916dd1d", "ops@contoso.com", "rotate password for cu_ops"]),
    dict(family="lookalike", text="Set the variable: export azcloudhsm_password=\"<username>:<password>\" then rerun", secrets=[], keep=["<username>:<password>"]),
    dict(family="lookalike", text="DB_PASSWORD=${DB_PASSWORD} docker compose up -d", secrets=[], keep=["${DB_PASSWORD}"]),
    dict(family="lookalike", text="Request id 5639fe72-cc45-45a6-8fd9-29b06111f8bf correlation f641a5b7-4d69-4077-b149-3b644540aac5 failed", secrets=[], keep=["5639fe72-cc45-45a6-8fd9-29b06111f8bf", "f641a5b7-4d69-4077-b149-3b644540aac5"]),
    dict(family="lookalike", text="Password must be at least 7 characters and contain a digit", secrets=[], keep=["Password must be at least 7 characters and contain a digit"]),
    dict(family="lookalike", text="The password for user cu1 has expired. Use changePswd to set a new one.", secrets=[], keep=["has expired. Use changePswd to set a new one."]),
    dict(family="lookalike", text="PKCS#11 URI: pkcs11:model=AzureCloudHSM;manufacturer=Microsoft;token=prod-partition-02", secrets=[], keep=["token=prod-partition-02", "model=AzureCloudHSM"]),
    dict(family="lookalike", text="cluster id: cluster-7hzgmk3tq4x  hsm id: hsm-3pqx9d2nb4a state: ACTIVE", secrets=[], keep=["cluster-7hzgmk3tq4x", "hsm-3pqx9d2nb4a"]),
    dict(family="lookalike", text="Token expired at 2026-11-27T10:00:00Z; refresh failed with invalid_grant", secrets=[], keep=["expired at 2026-11-27T10:00:00Z", "invalid_grant"]),
    dict(family="lookalike", text="listUsers\nUsers on server 0(10.0.2.4):\n  User Id  User Type  User Name  MofnPubKey  LoginFailureCnt  2FA\n    1      PCO        admin      NO          0                NO\n    5      CU         cu1        NO          0                NO",
         secrets=[], keep=["User Type  User Name", "admin", "cu1", "LoginFailureCnt"]),
    dict(family="lookalike", text="Enter password for CU cu1: ****\nloginHSM failed: RET_USER_LOGIN_FAILURE", secrets=[], keep=["RET_USER_LOGIN_FAILURE", "Enter password for CU cu1"]),
    dict(family="lookalike", text="export AZCLOUDHSM_PASSWORD=$HSM_PW  # from key vault", secrets=[], keep=["$HSM_PW", "from key vault"]),
    dict(family="lookalike", text="Warning: Permanently added 'bastion' (ECDSA) to the list of known hosts.\nazureuser@bastion's password:\nPermission denied, please try again.", secrets=[], keep=["Permission denied, please try again.", "azureuser@bastion's password:"]),
    dict(family="lookalike", text="SSL_CTX_use_PrivateKey_file failed: error:0B080074:x509 certificate routines:X509_check_private_key:key values mismatch",
         secrets=[], keep=["X509_check_private_key:key values mismatch", "0B080074"]),
    dict(family="lookalike", text="key_id: 2868099ba0ef19b66adbf649dee43221 (public) status=enabled", secrets=[], keep=["2868099ba0ef19b66adbf649dee43221", "status=enabled"]),
    dict(family="lookalike", text="secret 'hsm-tls' not found in namespace 'payments'", secrets=[], keep=["'hsm-tls' not found in namespace 'payments'"]),
    dict(family="lookalike", text="az keyvault secret show --vault-name kv-hsm --name db-password --query id", secrets=[], keep=["--name db-password", "kv-hsm"]),
    dict(family="lookalike", text="mysqldump -u backup -p hsm > hsm.sql\nEnter password:", secrets=[], keep=["-u backup -p hsm", "Enter password:"]),
    dict(family="lookalike", text="The specified network password is not correct. (Exception from HRESULT: 0x80070056)", secrets=[], keep=["The specified network password is not correct.", "0x80070056"]),
    dict(family="lookalike", text="Authorization: Bearer <token>   # paste yours here", secrets=[], keep=["<token>"]),
    dict(family="lookalike", text="password: %HSM_PASSWORD%", secrets=[], keep=["%HSM_PASSWORD%"]),
    dict(family="lookalike", text="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx4y8gq2XvUc1pT8mJ5nQ7kR3sW9bD4eF6hA0zL1oVd ops@jumpbox", secrets=[], keep=["ops@jumpbox", "ssh-ed25519"]),
    dict(family="lookalike", text="sig verification failed for object handle 524297 (label=code-sign-2026)", secrets=[], keep=["524297", "label=code-sign-2026"]),
    dict(family="lookalike", text="kid=https://kv-hsm.vault.azure.net/keys/tde-key/c74be4b1cfc0b8bfcb90752e0541d0b2 unwrapKey failed", secrets=[], keep=["c74be4b1cfc0b8bfcb90752e0541d0b2", "unwrapKey failed"]),
    dict(family="lookalike", text="Using password authentication for user 'hsmaudit' failed: FATAL: password authentication failed for user \"hsmaudit\"",
         secrets=[], keep=["password authentication failed for user \"hsmaudit\""]),
    dict(family="lookalike", text="Bearer token audience mismatch: expected api://chsm got api://other", secrets=[], keep=["audience mismatch", "api://chsm"]),
    dict(family="lookalike", text="[masked] was already removed by the bot", secrets=[], keep=["was already removed by the bot"]),
]
