"""Shared plumbing for the client programs: read one JSON job, print one JSON line.

Only I/O lives here; each client program uses its library exactly as that library's docs show.
Invoked by crates/sigil-testkit/src/clients.rs, or by hand:
    REQUESTS_CA_BUNDLE=ca.pem SSL_CERT_FILE=ca.pem .venv/bin/python tests/clients/python/msal_cc.py '{...}'
"""
import json
import os
import re
import sys
import traceback

# The CA is trusted only through these (never verify=False); a job naming a CA without the
# environment pointing at it is a harness bug, reported as such instead of as a TLS error.
CA_ENV = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")


def read_job():
    raw = sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read()
    job = json.loads(raw)
    ca = job.get("ca_path")
    if ca:
        for var in CA_ENV:
            if os.environ.get(var) != ca:
                emit_error("harness_misconfigured", f"{var} must be set to ca_path {ca!r}")
    return job


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    sys.exit(0)


def emit_error(error, description, error_codes=None, exception=None, **extra):
    emit({
        "ok": False,
        "error": error,
        "error_description": description,
        "error_codes": error_codes or [],
        "exception": exception,
        **extra,
    })


def emit_exception(exc):
    """For libraries that surface server errors only as an exception message (azure-identity):
    AADSTS numbers are recovered from the text; the OAuth `error` code is not available."""
    message = str(exc)
    codes = [int(c) for c in re.findall(r"AADSTS(\d+)", message)]
    # Keep the traceback on stderr: the Rust side shows it when a job fails unexpectedly.
    traceback.print_exc(file=sys.stderr)
    emit_error(None, message, codes, f"{type(exc).__name__}: {message}")


def read_file(path):
    with open(path, "rb") as f:
        return f.read()
