"""Make a self-signed client certificate for an app's key credential (test fixture, not a client).

Job: dir, common_name; optional days (default 30). Writes {dir}/{common_name}.pem (certificate)
and {dir}/{common_name}.key (PKCS#8 private key) and prints their paths and thumbprints in the
forms Entra shows (SHA-1 hex upper case) and clients send (base64url x5t / x5t#S256, unpadded).
Uses the venv's `cryptography`, so the Rust test kit needs no X.509 dependency.
"""
import base64
import datetime
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from _job import emit, read_job

job = read_job()
cn = job["common_name"]
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (
    x509.CertificateBuilder()
    .subject_name(name)
    .issuer_name(name)
    .public_key(key.public_key())
    .serial_number(x509.random_serial_number())
    .not_valid_before(now - datetime.timedelta(minutes=5))
    .not_valid_after(now + datetime.timedelta(days=int(job.get("days", 30))))
    .sign(key, hashes.SHA256())
)
cert_path = os.path.join(job["dir"], f"{cn}.pem")
key_path = os.path.join(job["dir"], f"{cn}.key")
with open(cert_path, "wb") as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
with open(key_path, "wb") as f:
    f.write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


sha1 = cert.fingerprint(hashes.SHA1())
sha256 = cert.fingerprint(hashes.SHA256())
emit({
    "ok": True,
    "cert_pem_path": cert_path,
    "key_pem_path": key_path,
    "thumbprint_sha1_hex": sha1.hex().upper(),
    "x5t": b64url(sha1),
    "x5t_s256": b64url(sha256),
})
