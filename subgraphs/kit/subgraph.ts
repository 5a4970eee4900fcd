import type { ServerResponse } from "node:http";
import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import type { NonEmptyArray } from "type-graphql";
import type { Viewer } from "../../contract/claims";
import type { Config, Secrets } from "../../contract/config";
import type { Stoppable } from "../../contract/jobs";
import type { Logger } from "../../contract/logger";
import type { ServerMetrics } from "../../contract/metrics";
import type { InstanceInfo } from "./instance";
import type { OutboxFeed } from "./outbox-feed";
import type { NamedMigration } from "./orm";


/** What every resolver receives: the verified viewer, a request-scoped EntityManager, per-request DataLoaders and the instance's settings. */
export interface SubgraphContext<Loaders = unknown, Settings = unknown> {
  viewer: Viewer;
  em: EntityManager;
  loaders: Loaders;
  instance: InstanceInfo;
  log: Logger;
  /** The instance's outbox as a live stream, for subscriptions. */
  events: OutboxFeed;
  /** Resolved once at start (SubgraphDefinition.configure). */
  settings: Settings;
}

/** What an instance's background work runs with. */
export interface InstanceRuntime<Settings = unknown> {
  orm: MikroORM;
  instance: InstanceInfo;
  log: Logger;
  settings: Settings;
  /** Where the instance reaches the gateway (metrics follows its routing table there). */
  gatewayUrl: string;
  /** The instance's own outbox as a live stream. */
  events: OutboxFeed;
}

/** A plain HTTP GET route of a subgraph: its path parameters and query string, answered on `res` with the request's context. */
export type HttpRoute<Loaders, Settings> = (
  request: { params: Record<string, string>; query: URLSearchParams },
  res: ServerResponse,
  context: SubgraphContext<Loaders, Settings>,
) => Promise<void>;

export type ReferenceResolver<Loaders, Settings> = (reference: Record<string, unknown>, context: SubgraphContext<Loaders, Settings>) => unknown;

/**
 * Everything the kit needs to run a subgraph: its name, whether it is an
 * agency subgraph (one instance per agency), its ORM entities and migrations,
 * its type-graphql resolvers, entity reference resolvers and seed data.
 */
export interface SubgraphDefinition<Loaders = unknown, Settings = unknown> {
  name: string;
  sharded: boolean;
  entities: (new (...args: never[]) => object)[];
  migrations: NamedMigration[];
  resolvers: NonEmptyArray<Function>;
  /** Entity types that only other subgraphs return (e.g. this subgraph's fields on Agency). */
  orphanedTypes?: Function[];
  /**
   * Plain HTTP GET routes beside /graphql by express path ("/datastore/dump/:resourceId"), for what is
   * not a GraphQL answer (a file download); claims are verified as for /graphql, and an error thrown
   * before the answer starts is sent as `{ errors: [{ message, extensions: { code } }] }` with its HTTP status.
   */
  routes?: Record<string, HttpRoute<Loaders, Settings>>;
  /** `__resolveReference` per entity type name. */
  references: Record<string, ReferenceResolver<Loaders, Settings>>;
  /** This subgraph's settings, resolved once at start from the process configuration (nothing below reads the environment). */
  configure?(config: Config, secrets: Secrets): Settings;
  createLoaders(em: EntityManager, instance: InstanceInfo, settings: Settings): Loaders;
  /** Periodic work the instance runs while it serves (contract/jobs.ts); stopped before the database closes. */
  background?(runtime: InstanceRuntime<Settings>): Stoppable[];
  /** Registers the subgraph's own metrics on the instance's registry (e.g. gauges read from its database when scraped). */
  metrics?(metrics: ServerMetrics, runtime: InstanceRuntime<Settings>): void;
  /** Fills a fresh database with the example data of ../shared/design/DOMAIN.md. */
  seed?(em: EntityManager, instance: InstanceInfo, settings: Settings): Promise<void>;
}
