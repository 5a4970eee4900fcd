/**
 * Admission of a shard: it must answer `_service { sdl }` with exactly the
 * canonical SDL of its subgraph (schema/<subgraph>.graphql). A shard built
 * from other code would answer differently — refused, with the difference.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import { CLAIMS_HEADER } from "../../subgraphs/kit/claims";
import { projectRoot } from "../../subgraphs/kit/config";

const MAX_DIFF_LINES = 80;

export function canonicalSdl(subgraph: string): string {
  return readFileSync(join(projectRoot, "schema", `${subgraph}.graphql`), "utf8");
}

/** A unified diff from the canonical SDL to a shard's, or null when they are the same (up to trailing white space). */
export function sdlDifference(subgraph: string, canonical: string, actual: string): string | null {
  const normalise = (sdl: string) => `${sdl.split("\n").map((line) => line.trimEnd()).join("\n").trim()}\n`;
  if (normalise(canonical) === normalise(actual)) return null;
  const patch = createTwoFilesPatch(`schema/${subgraph}.graphql`, "shard _service.sdl", normalise(canonical), normalise(actual), undefined, undefined, { context: 2 });
  const lines = patch.split("\n").filter((line) => !line.startsWith("====="));
  return lines.length > MAX_DIFF_LINES ? `${lines.slice(0, MAX_DIFF_LINES).join("\n")}\n… (${lines.length - MAX_DIFF_LINES} more lines)` : lines.join("\n");
}

export type AdmissionResult = { ok: true } | { ok: false; unreachable: boolean; reason: string; diff?: string };

/** Asks a shard for its SDL and compares it with its subgraph's canonical SDL. */
export async function checkAdmission(subgraph: string, url: string, claims: string, timeoutMs: number): Promise<AdmissionResult> {
  let sdl: string;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", [CLAIMS_HEADER]: claims },
      body: JSON.stringify({ query: "{ _service { sdl } }" }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { data?: { _service?: { sdl?: string } }; errors?: { message: string }[] };
    if (!body.data?._service?.sdl) {
      return { ok: false, unreachable: false, reason: `it did not answer _service { sdl }: ${body.errors?.map((e) => e.message).join("; ") ?? `HTTP ${response.status}`}` };
    }
    sdl = body.data._service.sdl;
  } catch (error) {
    return { ok: false, unreachable: true, reason: `it could not be reached: ${error instanceof Error ? error.message : String(error)}` };
  }
  const diff = sdlDifference(subgraph, canonicalSdl(subgraph), sdl);
  return diff ? { ok: false, unreachable: false, reason: `its schema is not the canonical ${subgraph} schema`, diff } : { ok: true };
}
