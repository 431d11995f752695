// @azure/identity ClientSecretCredential (getToken).
//
// Job: authority_host, tenant_id, client_id, client_secret, scope. Optional: repeat, enable_cae.
// authorityHost + disableInstanceDiscovery, as microsoft-clients.md §4 requires for a custom host.
// @azure/identity wraps its own bundled msal-node (5.6.0), so this is a different MSAL than msal_cc.mjs.
import { ClientSecretCredential } from "@azure/identity";
import { codesFromText, describe, emit, emitError, readJob, repeat } from "./_job.mjs";

const job = readJob();
const credential = new ClientSecretCredential(job.tenant_id, job.client_id, job.client_secret, {
  authorityHost: job.authority_host,
  disableInstanceDiscovery: true,
});

const tokens = [];
try {
  for (let i = 0; i < repeat(job); i++) {
    tokens.push(await credential.getToken(job.scope, { enableCae: Boolean(job.enable_cae) }));
  }
} catch (e) {
  // AuthenticationError has a structured errorResponse; MSAL server errors arrive as
  // AuthenticationRequiredError with the details only in the message text.
  const r = e.errorResponse;
  emitError(
    r?.error ?? (/^(\w+): /.exec(e.message ?? "")?.[1] || null),
    r?.errorDescription ?? e.message,
    r?.errorCodes ?? codesFromText(e.message),
    describe(e),
  );
}
const last = tokens.at(-1);
emit({
  ok: true,
  access_token: last.token,
  expires_in: Math.round((last.expiresOnTimestamp - Date.now()) / 1000),
  token_type: last.tokenType ?? "Bearer",
  from_cache: tokens.map((t, i) => i > 0 && t.token === tokens[0].token),
});
