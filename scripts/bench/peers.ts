/**
 * What the compare bench measures GovGraph against, each a process of its own
 * (as GovGraph's gateway and shards are), listening on 127.0.0.1:$PORT:
 *   node dist/scripts/bench/peers.js floor <database URL> <pool size>
 *   node dist/scripts/bench/peers.js hive <subgraph URLs, JSON>
 *   node dist/scripts/bench/peers.js apollo <subgraph URLs, JSON>
 * The two gateways forward the client's signed claims unchanged, so each
 * request reaches the shard as its own viewer.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { createGatewayRuntime } from "@graphql-hive/gateway-runtime";
import httpTransport from "@graphql-mesh/transport-http";
import { Pool, types } from "pg";
import { CLAIMS_HEADER } from "../../contract/claims";
import { projectRoot } from "../../contract/config";
import { encodeCursor } from "../../contract/cursor";
import { startServerProcess, type ServerProcess, type ServerProcessOptions } from "../server-process";

export type Peer = "floor" | "hive" | "apollo";
/** Where a peer gateway sends each subgraph's requests. */
export type SubgraphUrls = Record<string, string>;

/** Starts a peer as a process of its own; ready once it answers a query. */
export function startPeerProcess(peer: Peer, args: string[], options: ServerProcessOptions = {}): Promise<ServerProcess> {
  return startServerProcess(join("scripts", "bench", "peers.js"), [peer, ...args], {
    ...options,
    probe: async (url) => (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{ __typename }"}' })).ok,
  });
}

const listen = (server: Server, port: number) => new Promise<void>((resolveListen) => server.listen(port, "127.0.0.1", resolveListen));

/**
 * The floor: what answering the page costs with nothing but node:http and pg.
 * The statements are the catalogue shard's for a public viewer (its page and
 * its count, in parallel), on a pool of the shard's size.
 */
async function serveFloor(port: number, databaseUrl: string, poolSize: number): Promise<void> {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: poolSize,
    types: { getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === types.builtins.DATE ? (value: string) => value : types.getTypeParser(oid, format))) as never },
  });
  const where = "where d0.agency_code = $1 and d0.lifecycle_state in ($2)";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const [page, count] = await Promise.all([
        pool.query(`select d0.* from dataset as d0 ${where} order by d0.issued desc, d0.identifier asc limit $3`, ["MOJ", "PUBLISHED", 21]),
        pool.query(`select count(*) as count from dataset as d0 ${where}`, ["MOJ", "PUBLISHED"]),
      ]);
      const edges = page.rows.slice(0, 20).map((row: { identifier: string; title: string; issued: string }) => ({
        cursor: encodeCursor({ order: "PUBLISHED_DESC", values: [row.issued, row.identifier], directions: ["desc", "asc"] }),
        node: { identifier: row.identifier, title: row.title, issued: row.issued },
      }));
      const datasets = { totalCount: Number(count.rows[0].count), edges, pageInfo: { hasNextPage: page.rows.length > 20, endCursor: edges.at(-1)?.cursor ?? null } };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { datasets } }));
    });
  });
  await listen(server, port);
}

/** The plain Hive Gateway runtime: the supergraph, http transport to the given URLs, and nothing of GovGraph's. */
async function serveHive(port: number, supergraph: string, urls: SubgraphUrls): Promise<void> {
  const runtime = createGatewayRuntime({
    supergraph,
    transports: { http: httpTransport },
    transportEntries: Object.fromEntries(Object.entries(urls).map(([name, location]) => [name, { location }])),
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ [CLAIMS_HEADER]: request.headers.get(CLAIMS_HEADER) ?? "" }) },
    logging: false,
    landingPage: false,
    graphqlEndpoint: "/graphql",
  });
  await listen(createServer(runtime), port);
}

/** Apollo Gateway with Apollo Server 5 on the supergraph's SDL. */
async function serveApollo(port: number, supergraph: string, urls: SubgraphUrls): Promise<void> {
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph,
    buildService: ({ name }) =>
      new RemoteGraphQLDataSource<{ claims?: string }>({
        url: urls[name],
        willSendRequest: ({ request, context }) => void request.http?.headers.set(CLAIMS_HEADER, context.claims ?? ""),
      }),
  });
  await startStandaloneServer(new ApolloServer<{ claims?: string }>({ gateway }), {
    listen: { port, host: "127.0.0.1" },
    context: async ({ req }) => ({ claims: typeof req.headers[CLAIMS_HEADER] === "string" ? req.headers[CLAIMS_HEADER] : undefined }),
  });
}

async function main(): Promise<void> {
  const [peer, ...args] = process.argv.slice(2);
  const port = Number(process.env.PORT);
  const supergraph = () => readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8");
  if (peer === "floor") await serveFloor(port, args[0], Number(args[1]));
  else if (peer === "hive") await serveHive(port, supergraph(), JSON.parse(args[0]) as SubgraphUrls);
  else if (peer === "apollo") await serveApollo(port, supergraph(), JSON.parse(args[0]) as SubgraphUrls);
  else throw new Error("usage: peers.js floor <database URL> <pool size> | hive <subgraph URLs> | apollo <subgraph URLs>");
  // The bench stops a peer with SIGTERM. The Hive runtime takes that signal to dispose of itself, which leaves its server listening.
  process.once("SIGTERM", () => process.exit(0));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
