import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import type { NonEmptyArray } from "type-graphql";
import type { Viewer } from "../../contract/claims";
import type { OutboxFeed } from "./events";
import type { Logger } from "../../contract/logger";
import type { ServerMetrics } from "../../contract/metrics";
import type { NamedMigration } from "./orm";

/** Which instance of which subgraph this is: agency shards name their agency. */
export interface InstanceInfo {
  subgraph: string;
  agencyCode?: string;
}

/** What every resolver receives: the verified viewer, a request-scoped EntityManager and per-request DataLoaders. */
export interface SubgraphContext<Loaders = unknown> {
  viewer: Viewer;
  em: EntityManager;
  loaders: Loaders;
  instance: InstanceInfo;
  log: Logger;
  /** The instance's outbox as a live stream, for subscriptions. */
  events: OutboxFeed;
}

export type ReferenceResolver<Loaders> = (reference: Record<string, unknown>, context: SubgraphContext<Loaders>) => unknown;

/**
 * Everything the kit needs to run a subgraph: its name, whether it is an
 * agency subgraph (one instance per agency), its ORM entities and migrations,
 * its type-graphql resolvers, entity reference resolvers and seed data.
 */
export interface SubgraphDefinition<Loaders = unknown> {
  name: string;
  sharded: boolean;
  entities: (new (...args: never[]) => object)[];
  migrations: NamedMigration[];
  resolvers: NonEmptyArray<Function>;
  /** Entity types that only other subgraphs return (e.g. this subgraph's fields on Agency). */
  orphanedTypes?: Function[];
  /** `__resolveReference` per entity type name. */
  references: Record<string, ReferenceResolver<Loaders>>;
  createLoaders(em: EntityManager, instance: InstanceInfo): Loaders;
  /** Work the instance runs in the background while it serves (e.g. reminders); stopped before the database closes. */
  background?(orm: MikroORM, instance: InstanceInfo, log: Logger): { stop(): Promise<void> };
  /** Registers the subgraph's own metrics on the instance's registry (e.g. gauges read from its database when scraped). */
  metrics?(metrics: ServerMetrics, orm: MikroORM): void;
  /** Fills a fresh database with the example data of ../shared/design/DOMAIN.md. */
  seed?(em: EntityManager, instance: InstanceInfo): Promise<void>;
}
