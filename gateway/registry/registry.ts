/**
 * The run-time shard registry: the ministry admits, moves and removes agency
 * shards through the gateway (GraphQL), without a restart and without
 * failing requests in flight (the routing table is copy-on-write). A shard
 * is admitted only when its SDL is the canonical one of its subgraph;
 * every change is persisted when a routing file is configured.
 */
import agencies from "../../schema/agencies.json";
import { Role, signClaims, SYSTEM_SUBJECTS, type Viewer } from "../../subgraphs/kit/claims";
import { requireRole } from "../../subgraphs/kit/authorization";
import { badUserInput, ErrorCode, govError, notFound } from "../../subgraphs/kit/errors";
import type { Logger } from "../../subgraphs/kit/logger";
import type { RoutingTable } from "../shard-router/routing-table";
import { checkAdmission } from "./admission";
import type { HealthMonitor, ShardHealth } from "./health";
import { saveRoutingFile } from "./store";

export interface Shard extends ShardHealth {
  subgraph: string;
  agencyCode: string;
  url: string;
}

export interface RegistryOptions {
  routing: RoutingTable;
  health: HealthMonitor;
  internalSecret: string;
  routingFile?: string;
  timeoutMs: number;
  log: Logger;
}

const knownAgencies = new Set(agencies.agencies.map((agency) => agency.code));

export class ShardRegistry {
  constructor(private readonly options: RegistryOptions) {}

  list(): Shard[] {
    const { routing, health } = this.options;
    return routing.subgraphs().flatMap((subgraph) =>
      [...routing.shardsOf(subgraph)].map(([agencyCode, url]) => ({ subgraph, agencyCode, url, ...health.of(url) })),
    );
  }

  private validate(viewer: Viewer, subgraph: string, agencyCode: string, url?: string): void {
    requireRole(viewer, [Role.MINISTRY_ADMIN], "change the shard registry");
    const problems = [];
    if (!this.options.routing.subgraphs().includes(subgraph)) {
      problems.push({ path: "input.subgraph", reason: `is not an agency subgraph (${this.options.routing.subgraphs().join(", ")})` });
    }
    if (!knownAgencies.has(agencyCode)) problems.push({ path: "input.agencyCode", reason: "is not an agency of schema/agencies.json" });
    if (url !== undefined && !/^https?:\/\/[^/]+\/\S*$/.test(url)) problems.push({ path: "input.url", reason: "must be an http(s) URL of the shard's GraphQL endpoint" });
    if (problems.length > 0) throw badUserInput(problems);
  }

  /** Admits a shard, or moves an agency's shard to a new URL, once its SDL checks out. */
  async admit(viewer: Viewer, subgraph: string, agencyCode: string, url: string): Promise<Shard> {
    this.validate(viewer, subgraph, agencyCode, url);
    const claims = await signClaims({ sub: SYSTEM_SUBJECTS.REGISTRY, role: Role.MINISTRY_ADMIN }, this.options.internalSecret, 60);
    const check = await checkAdmission(subgraph, url, claims, this.options.timeoutMs);
    if (!check.ok) {
      const message = `The ${subgraph} shard of ${agencyCode} at ${url} was not admitted: ${check.reason}.`;
      if (check.unreachable) throw govError(ErrorCode.SHARD_UNAVAILABLE, message, { agencyCode, subgraph });
      throw govError(ErrorCode.BAD_USER_INPUT, check.diff ? `${message}\n${check.diff}` : message, {
        fields: [{ path: "input.url", reason: check.reason }],
        diff: check.diff,
      });
    }
    const previous = this.options.routing.shardsOf(subgraph).get(agencyCode);
    const shards = this.options.routing.toJSON();
    this.persist({ ...shards, [subgraph]: { ...shards[subgraph], [agencyCode]: url } });
    this.options.routing.set(subgraph, agencyCode, url);
    await this.options.health.probeOne(url);
    this.options.log.info({ subgraph, agencyCode, url, previous }, previous ? "shard moved" : "shard admitted");
    return this.list().find((shard) => shard.subgraph === subgraph && shard.agencyCode === agencyCode)!;
  }

  remove(viewer: Viewer, subgraph: string, agencyCode: string): Shard {
    this.validate(viewer, subgraph, agencyCode);
    const shard = this.list().find((s) => s.subgraph === subgraph && s.agencyCode === agencyCode);
    if (!shard) throw notFound(`The ${subgraph} shard of ${agencyCode}`);
    const { [agencyCode]: _removed, ...remaining } = this.options.routing.toJSON()[subgraph];
    this.persist({ ...this.options.routing.toJSON(), [subgraph]: remaining });
    this.options.routing.remove(subgraph, agencyCode);
    this.options.log.info({ subgraph, agencyCode, url: shard.url }, "shard removed");
    return shard;
  }

  /** Writes the table a change will produce, before applying it: a change that cannot be kept is not made. */
  private persist(shards: ReturnType<RoutingTable["toJSON"]>): void {
    if (!this.options.routingFile) return;
    try {
      saveRoutingFile(this.options.routingFile, shards);
    } catch (error) {
      this.options.log.error({ err: error, file: this.options.routingFile }, "routing table not saved; the change was not made");
      throw govError(ErrorCode.INTERNAL_SERVER_ERROR, `The routing table could not be saved to ${this.options.routingFile}; nothing was changed.`);
    }
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
    "Why the last health probe or admission failed."
    lastError: String
    "Time of the last readiness probe, in milliseconds."
    latencyMs: Int
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
    "Every agency shard the gateway routes to, with its health (MINISTRY_ADMIN)."
    shards: [Shard!]!
  }

  extend type Mutation {
    "Admits an agency's shard, or moves it to a new URL, once its SDL is the canonical one (MINISTRY_ADMIN)."
    admitShard(input: AdmitShardInput!): AdmitShardPayload!
    "Stops routing to an agency's shard (MINISTRY_ADMIN)."
    removeShard(input: RemoveShardInput!): RemoveShardPayload!
  }
`;

type Context = { viewer?: Viewer };

export function registryResolvers(registry: ShardRegistry) {
  const viewerOf = (context: Context): Viewer => context.viewer ?? { sub: "anonymous", role: Role.PUBLIC };
  return {
    Query: {
      shards: (_: unknown, __: unknown, context: Context) => {
        requireRole(viewerOf(context), [Role.MINISTRY_ADMIN], "list the shards");
        return registry.list();
      },
    },
    Mutation: {
      admitShard: async (_: unknown, { input }: { input: { subgraph: string; agencyCode: string; url: string } }, context: Context) => ({
        shard: await registry.admit(viewerOf(context), input.subgraph, input.agencyCode, input.url),
      }),
      removeShard: (_: unknown, { input }: { input: { subgraph: string; agencyCode: string } }, context: Context) => ({
        shard: registry.remove(viewerOf(context), input.subgraph, input.agencyCode),
      }),
    },
  };
}
