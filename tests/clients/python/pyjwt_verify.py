"""PyJWT: validate a token against a JWKS URL with PyJWKClient, as PyJWT's docs show.

Job: token, jwks_uri, issuer, audience; optional algorithms (default ["RS256"]).
PyJWKClient fetches with urllib, which trusts the CA named by SSL_CERT_FILE.
"""
import jwt
from jwt import PyJWKClient

from _job import emit, emit_error, read_job

job = read_job()
try:
    jwks_client = PyJWKClient(job["jwks_uri"])
    signing_key = jwks_client.get_signing_key_from_jwt(job["token"])
    claims = jwt.decode(
        job["token"],
        signing_key.key,
        algorithms=job.get("algorithms", ["RS256"]),
        audience=job["audience"],
        issuer=job["issuer"],
    )
except jwt.PyJWTError as exc:
    emit_error("invalid_token", str(exc), exception=f"{type(exc).__name__}: {exc}")

emit({"ok": True, "claims": claims, "header": jwt.get_unverified_header(job["token"])})
