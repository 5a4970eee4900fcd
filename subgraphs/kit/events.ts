/**
 * Reading the outbox as a live stream (subscriptions). One LISTEN connection
 * per instance wakes every reader when an event commits; readers then read
 * the table after their cursor, so nothing depends on a notification
 * arriving: a missed one only delays an event until the next poll.
 *
 * Every stream first yields a position marker (type STREAM_POSITION, no
 * agency): where it starts, the given cursor or, without one, the shard's
 * current head, so that the gateway knows where to resume this shard even
 * before a real event, and can tell its subscriber.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { Client } from "pg";
import { GraphQLJSONObject } from "graphql-scalars";
import { Arg, Directive, Field, ID, ObjectType, Resolver, Root, Subscription } from "type-graphql";
import type { Viewer } from "../../contract/claims";
import { badUserInput } from "../../contract/errors";
import type { Logger } from "../../contract/logger";
import { OUTBOX_CHANNEL } from "./outbox";
import { POSITION_MARKER } from "../../contract/shard-directives";
import { isRequested } from "./shard";
import type { SubgraphContext } from "./subgraph";

const BATCH = 500;
const POLL_MS = 5000;

export interface OutboxRow {
  seq: string;
  cursor: string;
  agencyCode: string | null;
  type: string;
  subjectId: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

/** Declares a subgraph's event type (e.g. CatalogueEvent). */
function OutboxEventType(name: string, description: string) {
  @ObjectType(name, { description })
  class EventType implements OutboxRow {
    @Field({ description: "Resume cursor: pass it as `after` to receive what follows this event." })
    cursor!: string;

    @Field({ description: "The shard's sequence number: strictly increasing in commit order, per agency." })
    seq!: string;

    @Field(() => ID, { nullable: true, description: `The agency whose shard recorded the event; null on a ${POSITION_MARKER} marker.` })
    agencyCode!: string | null;

    @Field({
      description: `What happened, e.g. DatasetPublished. ${POSITION_MARKER} is the stream's first message: where it starts; only its cursor means anything (keep it to resume).`,
    })
    type!: string;

    @Field(() => ID)
    subjectId!: string;

    @Field(() => Date)
    occurredAt!: Date;

    @Field(() => GraphQLJSONObject)
    payload!: Record<string, unknown>;
  }
  return EventType;
}

/** The stream of a shard that was not asked for: it ends at once. */
async function* noEvents(): AsyncGenerator<OutboxRow> {}

export interface EventSubscriptionOptions {
  /** The subscription field, e.g. catalogueEvents. */
  field: string;
  /** Its event type, e.g. CatalogueEvent, and what it describes. */
  typeName: string;
  typeDescription: string;
  /** Which events a viewer may receive (default: all). */
  visible?: (viewer: Viewer, row: OutboxRow) => boolean;
}

/**
 * Declares an agency subgraph's event subscription: `<field>(agencyCodes, after)`,
 * fanned in by the gateway (STREAM), reading this shard's outbox after `after`.
 */
export function EventSubscription({ field, typeName, typeDescription, visible }: EventSubscriptionOptions) {
  const EventType = OutboxEventType(typeName, typeDescription);

  @Resolver()
  class EventSubscriptionResolver {
    @Subscription(() => EventType, {
      name: field,
      description: `${typeDescription} Live, from every agency or those named; pass the cursor of the last event received as \`after\` to resume without a gap.`,
      subscribe: ({ args, context }) => {
        const { em, events, instance, viewer } = context as SubgraphContext;
        return isRequested(instance, args.agencyCodes as string[] | undefined) ? events.stream(em, args.after ?? null, visible && ((row) => visible(viewer, row))) : noEvents();
      },
    })
    @Directive('@shardFanOut(merge: "STREAM", subset: "agencyCodes")')
    event(
      @Root() event: OutboxRow,
      @Arg("agencyCodes", () => [ID], { nullable: true }) _agencyCodes?: string[],
      @Arg("after", () => String, { nullable: true }) _after?: string,
    ): OutboxRow {
      return event;
    }
  }
  return EventSubscriptionResolver;
}

export class OutboxFeed {
  private generation = 0;
  private readonly waiters = new Set<() => void>();
  private client?: Client;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly agencyCode: string | undefined,
    private readonly log: Logger,
  ) {}

  /** Connects the LISTEN connection; on loss it reconnects, and readers poll meanwhile. */
  async start(): Promise<void> {
    const client = new Client({ connectionString: this.url });
    client.on("notification", () => this.wake());
    client.on("error", (error) => {
      this.log.warn({ err: error }, "outbox listener lost its connection; reconnecting");
      void this.restart(client);
    });
    await client.connect();
    await client.query(`listen ${OUTBOX_CHANNEL}`);
    this.client = client;
  }

  private async restart(lost: Client): Promise<void> {
    if (this.closed || this.client !== lost) return;
    this.client = undefined;
    await lost.end().catch(() => undefined);
    while (!this.closed && !this.client) {
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 1000).unref());
      await this.start().catch(() => undefined);
    }
  }

  private wake(): void {
    this.generation += 1;
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  /** Resolves when an event committed after generation `seen`, or after a poll interval. */
  private wait(seen: number): Promise<void> {
    if (this.generation !== seen || this.closed) return Promise.resolve();
    return new Promise((resolveWait) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolveWait();
      };
      const timer = setTimeout(done, POLL_MS);
      this.waiters.add(done);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.client?.end().catch(() => undefined);
  }

  private row(raw: Record<string, unknown>): OutboxRow {
    const seq = String(raw.seq);
    return {
      seq,
      cursor: seq,
      agencyCode: this.agencyCode ?? null,
      type: String(raw.type),
      subjectId: String(raw.subject_id),
      occurredAt: new Date(raw.occurred_at as string),
      payload: raw.payload as Record<string, unknown>,
    };
  }

  /**
   * The events after `after` (a seq), or from now when null; runs until the
   * consumer stops. Events `include` refuses are skipped (the position still moves past them).
   */
  async *stream(em: EntityManager, after: string | null, include: (row: OutboxRow) => boolean = () => true): AsyncGenerator<OutboxRow> {
    const connection = em.getConnection();
    let cursor = after;
    if (cursor === null) {
      const [head] = await connection.execute<{ head: string }[]>("select coalesce(max(seq), 0)::text as head from outbox_event");
      cursor = head.head;
    }
    if (!/^\d+$/.test(cursor)) throw badUserInput([{ path: "after", reason: "is not an event cursor this stream issued" }]);
    yield { seq: cursor, cursor, agencyCode: null, type: POSITION_MARKER, subjectId: "", occurredAt: new Date(), payload: {} };
    while (!this.closed) {
      const seen = this.generation;
      const rows = await connection.execute<Record<string, unknown>[]>(
        "select seq, type, subject_id, payload, occurred_at from outbox_event where seq > ? order by seq limit ?",
        [cursor, BATCH],
      );
      for (const raw of rows) {
        const row = this.row(raw);
        cursor = row.seq;
        if (include(row)) yield row;
      }
      if (rows.length < BATCH) await this.wait(seen);
    }
  }
}
