/**
 * The run-time registry: shards admitted only with the canonical SDL,
 * admitted and removed under load without a failed request, persisted
 * across a gateway restart, and only by the ministry.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Role } from "../subgraphs/kit/claims";
import type { RunningInstance } from "../subgraphs/kit/server";
import { startTestTopology, type GraphQLResponse, type TestTopology } from "./topology";

const routingFile = join(mkdtempSync(join(tmpdir(), "govgraph-routing-")), "routing.json");
let topology: TestTopology;
let admin: string;
let thpo: RunningInstance;

beforeAll(async () => {
  topology = await startTestTopology(["MOJ", "ACA"], { routingFile });
  admin = await topology.token(Role.MINISTRY_ADMIN);
  thpo = await topology.startInstance("catalogue", "THPO");
}, 60_000);

afterAll(async () => {
  await topology?.stop();
});

const ADMIT = "mutation($input: AdmitShardInput!) { admitShard(input: $input) { shard { subgraph agencyCode url state } } }";
const REMOVE = "mutation($input: RemoveShardInput!) { removeShard(input: $input) { shard { agencyCode } } }";
const SHARDS = "{ shards { subgraph agencyCode url state latencyMs } }";

async function catalogueShards(url = topology.gateway.url): Promise<string[]> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${admin}` }, body: JSON.stringify({ query: SHARDS }) });
  const body = (await response.json()) as GraphQLResponse<{ shards: { subgraph: string; agencyCode: string }[] }>;
  return body.data!.shards.filter((s) => s.subgraph === "catalogue").map((s) => s.agencyCode);
}

test("a shard whose SDL is not its subgraph's canonical SDL is refused, with the difference, and nothing changes", async () => {
  const wrong = topology.instances.get("feedback:ACA")!.url;
  const response = await topology.query(ADMIT, { input: { subgraph: "catalogue", agencyCode: "THPO", url: wrong } }, admin);
  expect(response.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  expect(String(response.errors?.[0].extensions?.diff)).toMatch(/^--- schema\/catalogue.graphql\n\+\+\+ shard _service.sdl/);
  expect(String(response.errors?.[0].extensions?.diff)).toContain("+  feedbackStats");
  expect(await catalogueShards()).toEqual(["MOJ", "ACA"]);
});

test("an unreachable shard is refused as unavailable", async () => {
  const response = await topology.query(ADMIT, { input: { subgraph: "catalogue", agencyCode: "THPO", url: "http://127.0.0.1:1/graphql" } }, admin);
  expect(response.errors?.[0].extensions).toMatchObject({ code: "SHARD_UNAVAILABLE", agencyCode: "THPO", subgraph: "catalogue" });
});

test("only MINISTRY_ADMIN may see or change the registry", async () => {
  const staff = await topology.token(Role.AGENCY_STAFF, "THPO");
  expect((await topology.query(ADMIT, { input: { subgraph: "catalogue", agencyCode: "THPO", url: thpo.url } }, staff)).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  expect((await topology.query(SHARDS, {}, staff)).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  expect((await topology.query(SHARDS, {})).errors?.[0].extensions?.code).toBe("FORBIDDEN");
});

test("admitting and removing a shard under concurrent queries fails no request, and takes effect at once", async () => {
  let stop = false;
  const failures: unknown[] = [];
  let answered = 0;
  // A bounded load on loopback: 8 workers, at most 400 requests, ending when the changes are done.
  const worker = async () => {
    for (let i = 0; i < 50 && !stop; i++) {
      const response = await topology.query<{ catalogueSummary: { datasets: number } }>("{ catalogueSummary { datasets } }", undefined, admin);
      if (response.errors || typeof response.data?.catalogueSummary.datasets !== "number") failures.push(response);
      answered += 1;
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, worker));

  const admitted = await topology.query<{ admitShard: { shard: { state: string } } }>(ADMIT, { input: { subgraph: "catalogue", agencyCode: "THPO", url: thpo.url } }, admin);
  expect(admitted.errors).toBeUndefined();
  expect(admitted.data!.admitShard.shard.state).toBe("UP");
  expect(await catalogueShards()).toEqual(["MOJ", "THPO", "ACA"]);
  const fromThpo = await topology.query<{ catalogueSummary: { datasets: number } }>(`{ catalogueSummary(agencyCodes: ["THPO"]) { datasets } }`, undefined, admin);
  expect(fromThpo.errors).toBeUndefined();
  expect(fromThpo.data!.catalogueSummary.datasets).toBeGreaterThan(0);

  const removed = await topology.query(REMOVE, { input: { subgraph: "catalogue", agencyCode: "THPO" } }, admin);
  expect(removed.errors).toBeUndefined();
  stop = true;
  await load;
  expect(failures).toEqual([]);
  expect(answered).toBeGreaterThan(8);
  const gone = await topology.query(`{ catalogueSummary(agencyCodes: ["THPO"]) { datasets } }`, undefined, admin);
  expect(gone.errors?.[0].extensions).toMatchObject({ code: "NOT_FOUND", agencyCode: "THPO" });
});

test("a change that cannot be saved is not made", async () => {
  // Where the table is written, a directory now stands: the save fails.
  rmSync(routingFile, { force: true });
  mkdirSync(join(routingFile, "blocked"), { recursive: true });
  try {
    const response = await topology.query(ADMIT, { input: { subgraph: "catalogue", agencyCode: "THPO", url: thpo.url } }, admin);
    expect(response.errors?.[0].message).toMatch(/could not be saved.*nothing was changed/);
    expect(await catalogueShards()).toEqual(["MOJ", "ACA"]);
  } finally {
    rmSync(routingFile, { recursive: true, force: true });
  }
});

test("the routing table survives a gateway restart", async () => {
  const admitted = await topology.query(ADMIT, { input: { subgraph: "catalogue", agencyCode: "THPO", url: thpo.url } }, admin);
  expect(admitted.errors).toBeUndefined();
  await topology.gateway.stop();
  const restarted = await topology.startGateway({ routingFile });
  expect(await catalogueShards(restarted.url)).toEqual(["MOJ", "THPO", "ACA"]);
});
