/**
 * Admission of a shard: it must answer `_service { sdl }` with exactly the
 * canonical SDL of its subgraph (schema/<subgraph>.graphql, byte for byte
 * once leading and trailing white space is trimmed). A shard built from other
 * code would plan and merge differently — refused, with the difference.
 * It must also be the instance of that agency (its /readiness says so).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import { projectRoot } from "../../contract/config";
import { describeFetchError, type SystemClient } from "../../contract/system-client";
import { readinessUrl } from "./health";

// A whole foreign schema differs on every line; an error message must stay readable.
const MAX_DIFF_LINES = 80;
const MAX_DIFF_CHARS = 8000;

export function canonicalSdl(subgraph: string): string {
  return readFileSync(join(projectRoot, "schema", `${subgraph}.graphql`), "utf8");
}

/** A unified diff from the canonical SDL to a shard's (truncated), or null when they are equal after trimming. */
export function sdlDifference(subgraph: string, canonical: string, actual: string): string | null {
  const expected = `${canonical.trim()}\n`;
  const answered = `${actual.trim()}\n`;
  if (expected === answered) return null;
  const patch = createTwoFilesPatch(`schema/${subgraph}.graphql`, "shard _service.sdl", expected, answered, undefined, undefined, { context: 2 });
  // The patch opens with a "=====" rule line that only adds noise to an error message.
  const lines = patch.split("\n").filter((line) => !line.startsWith("====="));
  const full = lines.join("\n");
  const shown = lines.slice(0, MAX_DIFF_LINES).join("\n").slice(0, MAX_DIFF_CHARS);
  if (shown.length === full.length) return full;
  return `${shown}\n… (diff truncated, ${lines.length - shown.split("\n").length} more lines)`;
}

export type AdmissionResult =
  | { ok: true }
  /** Nothing usable answered at the URL (connection refused, timeout, not ready): the shard is unavailable, not wrong. */
  | { ok: false; unreachable: true; reason: string }
  /** Something answered, but not the canonical schema of the subgraph, or not for this agency. */
  | { ok: false; unreachable: false; reason: string; diff?: string };

/**
 * Asks a shard for its SDL and compares it with its subgraph's canonical SDL;
 * then asks its /readiness which shard it is. Every instance reports its
 * subgraph and agency there, and a catalogue of MOJ admitted as THPO's would
 * answer THPO's questions from MOJ's database.
 */
export async function checkAdmission(subgraph: string, agencyCode: string, url: string, system: SystemClient, timeoutMs: number): Promise<AdmissionResult> {
  const answer = await system.request<{ _service?: { sdl?: unknown } }>(url, "{ _service { sdl } }");
  if (!answer.ok && answer.kind === "UNREACHABLE") return { ok: false, unreachable: true, reason: `it could not be reached: ${answer.reason}` };
  if (!answer.ok && answer.kind === "NOT_GRAPHQL") return { ok: false, unreachable: false, reason: answer.reason };
  const sdl = answer.ok ? answer.data._service?.sdl : undefined;
  if (typeof sdl !== "string") return { ok: false, unreachable: false, reason: `it did not answer _service { sdl }: ${answer.ok ? "no SDL" : answer.reason}` };
  const diff = sdlDifference(subgraph, canonicalSdl(subgraph), sdl);
  if (diff) return { ok: false, unreachable: false, reason: `its schema is not the canonical ${subgraph} schema`, diff };
  return checkIdentity(subgraph, agencyCode, url, timeoutMs);
}

async function checkIdentity(subgraph: string, agencyCode: string, url: string, timeoutMs: number): Promise<AdmissionResult> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(readinessUrl(url), { signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text();
  } catch (error) {
    return { ok: false, unreachable: true, reason: `its readiness could not be read: ${describeFetchError(error, timeoutMs)}` };
  }
  let readiness: { status?: unknown; subgraph?: unknown; agencyCode?: unknown } = {};
  try {
    readiness = (JSON.parse(text) ?? {}) as typeof readiness;
  } catch {
    // Not JSON: it names no shard, refused below.
  }
  if (readiness.subgraph !== subgraph || readiness.agencyCode !== agencyCode) {
    const serves = typeof readiness.subgraph === "string" ? `the ${readiness.subgraph} shard of ${String(readiness.agencyCode ?? "no agency")}` : "no shard it names at /readiness";
    return { ok: false, unreachable: false, reason: `it serves ${serves}, not the ${subgraph} shard of ${agencyCode}` };
  }
  if (!response.ok) return { ok: false, unreachable: true, reason: `it is not ready (${String(readiness.status ?? `HTTP ${response.status}`)})` };
  return { ok: true };
}
