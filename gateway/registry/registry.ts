/**
 * The run-time shard registry: the ministry admits, moves and removes agency
 * shards through any gateway replica (GraphQL), without a restart and without
 * failing requests in flight (the routing table is copy-on-write). A shard
 * is admitted only when its SDL is the canonical one of its subgraph and it
 * is the instance of the agency it is admitted for. Every change is committed
 * to the shared table first (store.ts) and applied once committed, here at
 * once and on the other replicas when PostgreSQL notifies them; a change
 * that another one overtook while it was checked is refused (CONFLICT).
 */
import { unknownAgencyCodes } from "../../contract/agencies";
import { ANONYMOUS, Role, type Viewer } from "../../contract/claims";
import { requireRole } from "../../contract/authorization";
import { badUserInput, ErrorCode, govError, notFound, type FieldProblem } from "../../contract/errors";
import type { Logger } from "../../contract/logger";
import type { SystemClient } from "../../contract/system-client";
import type { RoutingTable } from "../shard-router/routing-table";
import { checkAdmission } from "./admission";
import type { HealthMonitor, ShardHealth } from "./health";
import type { RoutingStore } from "./store";

export interface ShardAddress {
  subgraph: string;
  agencyCode: string;
}

export interface Shard extends ShardAddress, ShardHealth {
  url: string;
}

export interface RegistryOptions {
  routing: RoutingTable;
  health: HealthMonitor;
  /** Calls shards as the registry (system:registry). */
  system: SystemClient;
  /** The table shared by every replica; without it changes last as long as this process. */
  store?: RoutingStore;
  timeoutMs: number;
  log: Logger;
}

/** Only the ministry's administrators see or change where agencies' data is routed. */
export function requireRegistryAdmin(viewer: Viewer, action: string): void {
  requireRole(viewer, [Role.MINISTRY_ADMIN], action);
}

/** What is wrong with a registry change's input: only agency subgraphs take shards, only agencies of the directory have them. */
export function shardInputProblems(agencySubgraphs: readonly string[], input: ShardAddress & { url?: string }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!agencySubgraphs.includes(input.subgraph)) {
    problems.push({ path: "input.subgraph", reason: `is not an agency subgraph (${agencySubgraphs.join(", ")})` });
  }
  problems.push(...unknownAgencyCodes([input.agencyCode], "input.agencyCode"));
  if (input.url !== undefined && !isHttpUrl(input.url)) problems.push({ path: "input.url", reason: "must be the http(s) URL of the shard's GraphQL endpoint" });
  return problems;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password;
  } catch {
    return false;
  }
}

export class ShardRegistry {
  constructor(private readonly options: RegistryOptions) {}

  list(viewer: Viewer): Shard[] {
    requireRegistryAdmin(viewer, "list the shards");
    return this.all();
  }

  private all(): Shard[] {
    const { routing, health } = this.options;
    return routing.subgraphs().flatMap((subgraph) =>
      [...routing.shardsOf(subgraph)].map(([agencyCode, url]) => ({ subgraph, agencyCode, url, ...health.of(url) })),
    );
  }

  private find({ subgraph, agencyCode }: ShardAddress): Shard | undefined {
    return this.all().find((shard) => shard.subgraph === subgraph && shard.agencyCode === agencyCode);
  }

  /** Admits a shard, or moves an agency's shard to a new URL, once its SDL checks out. */
  async admit(viewer: Viewer, input: ShardAddress & { url: string }): Promise<Shard> {
    requireRegistryAdmin(viewer, "admit or move a shard");
    const problems = shardInputProblems(this.options.routing.subgraphs(), input);
    if (problems.length > 0) throw badUserInput(problems);
    const { subgraph, agencyCode, url } = input;
    // Read before the checks, which take a while: a change committed meanwhile by anyone makes this one a conflict.
    const expected = await this.versionOf(input);
    // The shard refuses unsigned requests; the registry asks as itself, not as the caller.
    const check = await checkAdmission(subgraph, agencyCode, url, this.options.system, this.options.timeoutMs);
    if (!check.ok) {
      const message = `The ${subgraph} shard of ${agencyCode} at ${url} was not admitted: ${check.reason}.`;
      if (check.unreachable) throw govError(ErrorCode.SHARD_UNAVAILABLE, message, { agencyCode, subgraph });
      throw govError(ErrorCode.BAD_USER_INPUT, check.diff ? `${message}\n${check.diff}` : message, {
        fields: [{ path: "input.url", reason: check.reason }],
        ...(check.diff ? { diff: check.diff } : {}),
      });
    }
    const previous = this.options.routing.shardsOf(subgraph).get(agencyCode);
    await this.commit(viewer, input, url, expected);
    await this.options.health.probeOne(url);
    this.options.log.info({ subgraph, agencyCode, url, previous }, previous ? "shard moved" : "shard admitted");
    return this.find(input)!;
  }

  async remove(viewer: Viewer, input: ShardAddress): Promise<Shard> {
    requireRegistryAdmin(viewer, "remove a shard");
    const problems = shardInputProblems(this.options.routing.subgraphs(), input);
    if (problems.length > 0) throw badUserInput(problems);
    const expected = await this.versionOf(input);
    const shard = this.find(input);
    if (!shard) throw notFound(`The ${input.subgraph} shard of ${input.agencyCode}`);
    await this.commit(viewer, input, undefined, expected);
    this.options.log.info({ subgraph: shard.subgraph, agencyCode: shard.agencyCode, url: shard.url }, "shard removed");
    return shard;
  }

  private async versionOf({ subgraph, agencyCode }: ShardAddress): Promise<string | null> {
    try {
      return (await this.options.store?.versionOf(subgraph, agencyCode)) ?? null;
    } catch (error) {
      throw this.unsaved(error);
    }
  }

  /** Commits, then applies: a change that cannot be kept is not made, and one overtaken by another is refused. */
  private async commit(viewer: Viewer, address: ShardAddress, url: string | undefined, expected: string | null): Promise<void> {
    const { routing, store } = this.options;
    const { subgraph, agencyCode } = address;
    if (!store) {
      if (url === undefined) routing.remove(subgraph, agencyCode);
      else routing.set(subgraph, agencyCode, url);
      return;
    }
    let committed: boolean;
    try {
      committed = await store.change({ subgraph, agencyCode, url: url ?? null }, expected, viewer.sub);
    } catch (error) {
      throw this.unsaved(error);
    }
    if (!committed) {
      throw govError(
        ErrorCode.CONFLICT,
        `The ${subgraph} shard of ${agencyCode} was changed by another admission or removal while this one was under way; nothing was changed. Read \`shards\` and try again.`,
        { agencyCode, subgraph },
      );
    }
    await store.refresh();
  }

  private unsaved(error: unknown) {
    this.options.log.error({ err: error }, "the gateway's database refused the change or did not answer; the routing table was not changed");
    return govError(ErrorCode.INTERNAL_SERVER_ERROR, "The routing table could not be saved in the gateway's database; nothing was changed.");
  }
}

/** The gateway's own fields, beside the supergraph's. */
export const registryTypeDefs = /* GraphQL */ `
  enum ShardState { UP DOWN UNKNOWN }

  "An agency's instance of an agency subgraph, as the gateway routes to it."
  type Shard {
    subgraph: String!
    agencyCode: ID!
    url: String!
    state: ShardState!
    "The last failure of the readiness probe (kept after the shard recovers)."
    lastError: String
    "How long the last successful readiness probe took, in milliseconds."
    latencyMs: Int
    "When the shard was last probed."
    checkedAt: DateTime
  }

  input AdmitShardInput {
    subgraph: String!
    agencyCode: ID!
    "The shard's GraphQL endpoint, e.g. http://catalogue-aca:4000/graphql."
    url: String!
  }

  type AdmitShardPayload { shard: Shard! }

  input RemoveShardInput {
    subgraph: String!
    agencyCode: ID!
  }

  type RemoveShardPayload { shard: Shard! }

  extend type Query {
    "Every agency shard the gateway routes to, with its health (MINISTRY_ADMIN; null with FORBIDDEN for others)."
    shards: [Shard!]
  }

  extend type Mutation {
    "Admits an agency's shard, or moves it to a new URL, once it answers with the canonical SDL and as that agency's shard (MINISTRY_ADMIN)."
    admitShard(input: AdmitShardInput!): AdmitShardPayload!
    "Stops routing to an agency's shard (MINISTRY_ADMIN)."
    removeShard(input: RemoveShardInput!): RemoveShardPayload!
  }
`;

type Context = { viewer?: Viewer };

export function registryResolvers(registry: ShardRegistry) {
  const viewerOf = (context: Context): Viewer => context.viewer ?? ANONYMOUS;
  return {
    Query: {
      shards: (_: unknown, __: unknown, context: Context) => registry.list(viewerOf(context)),
    },
    Mutation: {
      admitShard: async (_: unknown, { input }: { input: ShardAddress & { url: string } }, context: Context) => ({
        shard: await registry.admit(viewerOf(context), input),
      }),
      removeShard: async (_: unknown, { input }: { input: ShardAddress }, context: Context) => ({
        shard: await registry.remove(viewerOf(context), input),
      }),
    },
  };
}
