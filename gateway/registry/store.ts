/**
 * The routing table on disk, so admissions and removals survive a gateway
 * restart. Written to a temporary file and renamed: a crash mid-write never
 * leaves a torn table.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Topology } from "../topology";

export function loadRoutingFile(path: string): Topology["shards"] | undefined {
  if (!existsSync(path)) return undefined;
  const shards = JSON.parse(readFileSync(path, "utf8")) as unknown;
  const valid =
    shards !== null &&
    typeof shards === "object" &&
    Object.values(shards).every((byAgency) => byAgency && typeof byAgency === "object" && Object.values(byAgency).every((url) => typeof url === "string"));
  if (!valid) throw new Error(`${path} is not a routing table ({ subgraph: { agencyCode: url } }); fix or delete it`);
  return shards as Topology["shards"];
}

export function saveRoutingFile(path: string, shards: Topology["shards"]): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(shards, null, 2)}\n`);
  renameSync(temporary, path);
}
