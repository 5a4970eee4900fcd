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
import { badUserInput } from "../../contract/errors";
import type { Logger } from "../../contract/logger";
import { listenTo, type Listener } from "../../contract/pg-listen";
import { POSITION_MARKER } from "../../contract/shard-directives";
import { OUTBOX_CHANNEL } from "./outbox";
import type { StreamObserver } from "./observability";

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
    this.observer?.opened();
    try {
      while (!this.closed) {
        const seen = this.generation;
        const rows = await connection.execute<Record<string, unknown>[]>(
          "select seq, type, subject_id, payload, occurred_at from outbox_event where seq > ? order by seq limit ?",
          [cursor, BATCH],
        );
        for (const raw of rows) {
          const row = this.row(raw);
          cursor = row.seq;
          if (!include(row)) continue;
          this.observer?.delivered(row.occurredAt);
          yield row;
        }
        if (rows.length < BATCH) await this.wait(seen);
      }
    } finally {
      this.observer?.closed();
    }
  }
}
