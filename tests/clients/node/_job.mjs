// Shared plumbing for the Node client programs: read one JSON job, print one JSON line.
// Only I/O lives here; each program uses its library exactly as that library's docs show.
// Invoked by crates/sigil-testkit/src/clients.rs, or by hand:
//   NODE_EXTRA_CA_CERTS=ca.pem node tests/clients/node/msal_cc.mjs '{...}'
import { readFileSync } from "node:fs";

export function readJob() {
  const raw = process.argv[2] ?? readFileSync(0, "utf8");
  const job = JSON.parse(raw);
  // The CA is trusted only through NODE_EXTRA_CA_CERTS (read at start-up), never by disabling
  // verification; a job naming a CA without it is a harness bug, reported as such.
  if (job.ca_path && process.env.NODE_EXTRA_CA_CERTS !== job.ca_path) {
    emitError("harness_misconfigured", `NODE_EXTRA_CA_CERTS must be set to ca_path ${job.ca_path}`);
  }
  return job;
}

export function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
  process.exit(0);
}

export function emitError(error, description, errorCodes = [], exception = null, extra = {}) {
  emit({
    ok: false,
    error: error ?? null,
    error_description: description ?? null,
    error_codes: errorCodes,
    exception,
    ...extra,
  });
}

// An exception as "Class: message", with its stack on stderr for the Rust side's failure message.
export function describe(e) {
  process.stderr.write(`${e?.stack ?? e}\n`);
  return `${e?.name ?? e?.constructor?.name ?? "Error"}: ${e?.message ?? e}`;
}

// Codes MSAL reports only inside message text ("Error(s): 7000215 - ..." or "AADSTS7000215: ...").
export function codesFromText(text) {
  const codes = new Set();
  for (const m of String(text ?? "").matchAll(/AADSTS(\d+)/g)) codes.add(Number(m[1]));
  const listed = /Error\(s\): ([\d, ]+)/.exec(String(text ?? ""));
  if (listed) for (const c of listed[1].split(",")) if (c.trim()) codes.add(Number(c));
  return [...codes];
}

export const pem = (path) => readFileSync(path, "utf8");
export const repeat = (job) => Math.max(1, Number(job.repeat ?? 1));
export const secondsUntil = (date) => Math.round((date.getTime() - Date.now()) / 1000);
