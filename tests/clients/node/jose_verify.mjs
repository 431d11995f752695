// jose: validate a token with createRemoteJWKSet + jwtVerify, the way jose's docs show.
//
// Job: token, jwks_uri, issuer, audience; optional algorithms (default ["RS256"]).
import { createRemoteJWKSet, jwtVerify } from "jose";
import { describe, emit, emitError, readJob } from "./_job.mjs";

const job = readJob();
const jwks = createRemoteJWKSet(new URL(job.jwks_uri));
try {
  const { payload, protectedHeader } = await jwtVerify(job.token, jwks, {
    issuer: job.issuer,
    audience: job.audience,
    algorithms: job.algorithms ?? ["RS256"],
  });
  emit({ ok: true, claims: payload, header: protectedHeader });
} catch (e) {
  // JOSEError codes: ERR_JWT_CLAIM_VALIDATION_FAILED, ERR_JWKS_NO_MATCHING_KEY, ...
  emitError("invalid_token", e.message, [], describe(e), { code: e.code ?? null, claim: e.claim ?? null });
}
