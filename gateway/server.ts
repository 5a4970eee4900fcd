/**
 * The gateway: Hive Gateway's runtime serving a Federation 2 supergraph over
 * HTTP and graphql-ws on one path, its operations planned by Hive's query
 * planner (engine.ts), with
 * - identity: the user's token verified once per request, the claims
 *   forwarded to every subgraph call signed and short-lived;
 * - the shard router for agency subgraphs (omitted in standard mode, where
 *   the engine alone serves any supergraph);
 * - an operation one subgraph serves whole sent to it as it is, not planned
 *   and executed again (whole-operations.ts);
 * - /healthcheck (alive), /readiness (schema loaded, not draining) and
 *   /metrics (Prometheus), and a trace of every request (observability.ts);
 * - the web console at / (sharded mode), whose GraphQL documents are trusted
 *   (persisted): it sends their ids only; other clients still send any query.
 * - GraphiQL at /graphql for a browser, with every asset served locally.
 */
import { setMaxListeners } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { createGatewayRuntime, getGraphQLWSOptions, type GatewayPlugin } from "@graphql-hive/gateway-runtime";
import httpTransport from "@graphql-mesh/transport-http";
import { useServer } from "graphql-ws/use/ws";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { GraphQLError, Kind } from "graphql";
import { maskError } from "graphql-yoga";
import { WebSocketServer } from "ws";
import { ANONYMOUS, CLAIMS_HEADER, claimsSigner, signClaims, SYSTEM_SUBJECTS, type SystemSubject, type Viewer } from "../contract/claims";
import { config, projectRoot, type Secrets } from "../contract/config";
import { ErrorCode } from "../contract/errors";
import { advisoryLease } from "../contract/advisory-lease";
import { startJob } from "../contract/jobs";
import { createSystemClient } from "../contract/system-client";
import { listen } from "../contract/listen";
import { loggerFor } from "../contract/logger";
import { ATTRIBUTE, traceRequest } from "../contract/tracing";
import { gatewayMetrics, observeShardStates, shardCallObserver, subgraphCallObserver, useObservability, wholeOperationObserver } from "./observability";
import { createTokenVerifier, type TokenVerifier } from "./auth";
import { consoleHandler, loadTrustedDocuments } from "./console";
import { harvestHandler } from "./harvest/routes";
import { datastoreDumpHandler } from "./datastore-dump";
import { answerUnparsable, readJsonBody, useBodyLimit, useCsrfPrevention } from "./http-hygiene";
import { useOperationLimits, type OperationLimits } from "./limits";
import { SubscriptionCounter } from "./subscription-limits";
import { plannedEngine } from "./engine";
import { usePartialAnswers } from "./shard-router/partial-answers";
import { readShardPolicies } from "./shard-router/policies";
import { useSubgraphCallBounds } from "./subgraph-calls";
import { boundedWsTransport } from "./ws-transport";
import { useWholeOperations } from "./whole-operations";
import { RoutingTable } from "./shard-router/routing-table";
import { ShardGuard } from "./shard-router/shard-guard";
import { shardTransport } from "./shard-router/transport";
import { wsStreamOpener } from "./shard-router/ws-stream";
import { EventHub } from "./shard-router/event-hub";
import type { Topology } from "../contract/topology";
import { relayTransfers } from "./transfers";
import { HealthMonitor } from "./registry/health";
import { registryResolvers, registryTypeDefs, ShardRegistry } from "./registry/registry";
import { RoutingStore } from "./registry/store";

export interface GatewayOptions {
  supergraph: string;
  secrets: Secrets;
  /** Where subgraphs and shards listen. Without it the gateway runs in standard mode: the supergraph's own URLs, no shards. */
  topology?: Topology;
  port?: number;
  host?: string;
  /** How long to wait for one shard, or one call to a ministry subgraph (default GOVGRAPH_SHARD_TIMEOUT_MS). */
  shardTimeoutMs?: number;
  /** How often the transfer relay runs (default GOVGRAPH_TRANSFER_INTERVAL_MS). */
  transferIntervalMs?: number;
  /**
   * The gateway's own database (created by the caller), shared by its
   * replicas: the routing table lives there (registry/store.ts), and the
   * transfer relay runs on the one replica holding its lock. Without it,
   * registry changes last as long as the process and the relay runs here.
   */
  database?: string;
  /** A routing file of earlier versions (GOVGRAPH_ROUTING_FILE), imported once into the database when present. */
  routingFile?: string;
  /** Operation limits (default from the configuration); null runs without them, to measure what they cost. */
  operationLimits?: OperationLimits | null;
  /** How often every shard's readiness is probed for the registry (default GOVGRAPH_HEALTH_INTERVAL_MS). */
  healthIntervalMs?: number;
  /** false leaves out /metrics and the request and shard-call instrumentation: only to measure what they cost (npm run bench -- observability). */
  observability?: boolean;
  /** false plans every operation, even one a single subgraph serves whole (whole-operations.ts): only to compare answers and cost. */
  wholeOperations?: boolean;
  /** The built web console to serve at / (default dist/console in sharded mode; none in standard mode). */
  consoleDir?: string;
}

export interface RunningGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface IdentityContext {
  viewer?: Viewer;
  /** The viewer's claims, signed for the subgraphs. */
  subgraphClaims?: string;
  connectionParams?: Record<string, unknown>;
  /** The caller's address: from the HTTP server (req) or the WebSocket upgrade (remoteAddress). */
  req?: { socket?: { remoteAddress?: string } };
  remoteAddress?: string;
}

/** The X-Forwarded-For header of the HTTP request or of the WebSocket upgrade. */
function forwardedFor(ctx: IdentityContext & { request?: Request; upgradeHeaders?: Record<string, unknown> }): string | undefined {
  const header = ctx.request?.headers.get("x-forwarded-for") ?? ctx.upgradeHeaders?.["x-forwarded-for"];
  return typeof header === "string" ? header : undefined;
}

/**
 * The caller's address: the socket's peer, or, when that peer is a trusted
 * reverse proxy, the nearest address in X-Forwarded-For that is not one of
 * those proxies (the ones before it could be written by the client itself).
 */
export function clientAddress(peer: string | undefined, forwarded: string | undefined, trusted: readonly string[]): string {
  const normalized = (address: string) => address.trim().replace(/^::ffff:/, "");
  let address = normalized(peer ?? "unknown");
  if (!forwarded || !trusted.includes(address)) return address;
  const hops = forwarded.split(",").map(normalized).filter(Boolean);
  while (hops.length > 0 && trusted.includes(address)) address = hops.pop()!;
  return address;
}

/**
 * Verifies the caller once per request and keeps the viewer on the context,
 * with the client key that per-client limits count by: the token's subject,
 * else the caller's address.
 */
function useIdentity(verifier: TokenVerifier, internalSecret: string): GatewayPlugin {
  const claimsFor = claimsSigner(internalSecret, config.claimsTtlSeconds);
  return {
    async onContextBuilding({ context, extendContext }) {
      const ctx = context as IdentityContext & { request?: Request };
      const param = (name: string) => {
        const value = ctx.connectionParams?.[name];
        return typeof value === "string" ? value : undefined;
      };
      const authorization = param("authorization") ?? param("Authorization") ?? ctx.request?.headers.get("authorization");
      const systemClaims = param(CLAIMS_HEADER) ?? ctx.request?.headers.get(CLAIMS_HEADER);
      const viewer = await verifier.viewerOf(authorization, systemClaims);
      const address = clientAddress(ctx.remoteAddress ?? ctx.req?.socket?.remoteAddress, forwardedFor(ctx), config.trustedProxies);
      const client = viewer.sub === ANONYMOUS.sub ? `address:${address}` : `subject:${viewer.sub}`;
      const forwarded = { ...viewer, client };
      // For every call this request makes (propagateHeaders); a subscription's connections sign their own.
      extendContext({ viewer: forwarded, subgraphClaims: await claimsFor(forwarded) } as never);
    },
  };
}

/**
 * A variable's value the schema cannot take ("Variable "$first" got invalid value "ten"", a required one left out) is
 * the client's input, refused before anything runs: BAD_USER_INPUT, as the same value written into the query is
 * refused (by validation, or by the subgraph that takes the argument). graphql-js reports it with no code, at the
 * variable's definition, which is how it is known here (as Apollo Server knows it).
 */
function asBadVariableValue(error: unknown): unknown {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined || error.nodes?.length !== 1 || error.nodes[0].kind !== Kind.VARIABLE_DEFINITION) return error;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = loggerFor("gateway");
  // Every subgraph or shard call in flight holds an abort listener on its http executor's shared dispose signal
  // (contract/within-time.ts releases it when the call is over): a busy gateway, sharded or standard, holds hundreds
  // at once without any leak, and Node's leak warning past 10 would be written for each such signal.
  setMaxListeners(0);
  const verifier = createTokenVerifier(options.secrets);
  // Signed once per request by useIdentity; a context it did not build goes as its viewer (or anonymous).
  const claimsOf = async (context: IdentityContext): Promise<string> =>
    context.subgraphClaims ?? signClaims(context.viewer ?? ANONYMOUS, options.secrets.internalSecret, config.claimsTtlSeconds);

  const topology = options.topology;
  const shardTimeoutMs = options.shardTimeoutMs ?? config.shardTimeoutMs;
  const routing = topology ? new RoutingTable({ shards: topology.shards }) : undefined;
  const health = routing ? new HealthMonitor(routing, shardTimeoutMs) : undefined;
  const store =
    topology && routing && options.database
      ? await RoutingStore.open({
          url: options.database,
          topology: topology.shards,
          routing,
          routingFile: options.routingFile,
          log,
          onApplied: () => void health!.probeNew(),
        })
      : undefined;
  // Of several replicas, the one holding the lock in the shared database runs the relay.
  const lease = store ? advisoryLease(options.database!, log) : undefined;
  const observed = options.observability !== false;
  const metrics = gatewayMetrics(options.supergraph);
  if (routing && health) observeShardStates(metrics, routing, health);
  const systemClient = (subject: SystemSubject) =>
    createSystemClient({ subject, internalSecret: options.secrets.internalSecret, claimsTtlSeconds: config.claimsTtlSeconds, timeoutMs: shardTimeoutMs });
  const registry =
    routing && health
      ? new ShardRegistry({
          routing,
          health,
          system: systemClient(SYSTEM_SUBJECTS.REGISTRY),
          store,
          timeoutMs: shardTimeoutMs,
          log,
        })
      : undefined;
  const transportEntries: Record<string, { kind?: string; location?: string; options?: Record<string, unknown> }> = {
    "*": {
      options: {
        // Subscriptions over graphql-ws (ws-transport.ts), as the viewer who asked.
        subscriptions: { kind: "ws", location: "/graphql" },
        // The engine would merge identical calls in flight, and deep-copy every answer to do so (structuredClone, 2.6 %
        // of the gateway's time under load). A call carries its viewer's claims, so only one viewer's identical reads in
        // flight at the same moment could merge: every answer paid the copy for a merge that seldom happens.
        deduplicateInflightRequests: false,
      },
    },
  };
  if (topology && routing) {
    for (const [name, url] of Object.entries(topology.subgraphs)) transportEntries[name] = { location: url };
    for (const name of routing.subgraphs()) transportEntries[name] = { kind: "shard" };
  }
  const policies = routing ? readShardPolicies(options.supergraph, routing.subgraphs()) : new Map();
  const consoleDir = options.consoleDir ?? (topology ? join(projectRoot, "dist", "console") : undefined);
  const trustedDocuments = consoleDir ? loadTrustedDocuments(consoleDir) : new Map<string, string>();
  // How many shards a root field is sent to, for the cost limit: every shard of its subgraph when fanned out.
  const shardsOf = (coordinate: string): number => {
    for (const [subgraph, policy] of policies) {
      const root = policy.rootFields.get(coordinate);
      if (root && root.kind !== "shardBy") return routing!.shardsOf(subgraph).size;
    }
    return 1;
  };

  // One upstream stream per shard and event field, shared by every subscriber of this replica.
  const events = new EventHub({ open: wsStreamOpener(options.secrets.internalSecret, config.claimsTtlSeconds, shardTimeoutMs), window: config.eventWindow, log });
  const runtime = createGatewayRuntime({
    supergraph: options.supergraph,
    unifiedGraphHandler: plannedEngine,
    transports: {
      http: httpTransport,
      ws: boundedWsTransport({ internalSecret: options.secrets.internalSecret, claimsTtlSeconds: config.claimsTtlSeconds, openTimeoutMs: shardTimeoutMs }),
      ...(routing
        ? {
            shard: shardTransport({
              routing,
              policies,
              timeoutMs: shardTimeoutMs,
              openStream: events.open,
              guard: new ShardGuard({ ...config.shardGuard, healthOf: (url) => health!.of(url), reprobe: (url) => void health!.probeOne(url) }),
              log,
              observeCall: observed ? shardCallObserver(metrics) : undefined,
            }),
          }
        : {}),
    },
    transportEntries,
    // Standard mode adds nothing to the supergraph; sharded mode adds the registry's fields.
    ...(registry ? { additionalTypeDefs: registryTypeDefs, additionalResolvers: registryResolvers(registry) } : {}),
    plugins: () => [
      // First: it answers GET /metrics before any other plugin may refuse a plain GET, and times each request from its start.
      ...(observed ? [useObservability(metrics)] : []),
      useCsrfPrevention(),
      useBodyLimit(config.maxBodyBytes),
      ...(options.operationLimits === null ? [] : useOperationLimits(options.operationLimits ?? config.operationLimits, shardsOf)),
      useIdentity(verifier, options.secrets.internalSecret),
      useSubgraphCallBounds({
        routedByShard: (subgraph) => policies.has(subgraph),
        timeoutMs: shardTimeoutMs,
        log,
        observeCall: observed ? subgraphCallObserver(metrics) : undefined,
      }),
      usePartialAnswers(),
      // Last: every plugin before it has seen the execution (and gets its result) when it answers without the engine's plan.
      ...(options.wholeOperations === false ? [] : [useWholeOperations(options.supergraph, observed ? wholeOperationObserver(metrics) : undefined)]),
    ],
    // The console sends the id of a document the build extracted; every other client may still send any document.
    ...(trustedDocuments.size > 0
      ? { persistedDocuments: { getPersistedOperation: (id: string) => trustedDocuments.get(id) ?? null, allowArbitraryDocuments: true } }
      : {}),
    // Same-origin pages (the console) need no CORS; other origins only when listed.
    cors: config.corsOrigins.length > 0 ? { origin: config.corsOrigins, credentials: true } : false,
    propagateHeaders: {
      fromClientToSubgraphs: async ({ context }) => ({ [CLAIMS_HEADER]: await claimsOf(context as IdentityContext) }),
    },
    // The engine's own logger is off; unexpected errors are masked for clients and logged here, with pino.
    logging: false,
    maskedErrors: {
      maskError: (error, message, isDev) => {
        const answered = asBadVariableValue(error);
        const masked = maskError(answered, message, isDev);
        if (masked !== answered) log.error({ err: error }, "unexpected error (masked in the response)");
        return masked;
      },
    },
    landingPage: false,
    // GraphiQL's code is served inline from the installed package: no CDN, so it works on an intranet without internet access.
    renderGraphiQL,
    graphqlEndpoint: "/graphql",
    healthCheckEndpoint: "/healthcheck",
    readinessCheckEndpoint: "/readiness",
  });
  // A graphql-ws operation arriving before the first HTTP request would otherwise find no schema.
  await runtime.getSchema();

  const serveConsole = consoleDir ? consoleHandler(consoleDir, options.secrets) : undefined;
  // Known once listening, unless configured: the harvest routes mint their IRIs under it.
  let publicUrl = config.publicUrl;
  // The catalogue for harvesters (DCAT-AP, CKAN API), read through this gateway's own execution as an anonymous caller.
  const serveHarvest = routing
    ? harvestHandler({
        execute: async (query, variables) => {
          const response = await runtime.fetch("http://gateway/graphql", {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
            body: JSON.stringify({ query, variables }),
          });
          return (await response.json()) as Awaited<ReturnType<Parameters<typeof harvestHandler>[0]["execute"]>>;
        },
        agencyCodes: () => [...routing.shardsOf("catalogue").keys()],
        publicUrl: () => publicUrl!,
        log,
      })
    : undefined;
  const serveDump = routing ? datastoreDumpHandler({ routing, internalSecret: options.secrets.internalSecret, timeoutMs: shardTimeoutMs, log }) : undefined;
  const answer = (req: IncomingMessage, res: ServerResponse) =>
    readJsonBody(req, config.maxBodyBytes).then(
      () => runtime(req, res),
      // The client went away before its body arrived: there is no one to answer.
      () => res.destroy(),
    );
  const graphql = (req: IncomingMessage, res: ServerResponse) =>
    observed ? traceRequest(req, res, { [ATTRIBUTE.service]: "gateway" }, () => void answer(req, res)) : void answer(req, res);
  const httpServer: Server = createServer((req, res) => {
    // The GraphQL endpoint's own path goes straight to it: each other route parses the URL to look for its own.
    if (req.url === "/graphql" || (!serveConsole?.(req, res) && !serveHarvest?.(req, res) && !serveDump?.(req, res))) void graphql(req, res);
  });
  httpServer.on("clientError", answerUnparsable);
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: config.maxBodyBytes });
  type WsExtra = { request?: { socket?: { remoteAddress?: string }; headers?: Record<string, unknown> } };
  const wsOptions = getGraphQLWSOptions(runtime, (ctx) => ({
    connectionParams: ctx.connectionParams ?? {},
    remoteAddress: (ctx.extra as WsExtra).request?.socket?.remoteAddress,
    upgradeHeaders: (ctx.extra as WsExtra).request?.headers,
  }));
  const subscriptions = new SubscriptionCounter(config.subscriptionLimits);
  const wsCleanup = useServer(
    {
      ...wsOptions,
      // Counted by the client's address: a limit per token subject would let one address open any number of anonymous ones.
      async onSubscribe(ctx, id, payload) {
        const { request } = ctx.extra as WsExtra;
        const client = clientAddress(request?.socket?.remoteAddress, forwardedFor({ upgradeHeaders: request?.headers }), config.trustedProxies);
        const refusal = subscriptions.take(ctx, id, client);
        if (refusal) return [refusal];
        try {
          const started = await wsOptions.onSubscribe!(ctx, id, payload);
          // Refused by validation: it never runs, and graphql-ws does not complete it.
          if (Array.isArray(started)) subscriptions.release(ctx, id);
          return started;
        } catch (error) {
          subscriptions.release(ctx, id);
          throw error;
        }
      },
      onComplete: (ctx, id) => subscriptions.release(ctx, id),
      onClose: (ctx) => subscriptions.releaseAll(ctx),
    },
    wsServer,
  );

  const jobs = [
    ...(health
      ? [startJob({ name: "shard-health", intervalMs: options.healthIntervalMs ?? config.healthIntervalMs, runAtStart: true, run: () => health.probe(), log })]
      : []),
    ...(routing && routing.subgraphs().includes("feedback")
      ? [
          startJob({
            name: "transfer-relay",
            intervalMs: options.transferIntervalMs ?? config.transferIntervalMs,
            run: async () => void (await relayTransfers({ routing, system: systemClient(SYSTEM_SUBJECTS.TRANSFER_RELAY), log })),
            lease,
            log,
          }),
        ]
      : []),
  ];

  const { port, url } = await listen(httpServer, options.port ?? 0, options.host ?? config.host);
  publicUrl ??= new URL(url).origin;
  log.info({ url, sharded: Boolean(routing) }, "gateway listening");

  let stopped: Promise<void> | undefined;
  const stop = async () => {
    await Promise.all(jobs.map((job) => job.stop()));
    // Released once no pass runs: another replica takes the relay over at its next tick.
    await lease?.close();
    await wsCleanup.dispose();
    await events.close();
    await new Promise<void>((resolveClose) => {
      httpServer.close(() => resolveClose());
      httpServer.closeIdleConnections();
      setTimeout(() => httpServer.closeAllConnections(), config.drainTimeoutMs).unref();
    });
    await runtime.dispose();
    await store?.close();
    log.info("gateway stopped");
  };
  return { url, port, stop: () => (stopped ??= stop()) };
}
