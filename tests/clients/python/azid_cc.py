"""azure-identity ClientSecretCredential / CertificateCredential (get_token).

Job: authority_host, tenant_id, client_id, scope, and client_secret | cert_pem_path + key_pem_path.
Optional: repeat, enable_cae (adds the xms_cc CP1 claims request, as Key Vault clients do).
The authority host is passed as `authority=` with instance discovery disabled (microsoft-clients.md
§3.1). CertificateCredential takes one PEM holding key and certificate; it signs an RS256 assertion
with a SHA-1 x5t (§1.4).
"""
import time

from azure.identity import CertificateCredential, ClientSecretCredential

from _job import emit, emit_exception, read_file, read_job

job = read_job()
common = {"authority": job["authority_host"], "disable_instance_discovery": True}
if job.get("client_secret") is not None:
    credential = ClientSecretCredential(job["tenant_id"], job["client_id"], job["client_secret"], **common)
else:
    pem = read_file(job["key_pem_path"]) + b"\n" + read_file(job["cert_pem_path"])
    credential = CertificateCredential(job["tenant_id"], job["client_id"], certificate_data=pem, **common)

try:
    tokens = [
        credential.get_token(job["scope"], enable_cae=bool(job.get("enable_cae")))
        for _ in range(max(1, int(job.get("repeat", 1))))
    ]
except Exception as exc:  # ClientAuthenticationError, ValueError, connection errors: all reported
    emit_exception(exc)

token = tokens[-1]
emit({
    "ok": True,
    "access_token": token.token,
    "expires_in": token.expires_on - int(time.time()),
    "token_type": "Bearer",
    # azure-identity hands back the cached token object when MSAL serves it from cache.
    "from_cache": [False] + [t.token == tokens[0].token for t in tokens[1:]],
})
