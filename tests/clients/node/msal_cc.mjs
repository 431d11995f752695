// @azure/msal-node ConfidentialClientApplication, client-credentials grant (secret or certificate).
//
// Job: authority, client_id, scope, and client_secret | cert_pem_path + key_pem_path.
// Optional: repeat (to observe the token cache), client_capabilities (["CP1"]).
// Certificates use thumbprintSha256 + privateKey (+ x5c), as msal-node's docs show: a PS256
// assertion with an unpadded x5t#S256 (microsoft-clients.md §2.2).
import { X509Certificate } from "node:crypto";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { codesFromText, describe, emit, emitError, pem, readJob, repeat, secondsUntil } from "./_job.mjs";

const job = readJob();
const auth = {
  clientId: job.client_id,
  authority: job.authority,
  // Not a Microsoft host: trust it without cloud (instance) discovery (microsoft-clients.md §2.1).
  knownAuthorities: [new URL(job.authority).host],
  clientCapabilities: job.client_capabilities,
};
if (job.client_secret != null) {
  auth.clientSecret = job.client_secret;
} else {
  const certPem = pem(job.cert_pem_path);
  auth.clientCertificate = {
    thumbprintSha256: new X509Certificate(certPem).fingerprint256.replaceAll(":", ""),
    privateKey: pem(job.key_pem_path),
    x5c: certPem,
  };
}

const cca = new ConfidentialClientApplication({ auth });
const fromCache = [];
let result;
try {
  for (let i = 0; i < repeat(job); i++) {
    result = await cca.acquireTokenByClientCredential({ scopes: [job.scope] });
    fromCache.push(result.fromCache);
  }
} catch (e) {
  // ServerError carries errorCode (the OAuth error) and errorNo (error_codes[0]).
  const codes = e.errorNo ? [Number(e.errorNo)] : codesFromText(e.errorMessage);
  emitError(e.errorCode, e.errorMessage, codes, describe(e), { from_cache: fromCache });
}
emit({
  ok: true,
  access_token: result.accessToken,
  expires_in: secondsUntil(result.expiresOn),
  token_type: result.tokenType,
  from_cache: fromCache,
});
