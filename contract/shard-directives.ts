/**
 * The shard contract, as schema directives (see gateway/shard-router/PROTOCOL.md).
 * Agency subgraphs declare them; composition keeps them (@composeDirective),
 * and the gateway reads them from the supergraph to route every root field
 * and entity. Nothing about routing is guessed from field names.
 */
import { DirectiveLocation, GraphQLDirective, GraphQLNonNull, GraphQLString } from "graphql";
import type { FieldProblem } from "./errors";

export const SHARD_SPEC_URL = "https://specs.govgraph.dev/shard/v0.1";

export const MergeStrategy = {
  /** Lists concatenated, shards in routing-table order. */
  LIST: "LIST",
  /** Objects of counts and sums added field by field. */
  AGGREGATE: "AGGREGATE",
  /** Relay connections merged with keyset pagination across shards. */
  CONNECTION: "CONNECTION",
  /** Subscriptions: one upstream stream per shard, merged, resumable per shard. */
  STREAM: "STREAM",
} as const;
export type MergeStrategy = (typeof MergeStrategy)[keyof typeof MergeStrategy];

/** The type of the marker event that opens a shard's stream with its current position (STREAM strategy). */
export const POSITION_MARKER = "STREAM_POSITION";

/** The most a stream's `recent` argument may ask for: each agency's latest events to begin with (STREAM strategy). */
export const MOST_RECENT_EVENTS = 100;

/** What is wrong with a stream's `recent` argument (absent is none). */
export function recentEventsProblems(recent: unknown): FieldProblem[] {
  const fits = recent === null || recent === undefined || (Number.isInteger(recent) && (recent as number) >= 0 && (recent as number) <= MOST_RECENT_EVENTS);
  return fits ? [] : [{ path: "recent", reason: `must be between 0 and ${MOST_RECENT_EVENTS}` }];
}

export const shardKeyDirective = new GraphQLDirective({
  name: "shardKey",
  description: "The field of this entity's @key that names the agency owning it.",
  locations: [DirectiveLocation.OBJECT],
  args: { field: { type: new GraphQLNonNull(GraphQLString) } },
});

export const shardByDirective = new GraphQLDirective({
  name: "shardBy",
  description: "Route this root field to the one shard named by the agency code at `argument` (a dotted path, e.g. input.agencyCode).",
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: { argument: { type: new GraphQLNonNull(GraphQLString) } },
});

export const shardFanOutDirective = new GraphQLDirective({
  name: "shardFanOut",
  description:
    "Send this root field to every shard, or to those whose codes are in the list argument `subset`, and merge the answers with `merge` (LIST, AGGREGATE, CONNECTION; STREAM for subscriptions).",
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    merge: { type: new GraphQLNonNull(GraphQLString) },
    subset: { type: GraphQLString },
  },
});

export const shardDirectives = [shardKeyDirective, shardByDirective, shardFanOutDirective];

/** The schema extension an agency subgraph adds so that composition keeps the shard directives. */
export const shardLinkSdl =
  `@link(url: "${SHARD_SPEC_URL}", import: [${shardDirectives.map((d) => `"@${d.name}"`).join(", ")}]) ` +
  shardDirectives.map((d) => `@composeDirective(name: "@${d.name}")`).join(" ");
