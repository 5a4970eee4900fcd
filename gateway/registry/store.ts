/**
 * The routing table on disk, so admissions and removals survive a gateway
 * restart. Written to a temporary file, flushed and renamed: a crash mid-write
 * leaves the previous table or the new one, never a torn one.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { isAgencyCode } from "../../contract/agencies";
import type { Topology } from "../../contract/topology";

export type Shards = Topology["shards"];

export function loadRoutingFile(path: string): Shards | undefined {
  if (!existsSync(path)) return undefined;
  const shards = JSON.parse(readFileSync(path, "utf8")) as unknown;
  const valid =
    shards !== null &&
    typeof shards === "object" &&
    !Array.isArray(shards) &&
    Object.values(shards).every((byAgency) => byAgency && typeof byAgency === "object" && !Array.isArray(byAgency) && Object.values(byAgency).every((url) => typeof url === "string"));
  if (!valid) throw new Error(`${path} is not a routing table ({ subgraph: { agencyCode: url } }); fix or delete it`);
  return shards as Shards;
}

/**
 * The table the gateway starts with: each agency subgraph of the topology
 * takes its shards from the routing file when the file has them, else from
 * the topology. A file naming another subgraph or an agency outside
 * schema/agencies.json stops the start rather than routing by a guess.
 */
export function initialShards(topology: Shards, persisted: Shards | undefined, path: string): Shards {
  if (!persisted) return topology;
  const problems = Object.entries(persisted).flatMap(([subgraph, byAgency]) => [
    ...(subgraph in topology ? [] : [`"${subgraph}" is not an agency subgraph of the topology (${Object.keys(topology).join(", ")})`]),
    ...Object.keys(byAgency)
      .filter((code) => !isAgencyCode(code))
      .map((code) => `${subgraph}: "${code}" is not an agency of schema/agencies.json`),
  ]);
  if (problems.length > 0) throw new Error(`The routing file ${path} does not fit this gateway: ${problems.join("; ")}. Fix or delete it.`);
  return Object.fromEntries(Object.entries(topology).map(([subgraph, byAgency]) => [subgraph, persisted[subgraph] ?? byAgency]));
}

export function saveRoutingFile(path: string, shards: Shards): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temporary, "w");
    try {
      writeSync(fd, `${JSON.stringify(shards, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
