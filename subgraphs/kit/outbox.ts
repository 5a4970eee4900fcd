/**
 * The outbox: every write that others may care about appends an event row in
 * the same transaction as the change, and NOTIFY wakes listeners with its row
 * number only (never the row), so readers always read the table and a
 * reconnecting reader replays from its cursor. Reading is in outbox-feed.ts.
 *
 * Ordering without serialising writers: a row gets its `seq` (insertion
 * order, any number of writers at once) and its transaction's id (`txid`)
 * when written, and its `position` (the readers' cursor, strictly increasing
 * in the order readers see events) only once its transaction and every older
 * one have finished: `outbox_publish()` numbers, under a lock that only
 * numbering takes, the rows whose transaction is below the oldest one still
 * in progress that may write here (pg_snapshot_xip, less the transactions
 * of other databases), in (txid, seq) order. A transaction that
 * commits late is thus numbered after every event already visible, so
 * `position > cursor` never skips it.
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

/** An event about `subjectId`, not yet written: appendEvent's, or a statement's that writes it with the change (sql.ts, insertFrom). */
export function outboxEvent(type: string, subjectId: string, payload: Record<string, unknown>): OutboxEvent {
  return Object.assign(new OutboxEvent(), { type, subjectId, payload });
}

/** Appends an event; it is written by the flush that writes the change. */
export function appendEvent(em: EntityManager, type: string, subjectId: string, payload: Record<string, unknown>): OutboxEvent {
  const event = outboxEvent(type, subjectId, payload);
  em.persist(event);
  return event;
}

/**
 * What every event of an agency's shard tells, whatever its kind: the agency, and its subject's title as a person
 * knows it (a dataset's, a comment's, a request's, a holding's; an exempted file's address), by which a live page
 * lists the event; then what its kind tells. The event subscriptions stream these to anyone the kind's audience
 * admits (contract/visibility.ts), so a title is only ever that audience's to read.
 */
export interface AgencyEventPayload {
  agencyCode: string;
  title: string;
  [fact: string]: unknown;
}

/** The facts an agency's event starts with, about a subject that has both (a dataset, a comment, a request, a holding). */
export function aboutSubject(subject: { agencyCode: string; title: string }): AgencyEventPayload {
  return { agencyCode: subject.agencyCode, title: subject.title };
}

/** appendEvent, for the catalogue's and feedback's shards: their events must say whose they are and what they are about. */
export const appendAgencyEvent: (em: EntityManager, type: string, subjectId: string, payload: AgencyEventPayload) => OutboxEvent = appendEvent;

export class OutboxMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence outbox_event_seq;`);
    // Superseded by OutboxPositionsMigration: numbering by seq under a lock held until commit serialised every writer.
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

/** Readers' positions assigned after commit (see the header): writers no longer wait for each other. */
export class OutboxPositionsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create or replace function outbox_number() returns trigger language plpgsql as $$
      begin
        new.seq := nextval('outbox_event_seq');
        return new;
      end $$;`);
    this.addSql(`alter table outbox_event add column txid xid8 not null default pg_current_xact_id(), add column position bigint unique;`);
    // Every earlier row was numbered in commit order already: its seq is its position.
    this.addSql(`update outbox_event set position = seq;`);
    this.addSql(`create index outbox_event_unpublished_index on outbox_event (txid, seq) where position is null;`);
    this.addSql(outboxPublishFunction("create", "in (select backend_xid::text from pg_stat_activity where datname = current_database() and backend_xid is not null)"));
  }
}

/**
 * `outbox_publish()`: numbers the committed rows below the oldest transaction that may still write this outbox
 * (`mayWriteHere`, a condition on the text of an in-progress xid, 32-bit), else the next xid to be assigned. Returns
 * how many committed rows still wait for an older transaction (or for another numberer): the reader then retries soon.
 */
function outboxPublishFunction(verb: "create" | "create or replace", mayWriteHere: string): string {
  return `
      ${verb} function outbox_publish() returns bigint language plpgsql as $$
      declare
        numbered bigint;
        waiting bigint;
      begin
        if not pg_try_advisory_xact_lock(hashtext('outbox_event_position')) then
          return 1;
        end if;
        with head as (select coalesce(max(position), 0) as at from outbox_event),
          ready as (
            select seq, row_number() over (order by txid, seq) as n from outbox_event
            where position is null and txid < (
              select coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot()))
              from pg_snapshot_xip(pg_current_snapshot()) as x
              where (x::text::numeric % 4294967296)::text ${mayWriteHere}
            )
          )
        update outbox_event e set position = head.at + ready.n from ready, head where e.seq = ready.seq;
        get diagnostics numbered = row_count;
        if numbered > 0 then
          perform pg_notify('${OUTBOX_CHANNEL}', '');
        end if;
        select count(*) into waiting from outbox_event where position is null;
        return waiting;
      end $$;`;
}

/**
 * Xids are server-wide, and the numbering skipped those of other databases by keeping only the transactions
 * pg_stat_activity showed in this one. But pg_stat_activity is read after the statement's snapshot: a transaction
 * of this database that committed in between was in progress for the snapshot (its rows unseen) and gone from
 * pg_stat_activity, so later rows were numbered before its own. Now only the transactions pg_stat_activity shows
 * in another database are skipped (it shows every session's database and transaction to every role); one that
 * ended meanwhile counts as in progress, until the next round.
 */
export class OutboxCommitRaceMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      outboxPublishFunction(
        "create or replace",
        "not in (select backend_xid::text from pg_stat_activity where datname is distinct from current_database() and backend_xid is not null)",
      ),
    );
  }
}
