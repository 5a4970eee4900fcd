import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Role } from "../../contract/claims";
import { RoutingTable } from "../shard-router/routing-table";
import { canonicalSdl, sdlDifference } from "./admission";
import { readinessUrl } from "./health";
import { requireRegistryAdmin, shardInputProblems, withShard } from "./registry";
import { initialShards, loadRoutingFile, saveRoutingFile } from "./store";

describe("SDL comparison", () => {
  const canonical = canonicalSdl("catalogue");

  test("the canonical SDL equals itself up to leading and trailing white space", () => {
    expect(sdlDifference("catalogue", canonical, `\n${canonical.trim()}   \n\n`)).toBeNull();
  });

  test("any other difference is reported as a unified diff from the canonical SDL", () => {
    const changed = canonical.replace("catalogueSummary(", "catalogueSummery(");
    const diff = sdlDifference("catalogue", canonical, changed)!;
    expect(diff).toMatch(/^--- schema\/catalogue.graphql\n\+\+\+ shard _service.sdl\n@@ /);
    expect(diff).toMatch(/^- {2}catalogueSummary\(/m);
    expect(diff).toMatch(/^\+ {2}catalogueSummery\(/m);
  });

  test("white space inside the SDL counts: the comparison is byte for byte", () => {
    expect(sdlDifference("catalogue", canonical, canonical.replace("\n  ", "\n   "))).not.toBeNull();
  });

  test("a whole other schema gives a diff cut to a readable length", () => {
    const diff = sdlDifference("catalogue", canonical, canonicalSdl("feedback"))!;
    const lines = diff.split("\n");
    expect(lines.length).toBeLessThanOrEqual(81);
    expect(diff.length).toBeLessThan(8100);
    expect(lines.at(-1)).toMatch(/^… \(diff truncated, \d+ more lines\)$/);
  });
});

describe("registry rules", () => {
  test("only MINISTRY_ADMIN may use the registry", () => {
    expect(() => requireRegistryAdmin({ sub: "a", role: Role.MINISTRY_ADMIN }, "list the shards")).not.toThrow();
    for (const role of [Role.PUBLIC, Role.AGENCY_STAFF, Role.AGENCY_CIO, Role.PANEL_MEMBER]) {
      expect(() => requireRegistryAdmin({ sub: "a", role, agencyCode: "MOJ" }, "list the shards")).toThrow(
        expect.objectContaining({ extensions: { code: "FORBIDDEN" } }),
      );
    }
  });

  test("only agency subgraphs take shards, only directory agencies have them, a URL is http(s)", () => {
    const subgraphs = ["catalogue", "feedback"];
    expect(shardInputProblems(subgraphs, { subgraph: "catalogue", agencyCode: "THPO", url: "http://catalogue-thpo.agency.example:4000/graphql" })).toEqual([]);
    expect(shardInputProblems(subgraphs, { subgraph: "metrics", agencyCode: "XYZ", url: "ftp://x/graphql" }).map((p) => p.path)).toEqual([
      "input.subgraph",
      "input.agencyCode",
      "input.url",
    ]);
    expect(shardInputProblems(subgraphs, { subgraph: "feedback", agencyCode: "MOJ", url: "not a url" }).map((p) => p.path)).toEqual(["input.url"]);
    expect(shardInputProblems(subgraphs, { subgraph: "feedback", agencyCode: "MOJ" })).toEqual([]);
  });

  test("a change makes a new table and leaves the old one as it was", () => {
    const before = { catalogue: { MOJ: "http://a/graphql" }, feedback: { MOJ: "http://b/graphql" } };
    const copy = structuredClone(before);
    expect(withShard(before, { subgraph: "catalogue", agencyCode: "ACA" }, "http://c/graphql").catalogue).toEqual({ MOJ: "http://a/graphql", ACA: "http://c/graphql" });
    expect(withShard(before, { subgraph: "catalogue", agencyCode: "MOJ" }, "http://d/graphql").catalogue).toEqual({ MOJ: "http://d/graphql" });
    expect(withShard(before, { subgraph: "catalogue", agencyCode: "MOJ" }, undefined)).toEqual({ catalogue: {}, feedback: { MOJ: "http://b/graphql" } });
    expect(before).toEqual(copy);
  });

  test("the readiness probe is the shard's URL without /graphql", () => {
    expect(readinessUrl("http://catalogue-thpo.agency.example:4101/graphql")).toBe("http://catalogue-thpo.agency.example:4101/readiness");
    expect(readinessUrl("https://shards.example.gov.tw/aca/catalogue/graphql/")).toBe("https://shards.example.gov.tw/aca/catalogue/readiness");
    expect(readinessUrl("http://catalogue-thpo.agency.example:4101/")).toBe("http://catalogue-thpo.agency.example:4101/readiness");
  });
});

describe("routing table", () => {
  test("is copy-on-write: a snapshot taken before a change does not see it", () => {
    const routing = new RoutingTable({ shards: { catalogue: { ACA: "http://aca/graphql", MOJ: "http://moj/graphql" } } });
    const snapshot = routing.shardsOf("catalogue");
    routing.set("catalogue", "THPO", "http://thpo/graphql");
    routing.remove("catalogue", "ACA");
    expect([...snapshot.keys()]).toEqual(["MOJ", "ACA"]);
    expect([...routing.shardsOf("catalogue").keys()]).toEqual(["MOJ", "THPO"]);
  });
});

describe("routing file", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "govgraph-routing-unit-"));
  const topology = { catalogue: { MOJ: "http://moj-c/graphql" }, feedback: { MOJ: "http://moj-f/graphql" } };

  test("round-trips the table and leaves no temporary file", () => {
    const path = join(dir(), "nested", "routing.json");
    expect(loadRoutingFile(path)).toBeUndefined();
    const table = { catalogue: { MOJ: "http://x/graphql", THPO: "http://y/graphql" }, feedback: {} };
    saveRoutingFile(path, table);
    saveRoutingFile(path, withShard(table, { subgraph: "feedback", agencyCode: "MOJ" }, "http://z/graphql"));
    expect(loadRoutingFile(path)).toEqual({ ...table, feedback: { MOJ: "http://z/graphql" } });
    expect(readdirSync(join(path, ".."))).toEqual(["routing.json"]);
  });

  test("without a file the topology's shards start; a file's subgraph replaces the topology's, including an emptied one", () => {
    expect(initialShards(topology, undefined, "f")).toEqual(topology);
    expect(initialShards(topology, { catalogue: {} }, "f")).toEqual({ catalogue: {}, feedback: topology.feedback });
  });

  test("a file that does not fit the gateway stops the start", () => {
    expect(() => initialShards(topology, { metrics: {}, catalogue: { XYZ: "http://x/graphql" } }, "routing.json")).toThrow(
      /routing.json does not fit this gateway: "metrics" is not an agency subgraph .*; catalogue: "XYZ" is not an agency/,
    );
    const path = join(dir(), "routing.json");
    writeFileSync(path, JSON.stringify({ catalogue: ["http://x/graphql"] }));
    expect(() => loadRoutingFile(path)).toThrow(/is not a routing table/);
    expect(readFileSync(path, "utf8")).toContain("http://x/graphql");
  });
});
