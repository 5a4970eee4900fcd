/**
 * What the compare bench measures GovGraph against, each a process of its own
 * (as GovGraph's gateway and shards are), listening on 127.0.0.1:$PORT:
 *   node dist/scripts/bench/peers.js floor <database URL> <pool size>
 *   node dist/scripts/bench/peers.js write-floor <database URLs by agency, JSON> <pool size>
 *   node dist/scripts/bench/peers.js hive <subgraph URLs, JSON>
 *   node dist/scripts/bench/peers.js apollo <subgraph URLs, JSON>
 * The two gateways forward the client's signed claims unchanged, so each
 * request reaches the shard as its own viewer.
 */
import { randomUUID } from "node:crypto";
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
import { config, projectRoot } from "../../contract/config";
import { encodeCursor } from "../../contract/cursor";
import { configuredDeadlinePolicy, replyDueAt } from "../../subgraphs/feedback/deadline";
import { remindersFor } from "../../subgraphs/feedback/reminders";
import { startServerProcess, type ServerProcess, type ServerProcessOptions } from "../server-process";

export type Peer = "floor" | "write-floor" | "hive" | "apollo";
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

/**
 * The floor of a write: what storing a public comment costs with nothing but node:http and pg. Each request
 * (submitFeedback's variables) goes to its agency's database, on a pool of the shard's size per agency, as the
 * feedback shard's own statement (submission.ts): the submitter's quota, the comment, its receipt, its event and its
 * reminders, in one round trip. No authentication, validation or GraphQL.
 */
async function serveWriteFloor(port: number, databaseUrls: Record<string, string>, poolSize: number): Promise<void> {
  const pools = new Map(Object.entries(databaseUrls).map(([agencyCode, url]) => [agencyCode, new Pool({ connectionString: url, max: poolSize })]));
  const deadline = configuredDeadlinePolicy(config);
  const hour = 60 * 60 * 1000;
  const store = async (input: Record<string, string>, client: string): Promise<string> => {
    const receivedAt = new Date();
    const dueAt = replyDueAt(receivedAt, deadline);
    const id = randomUUID();
    const [dueSoon, overdue] = remindersFor(dueAt, deadline);
    const { rows } = await pools.get(input.agencyCode)!.query(
      `with quota as (
         insert into submission_quota (client, window_start, submissions) values ($1, $2, 1)
         on conflict (client, window_start) do update set submissions = submission_quota.submissions + 1 where submission_quota.submissions < $3
         returning submissions),
       comment as (
         insert into feedback (id, agency_code, email, comment_type, title, body, received_at, reply_due_at, state)
         select $4, $5, $6, $7, $8, $9, $10, $11, 'RECEIVED' from quota),
       receipt as (
         insert into feedback_transition (id, feedback_id, action, from_state, to_state, actor, actor_role, at)
         select $12, $4, 'RECEIVE', null, 'RECEIVED', $1, 'PUBLIC', $10 from quota),
       event as (
         insert into outbox_event (id, type, subject_id, payload) select $13, 'FeedbackReceived', $4, $14 from quota),
       reminders as (
         insert into reminder (feedback_id, kind, fire_at) select $4, kind, fire_at from quota, (values ($15, $16::timestamptz), ($17, $18::timestamptz)) as r (kind, fire_at))
       select submissions from quota`,
      [
        client,
        new Date(Math.floor(receivedAt.getTime() / hour) * hour),
        config.feedbackSubmissionsPerHour,
        id,
        input.agencyCode,
        input.email,
        input.commentType,
        input.title,
        input.body,
        receivedAt,
        dueAt,
        randomUUID(),
        randomUUID(),
        JSON.stringify({ agencyCode: input.agencyCode, title: input.title, receivedAt, replyDueAt: dueAt, answeredAt: null }),
        dueSoon.kind,
        dueSoon.fireAt,
        overdue.kind,
        overdue.fireAt,
      ],
    );
    if (rows.length === 0) throw new Error("over the quota");
    return id;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const input = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { variables?: { input: Record<string, string> } }).variables?.input;
      // Not a comment: the readiness probe's `{ __typename }`.
      if (!input) return void res.writeHead(200, { "content-type": "application/json" }).end('{"data":{"__typename":"Query"}}');
      const client = `address:${String(req.headers["x-forwarded-for"] ?? req.socket.remoteAddress)}`;
      try {
        const id = await store(input, client);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { submitFeedback: { feedback: { id } } } }));
      } catch (error) {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ message: String(error) }] }));
      }
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
  else if (peer === "write-floor") await serveWriteFloor(port, JSON.parse(args[0]) as Record<string, string>, Number(args[1]));
  else if (peer === "hive") await serveHive(port, supergraph(), JSON.parse(args[0]) as SubgraphUrls);
  else if (peer === "apollo") await serveApollo(port, supergraph(), JSON.parse(args[0]) as SubgraphUrls);
  else throw new Error("usage: peers.js floor <database URL> <pool size> | write-floor <database URLs> <pool size> | hive <subgraph URLs> | apollo <subgraph URLs>");
  // The bench stops a peer with SIGTERM. The Hive runtime takes that signal to dispose of itself, which leaves its server listening.
  process.once("SIGTERM", () => process.exit(0));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
