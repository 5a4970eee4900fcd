/**
 * Standard mode: `npm run gateway -- --supergraph FILE --port PORT` serves any
 * Federation 2 supergraph, with no shards, as the engine does.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeServices } from "@apollo/composition";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { projectRoot } from "../contract/config";
import { freePort } from "./processes";

const products = [
  { upc: "1", name: "Open data handbook" },
  { upc: "2", name: "Metadata standard" },
];
const reviews = [
  { upc: "1", body: "Clear." },
  { upc: "1", body: "Useful." },
  { upc: "2", body: "Dense." },
];

const subgraphDefinitions = [
  {
    name: "products",
    typeDefs: parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Product @key(fields: "upc") { upc: ID! name: String! }
      type Query { products: [Product!]! }`),
    resolvers: {
      Query: { products: () => products },
      Product: { __resolveReference: (ref: { upc: string }) => products.find((p) => p.upc === ref.upc) },
    },
  },
  {
    name: "reviews",
    typeDefs: parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Product @key(fields: "upc") { upc: ID! reviews: [Review!]! }
      type Review { body: String! }`),
    resolvers: { Product: { reviews: (product: { upc: string }) => reviews.filter((r) => r.upc === product.upc) } },
  },
];

const servers: ApolloServer[] = [];
let gateway: ChildProcess;
let gatewayPort: number;
/** What the gateway wrote to stderr (passed on as it arrives). */
let gatewayStderr = "";

beforeAll(async () => {
  const services = [];
  for (const definition of subgraphDefinitions) {
    const server = new ApolloServer({
      schema: buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers as never }]),
      plugins: [ApolloServerPluginInlineTraceDisabled()],
    });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: "127.0.0.1" } });
    servers.push(server);
    services.push({ name: definition.name, typeDefs: definition.typeDefs, url });
  }
  const composed = composeServices(services);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join("\n"));
  const file = join(mkdtempSync(join(tmpdir(), "govgraph-standard-")), "supergraph.graphql");
  writeFileSync(file, composed.supergraphSdl);

  gatewayPort = await freePort();
  gateway = spawn(process.execPath, [join(projectRoot, "dist", "scripts", "gateway.js"), "--supergraph", file, "--port", String(gatewayPort)], {
    env: process.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  gateway.stderr!.on("data", (chunk: Buffer) => {
    gatewayStderr += chunk.toString();
    process.stderr.write(chunk);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${gatewayPort}/readiness`).then((r) => r.status, () => 0);
    if (ready === 200) break;
    if (Date.now() > deadline || gateway.exitCode !== null) throw new Error("the standard-mode gateway did not become ready");
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
  }
}, 60_000);

afterAll(async () => {
  gateway?.kill("SIGTERM");
  await Promise.all(servers.map((server) => server.stop()));
});

test("serves a plain supergraph, resolving entities across its subgraphs", async () => {
  const response = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ products { upc name reviews { body } } }" }),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({
    data: {
      products: [
        { upc: "1", name: "Open data handbook", reviews: [{ body: "Clear." }, { body: "Useful." }] },
        { upc: "2", name: "Metadata standard", reviews: [{ body: "Dense." }] },
      ],
    },
  });
});

test("a busy gateway warns of no leak: many subgraph calls in flight at once are not one", async () => {
  const ask = () =>
    fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ products { upc reviews { body } } }" }),
    }).then((response) => response.json());
  const answers = await Promise.all(Array.from({ length: 40 }, ask));
  const answer = { data: { products: [{ upc: "1", reviews: [{ body: "Clear." }, { body: "Useful." }] }, { upc: "2", reviews: [{ body: "Dense." }] }] } };
  expect(answers).toEqual(Array.from({ length: 40 }, () => answer));
  expect(gatewayStderr).not.toContain("MaxListenersExceededWarning");
});
