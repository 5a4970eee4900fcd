/**
 * The run-time registry, with real shards on PostgreSQL: shards admitted only
 * with the canonical SDL and as the agency they claim to be; admitted, moved
 * and removed under load without a failed request; health probed; the table
 * kept in the gateway's database across a gateway restart; all of it for the
 * ministry only. (Several replicas sharing it: gateway-replicas.test.ts.)
 * The tests run in order and share one topology: each starts from the state
 * the previous one left.
 */
import { Role } from "../contract/claims";
import type { RunningInstance } from "../subgraphs/kit/server";
import { startTestTopology, type GraphQLResponse, type TestTopology } from "./topology";
import { eventually } from "./eventually";

let topology: TestTopology;
let admin: string;
let thpo: RunningInstance;

beforeAll(async () => {
  topology = await startTestTopology(["MOJ", "ACA"], { healthIntervalMs: 200 });
  admin = await topology.token(Role.MINISTRY_ADMIN);
  thpo = await topology.startInstance("catalogue", "THPO");
}, 60_000);

afterAll(async () => {
  await topology?.stop();
});

interface ShardRow {
  subgraph: string;
  agencyCode: string;
  url: string;
  state: "UP" | "DOWN" | "UNKNOWN";
  lastError: string | null;
  latencyMs: number | null;
  checkedAt: string | null;
}

const ADMIT = "mutation($input: AdmitShardInput!) { admitShard(input: $input) { shard { subgraph agencyCode url state latencyMs } } }";
const REMOVE = "mutation($input: RemoveShardInput!) { removeShard(input: $input) { shard { subgraph agencyCode url } } }";
const SHARDS = "{ shards { subgraph agencyCode url state lastError latencyMs checkedAt } }";
const THPO_SUMMARY = `{ catalogueSummary(agencyCodes: ["THPO"]) { datasets } }`;

async function gql<T = Record<string, unknown>>(url: string, query: string, variables?: Record<string, unknown>, token = admin): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

async function shards(url = topology.gateway.url): Promise<ShardRow[]> {
  const response = await gql<{ shards: ShardRow[] }>(url, SHARDS);
  expect(response.errors).toBeUndefined();
  return response.data!.shards;
}

const routeRows = () => topology.sql("gateway", "select subgraph, agency_code, url, changed_by from shard_route order by version");
const catalogueShards = async (url?: string) => (await shards(url)).filter((s) => s.subgraph === "catalogue").map((s) => s.agencyCode);
const admit = (agencyCode: string, url: string, subgraph = "catalogue") => gql<{ admitShard: { shard: ShardRow } }>(topology.gateway.url, ADMIT, { input: { subgraph, agencyCode, url } });
const remove = (agencyCode: string, subgraph = "catalogue") => gql(topology.gateway.url, REMOVE, { input: { subgraph, agencyCode } });

test("every shard is listed with its health", async () => {
  const listed = await eventually(shards, (rows) => rows.every((row) => row.state === "UP"));
  expect(listed.map((s) => `${s.subgraph}:${s.agencyCode}`)).toEqual(["catalogue:MOJ", "catalogue:ACA", "feedback:MOJ", "feedback:ACA"]);
  for (const row of listed) {
    expect(row).toMatchObject({ state: "UP", url: topology.instances.get(`${row.subgraph}:${row.agencyCode}`)!.url, lastError: null });
    expect(row.latencyMs).toEqual(expect.any(Number));
    expect(Date.parse(row.checkedAt!)).toBeGreaterThan(Date.now() - 60_000);
  }
});

test("the registry's fields sit in the one graph: introspected beside the subgraphs' fields, and asked in one query with them", async () => {
  const introspected = await gql<{ __type: { fields: { name: string }[] } }>(topology.gateway.url, '{ __type(name: "Query") { fields { name } } }');
  expect(introspected.data!.__type.fields.map((field) => field.name)).toEqual(expect.arrayContaining(["shards", "datasets", "agencies", "catalogueSummary"]));
  const mixed = await gql<{ shards: ShardRow[]; catalogueSummary: { datasets: number } }>(
    topology.gateway.url,
    `{ shards { agencyCode } catalogueSummary(agencyCodes: ["MOJ", "ACA"]) { datasets } }`,
  );
  expect(mixed.errors).toBeUndefined();
  expect(mixed.data!.shards.map((shard) => shard.agencyCode)).toEqual(["MOJ", "ACA", "MOJ", "ACA"]);
  const [moj, aca] = await Promise.all(
    ["MOJ", "ACA"].map(async (code) => (await gql<{ catalogueSummary: { datasets: number } }>(topology.gateway.url, `{ catalogueSummary(agencyCodes: ["${code}"]) { datasets } }`)).data!.catalogueSummary.datasets),
  );
  expect(mixed.data!.catalogueSummary.datasets).toBe(moj + aca);
  expect(moj + aca).toBeGreaterThan(0);
});

test("a shard whose SDL is not its subgraph's canonical SDL is refused, with the difference, and nothing changes", async () => {
  const feedback = topology.instances.get("feedback:ACA")!.url;
  const response = await admit("THPO", feedback);
  expect(response.data).toBeNull();
  const error = response.errors![0];
  expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.url" }] });
  const diff = String(error.extensions!.diff);
  expect(diff).toMatch(/^--- schema\/catalogue.graphql\n\+\+\+ shard _service.sdl\n@@ /);
  expect(diff).toMatch(/^\+ {2}feedbackStats/m);
  expect(error.message).toContain(diff);
  expect(await catalogueShards()).toEqual(["MOJ", "ACA"]);
  expect(await routeRows()).toEqual([]);
});

test("a shard with the canonical SDL that serves another agency is refused", async () => {
  const response = await admit("THPO", topology.instances.get("catalogue:MOJ")!.url);
  expect(response.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  expect(response.errors?.[0].message).toContain("it serves the catalogue shard of MOJ, not the catalogue shard of THPO");
  expect(await catalogueShards()).toEqual(["MOJ", "ACA"]);
});

test("an unreachable shard is refused as unavailable", async () => {
  const response = await admit("THPO", "http://127.0.0.1:1/graphql");
  expect(response.errors?.[0].extensions).toEqual({ code: "SHARD_UNAVAILABLE", agencyCode: "THPO", subgraph: "catalogue" });
  expect(response.errors?.[0].message).toMatch(/could not be reached/);
});

test("only agency subgraphs take shards, and only for agencies of the directory", async () => {
  const ministry = await admit("THPO", thpo.url, "metrics");
  expect(ministry.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.subgraph" }] });
  const stranger = await admit("XYZ", thpo.url);
  expect(stranger.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.agencyCode" }] });
  const nothing = await remove("THPO");
  expect(nothing.errors?.[0].extensions?.code).toBe("NOT_FOUND");
});

test("only MINISTRY_ADMIN may see or change the registry", async () => {
  const url = topology.gateway.url;
  const staff = await topology.token(Role.AGENCY_STAFF, "THPO");
  const cio = await topology.token(Role.AGENCY_CIO, "MOJ");
  for (const token of [staff, cio, ""]) {
    expect((await gql(url, ADMIT, { input: { subgraph: "catalogue", agencyCode: "THPO", url: thpo.url } }, token)).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await gql(url, REMOVE, { input: { subgraph: "catalogue", agencyCode: "MOJ" } }, token)).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await gql(url, SHARDS, {}, token)).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  }
  expect(await catalogueShards()).toEqual(["MOJ", "ACA"]);
});

test("admitting and removing a shard under concurrent queries fails no request, and takes effect at once", async () => {
  // Fanned out to every catalogue shard, through two merge strategies (AGGREGATE and CONNECTION).
  const LOAD = "{ catalogueSummary { datasets } datasets(first: 3) { totalCount edges { node { agencyCode identifier } } } }";
  type Load = { catalogueSummary: { datasets: number }; datasets: { totalCount: number } };
  const before = await topology.query<Load>(LOAD);
  expect(before.errors).toBeUndefined();
  const base = { summary: before.data!.catalogueSummary.datasets, listed: before.data!.datasets.totalCount };

  // A bounded load on loopback: 8 workers, at least 200 requests and until both changes are made, never more than 2000.
  const requests: { sent: number; answered: number }[] = [];
  const failures: unknown[] = [];
  const summaries = new Set<number>();
  const listed = new Set<number>();
  let changed = false;
  let issued = 0;
  const worker = async () => {
    while ((!changed || issued < 200) && issued < 2000) {
      issued += 1;
      const sent = performance.now();
      const response = await topology.query<Load>(LOAD);
      requests.push({ sent, answered: performance.now() });
      if (response.errors || !response.data) failures.push(response);
      else {
        summaries.add(response.data.catalogueSummary.datasets);
        listed.add(response.data.datasets.totalCount);
      }
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, worker));
  const answeredSoFar = async (more: number) => {
    const target = requests.length + more;
    await eventually(async () => requests.length, (n) => n >= target);
  };
  /** Requests sent before a change was answered and answered after it was sent: in flight while it was made. */
  const inFlightDuring = (change: { sent: number; answered: number }) => requests.filter((r) => r.sent < change.answered && r.answered > change.sent).length;

  await answeredSoFar(16);
  const admission = { sent: performance.now(), answered: 0 };
  const admitted = await admit("THPO", thpo.url);
  admission.answered = performance.now();
  expect(admitted.errors).toBeUndefined();
  expect(admitted.data!.admitShard.shard).toMatchObject({ subgraph: "catalogue", agencyCode: "THPO", url: thpo.url, state: "UP" });
  expect(await catalogueShards()).toEqual(["MOJ", "THPO", "ACA"]);
  const fromThpo = await topology.query<Load>(`{ catalogueSummary(agencyCodes: ["THPO"]) { datasets } datasets(first: 1, agencyCodes: ["THPO"]) { totalCount } }`);
  expect(fromThpo.errors).toBeUndefined();
  const thpoPart = { summary: fromThpo.data!.catalogueSummary.datasets, listed: fromThpo.data!.datasets.totalCount };
  expect(thpoPart.summary).toBeGreaterThan(0);
  const agency = await topology.query<{ agencies: { datasets: { totalCount: number } }[] }>(`{ agencies(codes: ["THPO"]) { datasets(first: 1) { totalCount } } }`);
  expect(agency.errors).toBeUndefined();
  expect(agency.data!.agencies[0].datasets.totalCount).toBeGreaterThan(0);
  // Requests sent after the admission was answered see the new shard.
  await answeredSoFar(16);

  const removal = { sent: performance.now(), answered: 0 };
  const removed = await remove("THPO");
  removal.answered = performance.now();
  expect(removed.errors).toBeUndefined();
  changed = true;
  await load;

  expect(failures).toEqual([]);
  expect(requests.length).toBeGreaterThanOrEqual(200);
  expect(inFlightDuring(admission)).toBeGreaterThan(0);
  expect(inFlightDuring(removal)).toBeGreaterThan(0);
  // Each fanned-out field was answered from one whole table, with or without THPO: both were seen, nothing else.
  expect([...summaries].sort((a, b) => a - b)).toEqual([base.summary, base.summary + thpoPart.summary]);
  expect([...listed].sort((a, b) => a - b)).toEqual([base.listed, base.listed + thpoPart.listed]);

  expect(await catalogueShards()).toEqual(["MOJ", "ACA"]);
  const gone = await topology.query(THPO_SUMMARY);
  expect(gone.errors?.[0].extensions).toMatchObject({ code: "NOT_FOUND", agencyCode: "THPO" });
  const everyone = await topology.query<Load>(LOAD);
  expect(everyone.errors).toBeUndefined();
  expect(everyone.data!.catalogueSummary.datasets).toBe(base.summary);
  // The registry keeps who changed what: THPO admitted, then removed (a row without a URL).
  expect(await routeRows()).toEqual([{ subgraph: "catalogue", agency_code: "THPO", url: null, changed_by: "test-ministry_admin" }]);
});

test("a change that cannot be saved is not made", async () => {
  // The gateway's database refuses the write (as a full disk would).
  await topology.sql("gateway", "create function refuse_route() returns trigger language plpgsql as $$ begin raise exception 'no space left on device'; end $$");
  await topology.sql("gateway", "create trigger refuse_route before insert or update on shard_route for each row execute function refuse_route()");
  try {
    const response = await admit("THPO", thpo.url);
    expect(response.errors?.[0].message).toBe("The routing table could not be saved in the gateway's database; nothing was changed.");
    expect(await catalogueShards()).toEqual(["MOJ", "ACA"]);
    expect(await routeRows()).toEqual([{ subgraph: "catalogue", agency_code: "THPO", url: null, changed_by: "test-ministry_admin" }]);
  } finally {
    await topology.sql("gateway", "drop trigger refuse_route on shard_route");
  }
});

test("a shard is moved by admitting its agency at a new URL; a refused move keeps the old one; a stopped shard shows DOWN", async () => {
  expect((await admit("THPO", thpo.url)).errors).toBeUndefined();
  // The agency's new machine: another instance on the same database.
  const moved = await topology.startInstance("catalogue", "THPO");
  const thpoRow = async () => (await shards()).find((s) => s.subgraph === "catalogue" && s.agencyCode === "THPO")!;

  const move = await admit("THPO", moved.url);
  expect(move.errors).toBeUndefined();
  expect(move.data!.admitShard.shard).toMatchObject({ url: moved.url, state: "UP" });
  expect((await topology.query<{ catalogueSummary: { datasets: number } }>(THPO_SUMMARY)).data?.catalogueSummary.datasets).toBeGreaterThan(0);

  const wrongMove = await admit("THPO", topology.instances.get("feedback:MOJ")!.url);
  expect(wrongMove.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  expect((await thpoRow()).url).toBe(moved.url);

  await moved.stop();
  topology.instances.delete("catalogue:THPO#2");
  const down = await eventually(thpoRow, (row) => row.state === "DOWN");
  expect(down).toMatchObject({ state: "DOWN", latencyMs: null, lastError: expect.stringMatching(/^readiness/) });

  const back = await admit("THPO", thpo.url);
  expect(back.errors).toBeUndefined();
  expect(back.data!.admitShard.shard).toMatchObject({ url: thpo.url, state: "UP" });
});

test("the routing table survives a gateway restart", async () => {
  await topology.gateway.stop();
  const restarted = await topology.startGateway();
  expect((await shards(restarted.url)).find((s) => s.agencyCode === "THPO")).toMatchObject({ subgraph: "catalogue", url: thpo.url });
  expect(await catalogueShards(restarted.url)).toEqual(["MOJ", "THPO", "ACA"]);
  const fromThpo = await gql<{ catalogueSummary: { datasets: number } }>(restarted.url, THPO_SUMMARY);
  expect(fromThpo.errors).toBeUndefined();
  expect(fromThpo.data!.catalogueSummary.datasets).toBeGreaterThan(0);
});
