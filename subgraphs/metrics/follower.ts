/**
 * Following every agency shard's events. Metrics subscribes to each shard
 * directly (contract/event-stream.ts: `catalogueEvents`/`feedbackEvents(after:
 * <seq>)`, its opening bounded by the system client's timeout),
 * resuming from the position it stored with the figures, and asks the
 * gateway for the routing table every few seconds, so a shard admitted,
 * moved or removed at run time is followed without a restart. Events that
 * arrive while a batch is being applied are applied together in the next
 * one: one transaction per batch, however fast the shard writes.
 */
import type { MikroORM } from "@mikro-orm/postgresql";
import { openEventStream } from "../../contract/event-stream";
import type { OneOperation } from "../../contract/ws-client";
import { startJob, type RunningJob } from "../../contract/jobs";
import type { Logger } from "../../contract/logger";
import type { SystemClient } from "../../contract/system-client";
import { askGateway } from "./gateway-client";
import type { ShardEvent } from "./projection";
import { applyEvents, resetProjection, storedPosition, type ShardKey } from "./store";

/** The event stream of each agency subgraph metrics projects. */
const STREAMS: Record<string, string> = {
  catalogue: "subscription($after: String) { event: catalogueEvents(after: $after) { seq type subjectId payload } }",
  feedback: "subscription($after: String) { event: feedbackEvents(after: $after) { seq type subjectId payload } }",
};

/** Most events applied in one transaction. */
const BATCH = 2000;

export interface FollowerOptions {
  orm: MikroORM;
  system: SystemClient;
  log: Logger;
}

/** Wait before reconnecting: 0.25 s, doubling, at most 5 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 5000);
}

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms).unref());

/** One shard's stream, applied into the projection until stopped. */
export class ShardFollower {
  private stopped = false;
  private stream?: OneOperation<unknown>;
  private readonly done: Promise<void>;

  constructor(
    readonly shard: ShardKey,
    readonly url: string,
    private readonly options: FollowerOptions,
  ) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    const log = this.options.log.child({ shard: `${this.shard.subgraph}:${this.shard.agencyCode}` });
    let attempt = 0;
    while (!this.stopped) {
      try {
        const progressed = await this.follow(await storedPosition(this.options.orm.em.fork(), this.shard));
        attempt = progressed ? 0 : attempt + 1;
      } catch (error) {
        if (this.stopped) break;
        log.warn({ err: error, url: this.url }, "shard stream interrupted; resuming from the stored position");
        attempt += 1;
      }
      if (!this.stopped) await sleep(reconnectDelay(attempt));
    }
  }

  /** Follows the stream from `position` until it ends, fails, or the stored position is found behind it (a rebuild). */
  private async follow(position: string): Promise<boolean> {
    const queue: ShardEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    let failure: unknown;
    const events = openEventStream<{ event: Omit<ShardEvent, "subgraph" | "agencyCode"> }>({
      url: this.url,
      query: STREAMS[this.shard.subgraph],
      variables: { after: position },
      claims: () => this.options.system.claims(),
      openTimeoutMs: this.options.system.timeoutMs,
    });
    this.stream = events;
    const pump = (async () => {
      try {
        for await (const result of events) {
          if (result.errors?.length) throw new Error(result.errors.map((error) => error.message).join("; "));
          queue.push({ ...result.data!.event, ...this.shard });
          wake?.();
        }
      } catch (error) {
        failure = error;
      } finally {
        ended = true;
        wake?.();
      }
    })();
    let expected = position;
    let progressed = false;
    try {
      while (!this.stopped) {
        if (queue.length === 0) {
          if (ended) break;
          await new Promise<void>((resolveWake) => (wake = resolveWake));
          wake = undefined;
          continue;
        }
        const batch = queue.splice(0, BATCH);
        const result = await applyEvents(this.options.orm.em.fork(), this.shard, expected, batch);
        if (result.kind === "behind") return true;
        expected = result.position;
        progressed = true;
      }
      if (failure) throw failure;
      return progressed;
    } finally {
      await events.return();
      await pump;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stream?.return();
    await this.done;
  }
}

export interface ProjectorOptions extends FollowerOptions {
  gatewayUrl: string;
  /** How often the routing table is read again. */
  followIntervalMs: number;
  /** Called once, when every shard followed at start has been projected up to the head it had then. */
  onCaughtUp?(): void;
}

interface RoutedShard {
  subgraph: string;
  agencyCode: string;
  url: string;
}

/** Every shard the gateway routes to, followed; the routing table read again every followIntervalMs. */
export class Projector {
  private readonly followers = new Map<string, ShardFollower>();
  /** The shards' heads when the routing table was first read: the projection has caught up once its positions reach them. */
  private startHeads?: ShardHeads;
  /** Whether the projection has caught up with the shards since this process started (before, its figures are partial). */
  caughtUp = false;
  private headsUnread = false;

  constructor(private readonly options: ProjectorOptions) {}

  /** Follows the routing table as a job (contract/jobs.ts); stopping it stops every follower. */
  start(): RunningJob {
    const job = startJob({ name: "metrics-routing", intervalMs: this.options.followIntervalMs, runAtStart: true, run: () => this.refresh(), log: this.options.log });
    return {
      runOnce: () => job.runOnce(),
      stop: async () => {
        await job.stop();
        await Promise.all([...this.followers.values()].map((follower) => follower.stop()));
        this.followers.clear();
      },
    };
  }

  /** Whether the last read of the routing table failed: said once in the log, not on every pass (the gateway starts after the subgraphs). */
  private routingUnread = false;

  /** Reads the routing table and starts, moves or stops followers to match it; the shards followed stay as they are while the gateway cannot answer. */
  async refresh(): Promise<void> {
    let shards: RoutedShard[];
    try {
      shards = await followedShards(this.options.system, this.options.gatewayUrl);
    } catch (error) {
      if (!this.routingUnread) this.options.log.warn({ err: error }, "the routing table could not be read; following the shards known so far, and asking again");
      this.routingUnread = true;
      return;
    }
    if (this.routingUnread) this.options.log.info("the routing table is read again");
    this.routingUnread = false;
    const wanted = new Map(shards.map((shard) => [`${shard.subgraph}:${shard.agencyCode}`, shard]));
    for (const [key, follower] of this.followers) {
      if (wanted.get(key)?.url === follower.url) continue;
      this.followers.delete(key);
      await follower.stop();
      this.options.log.info({ shard: key }, "stopped following a shard the routing table moved or removed");
    }
    for (const [key, shard] of wanted) {
      if (this.followers.has(key)) continue;
      this.followers.set(key, new ShardFollower({ subgraph: shard.subgraph, agencyCode: shard.agencyCode }, shard.url, this.options));
      this.options.log.info({ shard: key, url: shard.url }, "following shard");
    }
    if (!this.caughtUp) await this.checkCaughtUp(shards);
  }

  /** Reads the shards' heads once (again while a shard cannot tell it), then compares the stored positions with them on every pass. */
  private async checkCaughtUp(shards: RoutedShard[]): Promise<void> {
    try {
      this.startHeads ??= await shardHeads(shards, this.options.system);
    } catch (error) {
      // Said once, not on every pass: a shard that is down may stay down for a while.
      if (!this.headsUnread) this.options.log.info({ err: error }, "a shard's head could not be read; whether the projection has caught up is asked again at each pass");
      this.headsUnread = true;
      return;
    }
    if (!(await projectedUpTo(this.options.orm, this.startHeads)).reached) return;
    this.caughtUp = true;
    this.options.log.info("the projection has caught up with the shards");
    this.options.onCaughtUp?.();
  }
}

/** Shards and the head each had when asked. */
interface ShardHeads {
  shards: ShardKey[];
  heads: string[];
}

async function shardHeads(shards: RoutedShard[], system: SystemClient): Promise<ShardHeads> {
  return { shards, heads: await Promise.all(shards.map((shard) => shardHead(shard.url, shard.subgraph, system))) };
}

/** How many of the shards' events up to their heads are projected, and whether every shard's position has reached its head. */
async function projectedUpTo(orm: MikroORM, { shards, heads }: ShardHeads): Promise<{ applied: number; reached: boolean }> {
  const positions = await Promise.all(shards.map((shard) => storedPosition(orm.em.fork(), shard)));
  return {
    applied: positions.reduce((sum, position, i) => sum + Math.min(Number(position), Number(heads[i])), 0),
    reached: positions.every((position, i) => BigInt(position) >= BigInt(heads[i])),
  };
}

/** A shard's head: the seq its stream reports as where "now" starts (the position marker of a stream opened without a cursor). */
export async function shardHead(url: string, subgraph: string, system: SystemClient): Promise<string> {
  const events = openEventStream<{ event: { seq: string } }>({ url, query: STREAMS[subgraph], variables: { after: null }, claims: () => system.claims(), openTimeoutMs: system.timeoutMs });
  try {
    const first = await events.next();
    if (first.done || !first.value.data) throw new Error(`${subgraph} shard at ${url} did not report its position`);
    return first.value.data.event.seq;
  } finally {
    await events.return();
  }
}

/** The shards whose events metrics projects, as the gateway's routing table has them now. */
async function followedShards(system: SystemClient, gatewayUrl: string): Promise<RoutedShard[]> {
  const { shards } = await askGateway<{ shards: RoutedShard[] }>(system, gatewayUrl, "{ shards { subgraph agencyCode url } }");
  return shards.filter((shard) => STREAMS[shard.subgraph]);
}

/**
 * Replays every shard's whole history into an emptied projection, until each
 * position reaches the head the shard had when the rebuild began. Safe while
 * metrics runs: its followers find their positions reset and resume from them.
 */
export async function rebuildProjection(options: FollowerOptions & { gatewayUrl: string; onProgress?(applied: number, total: number): void }): Promise<{ events: number; seconds: number }> {
  const followed = await followedShards(options.system, options.gatewayUrl);
  const heads = await shardHeads(followed, options.system);
  const total = heads.heads.reduce((sum, head) => sum + Number(head), 0);
  const started = performance.now();
  await resetProjection(options.orm.em.fork());
  const followers = followed.map((shard) => new ShardFollower({ subgraph: shard.subgraph, agencyCode: shard.agencyCode }, shard.url, options));
  try {
    for (;;) {
      const { applied, reached } = await projectedUpTo(options.orm, heads);
      options.onProgress?.(applied, total);
      if (reached) break;
      await sleep(100);
    }
  } finally {
    await Promise.all(followers.map((follower) => follower.stop()));
  }
  return { events: total, seconds: (performance.now() - started) / 1000 };
}
