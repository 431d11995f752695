// openid-client v6: discovery + client-credentials grant, the way its README shows.
//
// Job: issuer (the URL discovered, e.g. https://host/{tenant}/v2.0; defaults to authority + "/v2.0"),
// client_id, client_secret, scope. discovery() requires the document's issuer to equal that URL
// exactly (microsoft-clients.md §6.1). The secret is sent as client_secret_post (the v6 default).
import * as client from "openid-client";
import { describe, emit, emitError, readJob } from "./_job.mjs";

const job = readJob();
const issuer = job.issuer ?? `${job.authority}/v2.0`;
let tokens;
let config;
try {
  config = await client.discovery(new URL(issuer), job.client_id, job.client_secret);
  tokens = await client.clientCredentialsGrant(config, { scope: job.scope });
} catch (e) {
  // ResponseBodyError carries the token endpoint's OAuth error body.
  emitError(e.error ?? e.code ?? null, e.error_description ?? e.message, e.cause?.error_codes ?? [], describe(e));
}
emit({
  ok: true,
  access_token: tokens.access_token,
  expires_in: tokens.expiresIn() ?? null,
  token_type: tokens.token_type,
  scope: tokens.scope ?? null,
  token_endpoint: config.serverMetadata().token_endpoint,
});
