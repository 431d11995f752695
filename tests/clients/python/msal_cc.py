"""MSAL Python ConfidentialClientApplication, client-credentials grant (secret or certificate).

Job: authority, client_id, scope, and client_secret | cert_pem_path + key_pem_path.
Optional: repeat (acquire N times, to observe MSAL's token cache), client_capabilities (["CP1"]).
The certificate form passes private_key + public_certificate, as MSAL's docs recommend since 1.35:
MSAL then signs a PS256 assertion with x5t#S256 and x5c (microsoft-clients.md §1.4).
"""
import msal

from _job import emit, emit_error, emit_exception, read_file, read_job

job = read_job()
if job.get("client_secret") is not None:
    credential = job["client_secret"]
else:
    credential = {
        "private_key": read_file(job["key_pem_path"]).decode(),
        "public_certificate": read_file(job["cert_pem_path"]).decode(),
    }

try:
    app = msal.ConfidentialClientApplication(
        job["client_id"],
        authority=job["authority"],
        client_credential=credential,
        # Not login.microsoftonline.com: skip Microsoft's instance discovery (microsoft-clients.md §1.1).
        instance_discovery=False,
        client_capabilities=job.get("client_capabilities"),
    )
    sources = []
    for _ in range(max(1, int(job.get("repeat", 1)))):
        result = app.acquire_token_for_client(scopes=[job["scope"]])
        if "access_token" not in result:
            # A server error: MSAL returns the error body as a dict.
            emit_error(
                result.get("error"),
                result.get("error_description"),
                result.get("error_codes"),
                None,
                from_cache=sources,
            )
        sources.append(result.get("token_source") == "cache")
except Exception as exc:  # discovery failures, TLS errors, ValueError on the authority
    emit_exception(exc)

emit({
    "ok": True,
    "access_token": result["access_token"],
    "expires_in": result.get("expires_in"),
    "token_type": result.get("token_type"),
    "from_cache": sources,
})
