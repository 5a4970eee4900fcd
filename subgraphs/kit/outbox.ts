/**
 * The outbox: every write that others may care about appends an event row in
 * the same transaction as the change. Triggers number it (seq, in commit
 * order) and NOTIFY listeners with the number only (never the row), so
 * readers always read the table and a reconnecting reader replays from its
 * cursor. Reading is in events.ts.
 */
import { Entity, OptionalProps, PrimaryKey, Property, type EntityManager } from "@mikro-orm/postgresql";
import { Migration } from "@mikro-orm/migrations";
import { newId } from "./ids";

export const OUTBOX_CHANNEL = "govgraph_outbox";

@Entity({ tableName: "outbox_event" })
export class OutboxEvent {
  [OptionalProps]?: "occurredAt";

  /** Monotonically increasing per shard: the resume cursor of every reader. */
  @PrimaryKey({ type: "bigint", autoincrement: true })
  seq?: string;

  @Property({ type: "uuid", unique: true })
  id: string = newId();

  @Property({ type: "text" })
  type!: string;

  /** The id of the entity the event is about. */
  @Property({ type: "text" })
  subjectId!: string;

  @Property({ type: "jsonb" })
  payload!: Record<string, unknown>;

  @Property({ type: "datetime", defaultRaw: "now()" })
  occurredAt: Date = new Date();
}

/** Appends an event; it is written by the flush that writes the change. */
export function appendEvent(
  em: EntityManager,
  type: string,
  subjectId: string,
  payload: Record<string, unknown>,
): OutboxEvent {
  const event = em.create(OutboxEvent, { type, subjectId, payload });
  em.persist(event);
  return event;
}

export class OutboxMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence outbox_event_seq;`);
    this.addSql(`
      create table outbox_event (
        seq bigint primary key,
        id uuid not null unique,
        type text not null,
        subject_id text not null,
        payload jsonb not null,
        occurred_at timestamptz not null default now()
      );`);
    // Readers resume with "seq > cursor", which is only safe if no event can commit with a lower
    // seq than one already visible. So writers take a transaction-scoped lock before numbering:
    // seq order is commit order. The lock is held from the event's insert (the end of the
    // transaction's flush) to its commit.
    this.addSql(`
      create function outbox_number() returns trigger language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(hashtext('outbox_event'));
        new.seq := nextval('outbox_event_seq');
        return new;
      end $$;`);
    this.addSql(`create trigger outbox_event_number before insert on outbox_event for each row execute function outbox_number();`);
    this.addSql(`
      create function outbox_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('${OUTBOX_CHANNEL}', new.seq::text);
        return new;
      end $$;`);
    this.addSql(`create trigger outbox_event_notify after insert on outbox_event for each row execute function outbox_notify();`);
  }
}
