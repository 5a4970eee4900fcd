import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Role } from "../../contract/claims";
import { RoutingTable } from "../shard-router/routing-table";
import { canonicalSdl, sdlDifference } from "./admission";
import { readinessUrl } from "./health";
import { requireRegistryAdmin, shardInputProblems } from "./registry";
import { loadRoutingFile, routedShards, routesFromFile } from "./store";

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

  test("replacing it keeps the map of a subgraph whose shards did not change, and a snapshot keeps what it saw", () => {
    const routing = new RoutingTable({ shards: { catalogue: { MOJ: "http://moj-c/graphql" }, feedback: { MOJ: "http://moj-f/graphql" } } });
    const feedback = routing.shardsOf("feedback");
    const catalogue = routing.shardsOf("catalogue");
    routing.replace({ catalogue: { ACA: "http://aca-c/graphql", MOJ: "http://moj-c/graphql" }, feedback: { MOJ: "http://moj-f/graphql" } });
    expect(routing.shardsOf("feedback")).toBe(feedback);
    expect([...routing.shardsOf("catalogue")]).toEqual([["MOJ", "http://moj-c/graphql"], ["ACA", "http://aca-c/graphql"]]);
    expect([...catalogue.keys()]).toEqual(["MOJ"]);
  });
});

describe("shared routing table", () => {
  const topology = { catalogue: { MOJ: "http://moj-c/graphql", ACA: "http://aca-c/graphql" }, feedback: { MOJ: "http://moj-f/graphql" } };

  test("the registry's rows lie on the topology: an admission adds or moves a shard, a removal (null) takes it out", () => {
    const routes = [
      { subgraph: "catalogue", agencyCode: "THPO", url: "http://thpo-c/graphql" },
      { subgraph: "catalogue", agencyCode: "MOJ", url: null },
      { subgraph: "feedback", agencyCode: "MOJ", url: "http://moj-f2/graphql" },
      { subgraph: "advisory", agencyCode: "MOJ", url: "http://elsewhere/graphql" },
    ];
    const copy = structuredClone(topology);
    expect(routedShards(topology, routes)).toEqual({
      catalogue: { ACA: "http://aca-c/graphql", THPO: "http://thpo-c/graphql" },
      feedback: { MOJ: "http://moj-f2/graphql" },
    });
    expect(topology).toEqual(copy);
    expect(routedShards(topology, [])).toEqual(topology);
  });

  test("a routing file of earlier versions becomes the rows that route as it did: a subgraph it names is routed as the file says", () => {
    const file = { catalogue: { MOJ: "http://moj-c/graphql", THPO: "http://thpo-c/graphql" } };
    const routes = routesFromFile(topology, file, "routing.json");
    expect(routes).toEqual([
      { subgraph: "catalogue", agencyCode: "THPO", url: "http://thpo-c/graphql" },
      { subgraph: "catalogue", agencyCode: "ACA", url: null },
    ]);
    expect(routedShards(topology, routes)).toEqual({ ...topology, catalogue: file.catalogue });
    expect(routesFromFile(topology, { feedback: {} }, "f")).toEqual([{ subgraph: "feedback", agencyCode: "MOJ", url: null }]);
  });

  test("a routing file that does not fit the gateway stops the start", () => {
    expect(() => routesFromFile(topology, { metrics: {}, catalogue: { XYZ: "http://x/graphql" } }, "routing.json")).toThrow(
      /routing.json does not fit this gateway: "metrics" is not an agency subgraph .*; catalogue: "XYZ" is not an agency/,
    );
    const path = join(mkdtempSync(join(tmpdir(), "govgraph-routing-unit-")), "routing.json");
    expect(loadRoutingFile(path)).toBeUndefined();
    writeFileSync(path, JSON.stringify({ catalogue: ["http://x/graphql"] }));
    expect(() => loadRoutingFile(path)).toThrow(/is not a routing table/);
    expect(readFileSync(path, "utf8")).toContain("http://x/graphql");
  });
});
