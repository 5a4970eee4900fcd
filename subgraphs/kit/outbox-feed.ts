/**
 * Reading the outbox as a live stream (subscriptions). One LISTEN connection
 * per instance wakes every reader when an event commits; a reader then has
 * the committed events numbered (outbox_publish(), see outbox.ts) and reads
 * the table after its cursor, so nothing depends on a notification
 * arriving: a missed one only delays an event until the next poll. Events
 * that wait for an older transaction still in progress are read again soon
 * (RETRY_MS), not at the next poll.
 *
 * Every stream first yields a position marker (type STREAM_POSITION, no
 * agency): where it starts, the given cursor or, without one, the shard's
 * current head, so that the gateway knows where to resume this shard even
 * before a real event, and can tell its subscriber.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { badUserInput } from "../../contract/errors";
import type { Logger } from "../../contract/logger";
import { listenTo, type Listener } from "../../contract/pg-listen";
import { POSITION_MARKER } from "../../contract/shard-directives";
import { OUTBOX_CHANNEL } from "./outbox";
import { isIn, selectRows, sql } from "./sql";
import type { StreamObserver } from "./observability";

const BATCH = 500;
const POLL_MS = 5000;
/** How soon a reader looks again when committed events wait for an older transaction to finish. */
const RETRY_MS = 10;

export interface OutboxRow {
  seq: string;
  cursor: string;
  agencyCode: string | null;
  type: string;
  subjectId: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

export class OutboxFeed {
  private generation = 0;
  private readonly waiters = new Set<() => void>();
  private listener?: Listener;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly agencyCode: string | undefined,
    private readonly log: Logger,
    private readonly observer?: StreamObserver,
  ) {}

  /** Listens; on a lost connection it reconnects, readers poll meanwhile and read the table again once it is back. */
  async start(): Promise<void> {
    this.listener = await listenTo({ url: this.url, channel: OUTBOX_CHANNEL, onNotification: () => this.wake(), onConnected: () => this.wake(), log: this.log });
  }

  private wake(): void {
    this.generation += 1;
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  /** Resolves when an event committed after generation `seen`, after `ms`, or when `reader` stops. */
  private wait(seen: number, ms: number, reader: Reader): Promise<void> {
    if (this.generation !== seen || this.closed || reader.stopped) return Promise.resolve();
    return new Promise((resolveWait) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        reader.interrupt = undefined;
        resolveWait();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      reader.interrupt = done;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.listener?.close();
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
   * The events after `after` (a position), or from now when null, beginning
   * with the `recent` latest of the `kinds` given (every kind when null);
   * runs until the consumer stops (its return() ends a wait at once, so a
   * reader whose subscriber left stops reading). Events `include` refuses
   * are skipped (the position still moves past them).
   */
  stream(em: EntityManager, after: string | null, include: (row: OutboxRow) => boolean = () => true, recent?: RecentEvents): AsyncIterableIterator<OutboxRow> {
    const reader: Reader = { stopped: false };
    const rows = this.read(em, after, include, reader, recent);
    const iterator: AsyncIterableIterator<OutboxRow> = {
      next: () => rows.next(),
      return: () => {
        reader.stopped = true;
        reader.interrupt?.();
        return rows.return(undefined);
      },
      throw: (error) => {
        reader.stopped = true;
        reader.interrupt?.();
        return rows.throw(error);
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  private async *read(em: EntityManager, after: string | null, include: (row: OutboxRow) => boolean, reader: Reader, recent?: RecentEvents): AsyncGenerator<OutboxRow> {
    const connection = em.getConnection();
    let cursor = after;
    if (cursor === null) {
      // Events committed before now that no reader has numbered yet (none was reading) are numbered first, so they
      // fall before the head rather than after it: a subscriber from now would otherwise receive them as new, and
      // wait for them all before its first live event.
      await connection.execute("select outbox_publish()");
      const [head] = await connection.execute<{ head: string }[]>("select coalesce(max(position), 0)::text as head from outbox_event");
      cursor = recent && recent.count > 0 ? await this.recentStart(em, head.head, recent) : head.head;
    }
    if (!/^\d+$/.test(cursor)) throw badUserInput([{ path: "after", reason: "is not an event cursor this stream issued" }]);
    yield { seq: cursor, cursor, agencyCode: null, type: POSITION_MARKER, subjectId: "", occurredAt: new Date(), payload: {} };
    this.observer?.opened();
    try {
      while (!this.closed && !reader.stopped) {
        const seen = this.generation;
        const [{ waiting }] = await connection.execute<{ waiting: string }[]>("select outbox_publish()::text as waiting");
        const rows = await connection.execute<Record<string, unknown>[]>(
          "select position as seq, type, subject_id, payload, occurred_at from outbox_event where position > ? order by position limit ?",
          [cursor, BATCH],
        );
        for (const raw of rows) {
          const row = this.row(raw);
          cursor = row.seq;
          if (!include(row)) continue;
          this.observer?.delivered(row.occurredAt);
          yield row;
        }
        if (rows.length < BATCH) await this.wait(seen, waiting === "0" ? POLL_MS : RETRY_MS, reader);
      }
    } finally {
      this.observer?.closed();
    }
  }

  /** The position just before the `count`-th latest event of `kinds` up to `head` (0, before the first, when there are fewer of them). */
  private async recentStart(em: EntityManager, head: string, { count, kinds }: RecentEvents): Promise<string> {
    // A viewer who may receive no kind of this shard's events (another agency's staff) begins at the head, not the first.
    if (kinds?.length === 0) return head;
    const ofKinds = kinds ? isIn(sql`type`, kinds) : sql`true`;
    const [start] = await selectRows<{ start: string }>(
      em,
      sql`select coalesce((select position - 1 from outbox_event where position <= ${head} and ${ofKinds} order by position desc offset ${count - 1} limit 1), 0)::text as start`,
    );
    return start.start;
  }
}

/** Where a stream without a position begins: before the `count` latest events of `kinds` (every kind when null). */
export interface RecentEvents {
  count: number;
  kinds: readonly string[] | null;
}

/** One reader's stop: set by its consumer's return(), which also ends its wait. */
interface Reader {
  stopped: boolean;
  interrupt?: () => void;
}
