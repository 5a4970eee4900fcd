/**
 * Runs one instance of a subgraph: its own database (created and migrated on
 * start, seeded until a seed has completed once), Apollo Server 5 for queries
 * and mutations (graphql-http.ts), graphql-ws on the same path for
 * subscriptions, and on express the plain routes: /healthcheck (alive),
 * /readiness (database reachable, not draining), /metrics (Prometheus; see
 * observability.ts) and the subgraph's own.
 */
import { createServer, type Server } from "node:http";
import { ApolloServer, type BaseContext } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { UniqueConstraintViolationException, type MikroORM } from "@mikro-orm/postgresql";
import express from "express";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { claimsVerifier, CLAIMS_HEADER } from "../../contract/claims";
import { config, loadSecrets } from "../../contract/config";
import { databaseName, databaseUrl, ensureDatabase } from "./database";
import { ErrorCode, httpStatusOf, isErrorCode } from "../../contract/errors";
import { OutboxFeed } from "./outbox-feed";
import { listen } from "../../contract/listen";
import { loggerFor, type Logger } from "../../contract/logger";
import { schemaHash, ServerMetrics, VERSION } from "../../contract/metrics";
import { traceRequest } from "../../contract/tracing";
import { graphqlHttpHandler, GRAPHQL_PATH, internalErrorMessage, isGraphQLRequest, sendErrors } from "./graphql-http";
import { observeDatabase, requestMetricsPlugin, spanAttributes, streamObserver } from "./observability";
import { migrate, openOrm, seedOnce } from "./orm";
import { subgraphSchema, subgraphSdl } from "./schema";
import type { SubgraphContext, SubgraphDefinition } from "./subgraph";
import type { InstanceInfo } from "./instance";

export interface InstanceOptions {
  /** Agency code, for an agency subgraph. */
  agencyCode?: string;
  /** URL of the PostgreSQL server; the instance's own database is created on it. */
  serverUrl: string;
  port?: number;
  host?: string;
  /** Seed the database unless a seed completed in it before (default true). */
  seed?: boolean;
  /** Prefix of the database name (default GOVGRAPH_DB_PREFIX): lets tests share a server. */
  databasePrefix?: string;
  /** The gateway's URL for background work that asks it things (metrics), instead of GOVGRAPH_GATEWAY_URL (tests). */
  gatewayUrl?: string;
  /** Connections of its pool, instead of GOVGRAPH_DB_POOL_SIZE (many simulated shards on one server: npm run bench -- index). */
  poolSize?: number;
  /** Run the subgraph's background work (default true); false for an instance started only to prepare its database (the benches). */
  background?: boolean;
}

export interface RunningInstance {
  info: InstanceInfo;
  url: string;
  port: number;
  database: string;
  orm: MikroORM;
  log: Logger;
  stop(): Promise<void>;
}

/**
 * A unique constraint PostgreSQL enforced (two writers of one identifier at
 * once, a duplicate key): CONFLICT, naming the fields, as a mutation would
 * had it seen the other write first. The transaction was rolled back.
 */
function uniqueViolationConflict(error: unknown, path: GraphQLFormattedError["path"]): GraphQLFormattedError | null {
  const cause = error instanceof GraphQLError ? error.originalError : error;
  if (!(cause instanceof UniqueConstraintViolationException)) return null;
  const detail = String((cause as { detail?: unknown }).detail ?? "");
  const columns = (/^Key \(([^)]+)\)=/.exec(detail)?.[1] ?? "").split(",").map((column) => column.trim()).filter(Boolean);
  const fields = columns.map((column) => ({ path: `input.${column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())}`, reason: "already taken" }));
  const what = fields.length > 0 ? fields.map((field) => field.path.slice("input.".length)).join(", ") : "a unique value";
  return {
    message: `Another write took the same ${what} first; nothing was written. Read the current state and retry if needed.`,
    path,
    extensions: { code: ErrorCode.CONFLICT, fields },
  };
}

/** Internal failures keep their details in the log, not in the answer. */
function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const conflict = uniqueViolationConflict(error, formatted.path);
    if (conflict) return conflict;
    const code = formatted.extensions?.code;
    if (isErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) return formatted;
    if (typeof code === "string" && code.startsWith("GRAPHQL_")) {
      return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT } };
    }
    log.error({ err: error instanceof GraphQLError ? (error.originalError ?? error) : error }, "resolver failed");
    return {
      message: internalErrorMessage,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

export async function startInstance<L, S>(definition: SubgraphDefinition<L, S>, options: InstanceOptions): Promise<RunningInstance> {
  if (definition.sharded && !options.agencyCode) throw new Error(`${definition.name} is an agency subgraph: give an agency code`);
  const info: InstanceInfo = { subgraph: definition.name, agencyCode: options.agencyCode };
  const log = loggerFor(definition.name, options.agencyCode);
  const secrets = loadSecrets();
  const settings = definition.configure?.(config, secrets) as S;

  const database = databaseName(definition.name, options.agencyCode, options.databasePrefix);
  await ensureDatabase(options.serverUrl, database);
  const orm = await openOrm({
    url: databaseUrl(options.serverUrl, database),
    entities: definition.entities,
    migrations: definition.migrations,
    log,
    poolSize: options.poolSize,
  });
  try {
    const applied = await migrate(orm);
    if (applied.length > 0) log.info({ migrations: applied }, "migrations applied");
    if (options.seed !== false && definition.seed && (await seedOnce(orm, (em) => definition.seed!(em, info, settings)))) log.info("seeded");
  } catch (error) {
    await orm.close(true);
    throw error;
  }

  const schema = await subgraphSchema(definition as SubgraphDefinition<any, any>);
  const metrics = new ServerMetrics({
    service: definition.name,
    agencyCode: options.agencyCode,
    version: VERSION,
    schemaHash: schemaHash(await subgraphSdl(definition as SubgraphDefinition<any, any>)),
  });
  observeDatabase(orm, metrics, info);
  const events = new OutboxFeed(databaseUrl(options.serverUrl, database), options.agencyCode, log, streamObserver(metrics));
  await events.start();
  const runtime = { orm, instance: info, log, settings, gatewayUrl: options.gatewayUrl ?? config.gatewayUrl, events };
  definition.metrics?.(metrics, runtime);

  const jobs = options.background === false ? [] : (definition.background?.(runtime) ?? []);

  const viewerOfClaims = claimsVerifier(secrets.internalSecret);
  const contextFor = async (claimsHeader: string | string[] | undefined): Promise<SubgraphContext<L, S>> => {
    const viewer = await viewerOfClaims(Array.isArray(claimsHeader) ? claimsHeader[0] : claimsHeader);
    const em = orm.em.fork();
    return { viewer, em, loaders: definition.createLoaders(em, info, settings), instance: info, log, events, settings };
  };

  const app = express();
  const httpServer: Server = createServer();
  let draining = false;

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: config.maxBodyBytes });
  const wsCleanup = useServer(
    {
      schema,
      context: async (ctx) => {
        const fromParams = ctx.connectionParams?.[CLAIMS_HEADER];
        const fromHeaders = ctx.extra.request.headers[CLAIMS_HEADER];
        return contextFor(typeof fromParams === "string" ? fromParams : typeof fromHeaders === "string" ? fromHeaders : undefined);
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<BaseContext>({
    schema,
    formatError: formatError(log),
    includeStacktraceInErrorResponses: false,
    // Signals are the process's business (scripts/serve.ts stops every instance it runs).
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.drainTimeoutMs }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      // No field sets a cache hint (answers are cached by the subgraphs themselves): the plugin would only weigh every field.
      ApolloServerPluginCacheControlDisabled(),
      requestMetricsPlugin(metrics),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();

  app.get("/healthcheck", (_req, res) => { res.json({ status: "alive" }); });
  app.get("/readiness", async (_req, res) => {
    const db = await orm.checkConnection();
    const ready = !draining && db.ok;
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : draining ? "draining" : "database unreachable", ...info });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.text());
  });
  const traced = spanAttributes(info);
  for (const [path, route] of Object.entries(definition.routes ?? {})) {
    app.get(path, (req, res, next) => traceRequest(req, res, traced, next), async (req, res) => {
      try {
        const context = await contextFor(req.headers[CLAIMS_HEADER]);
        await route({ params: req.params as Record<string, string>, query: new URL(req.originalUrl, "http://subgraph").searchParams }, res, context);
      } catch (error) {
        const code = error instanceof GraphQLError ? error.extensions.code : undefined;
        if (!isErrorCode(code) || code === ErrorCode.INTERNAL_SERVER_ERROR) log.error({ err: error, path: req.path }, "route failed");
        // Once rows are on their way, a failure can only cut the answer short.
        if (res.headersSent) return void res.destroy();
        const status = isErrorCode(code) ? httpStatusOf(code) : 500;
        const message = status < 500 || code === ErrorCode.SHARD_UNAVAILABLE ? (error as Error).message : internalErrorMessage;
        sendErrors(res, status, message, isErrorCode(code) ? code : ErrorCode.INTERNAL_SERVER_ERROR, error instanceof GraphQLError && error.extensions.fields ? { fields: error.extensions.fields } : {});
      }
    });
  }

  // A request refused before its route (a malformed URL, say) gets a GraphQL error, never express's HTML page with a stack.
  app.use((error: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = error.status ?? 500;
    if (status >= 500) log.error({ err: error }, "request failed before its route");
    sendErrors(res, status, status < 500 ? "The request could not be read." : internalErrorMessage, status < 500 ? ErrorCode.BAD_USER_INPUT : ErrorCode.INTERNAL_SERVER_ERROR);
  });

  const serveGraphQL = graphqlHttpHandler(apollo, {
    maxBodyBytes: config.maxBodyBytes,
    context: (req) => contextFor(req.headers[CLAIMS_HEADER]) as unknown as Promise<BaseContext>,
    log,
  });
  httpServer.on("request", (req, res) => {
    if (isGraphQLRequest(req.url)) traceRequest(req, res, traced, () => void serveGraphQL(req, res));
    else app(req, res);
  });

  const { port, url } = await listen(httpServer, options.port ?? 0, options.host ?? config.host);
  log.info({ url, database }, "subgraph listening");

  return {
    info, url, port, database, orm, log,
    async stop() {
      draining = true;
      await Promise.all(jobs.map((job) => job.stop()));
      await events.close();
      await apollo.stop();
      await orm.close(true);
      log.info("stopped");
    },
  };
}
