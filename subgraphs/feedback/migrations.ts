import { Migration } from "@mikro-orm/migrations";
import { JobLeaseMigration } from "../kit/job-lease";
import { OutboxCommitRaceMigration, OutboxMigration, OutboxPositionsMigration } from "../kit/outbox";
import type { NamedMigration } from "../kit/orm";

class PublicComments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table feedback (
        id uuid primary key,
        agency_code text not null,
        dataset_id uuid,
        email text not null,
        comment_type text not null,
        commenter_identity text,
        industry text,
        title text not null check (char_length(title) <= 255),
        body text not null,
        received_at timestamptz not null,
        reply_due_at timestamptz not null,
        state text not null check (state in ('RECEIVED', 'REPLY_DRAFTED', 'AWAITING_APPROVAL', 'RETURNED', 'ANSWERED', 'CLOSED')),
        answered_at timestamptz,
        idempotency_key text unique
      );`);
    this.addSql(`create index feedback_received_at_index on feedback (received_at desc, id);`);
    this.addSql(`
      create table reminder (
        id uuid primary key default gen_random_uuid(),
        feedback_id uuid not null references feedback (id) on delete cascade,
        kind text not null check (kind in ('DUE_SOON', 'OVERDUE')),
        fire_at timestamptz not null,
        sent_at timestamptz
      );`);
    this.addSql(`create index reminder_unsent_index on reminder (fire_at) where sent_at is null;`);
    this.addSql(`
      create table dataset_request (
        id uuid primary key,
        agency_code text not null,
        email text not null,
        title text not null,
        body text not null,
        received_at timestamptz not null,
        state text not null check (state in ('OPEN', 'TRANSFERRING', 'TRANSFERRED', 'CLOSED')),
        transferred_to text,
        transfer_reason text,
        assigned_agencies jsonb not null,
        reply_type text,
        reply text,
        closed_at timestamptz,
        check ((state = 'CLOSED') = (closed_at is not null)),
        check ((state in ('TRANSFERRING', 'TRANSFERRED')) = (transferred_to is not null))
      );`);
    this.addSql(`create index dataset_request_transferring_index on dataset_request (received_at) where state = 'TRANSFERRING';`);
    // Submissions per client and hour, counted in the database so every replica of the shard agrees.
    this.addSql(`
      create table submission_quota (
        client text not null,
        window_start timestamptz not null,
        submissions integer not null,
        primary key (client, window_start)
      );`);
    this.addSql(`
      create table reply (
        id uuid primary key,
        feedback_id uuid not null references feedback (id) on delete cascade,
        author text not null check (author in ('AGENCY', 'CITIZEN')),
        body text not null,
        created_at timestamptz not null,
        drafted_by text,
        approved_by text,
        published_at timestamptz,
        check (author = 'CITIZEN' or published_at is null or approved_by is not null)
      );`);
    this.addSql(`create index reply_feedback_id_index on reply (feedback_id, created_at);`);
    this.addSql(`
      create table feedback_transition (
        id uuid primary key,
        feedback_id uuid not null references feedback (id) on delete cascade,
        action text not null,
        from_state text not null,
        to_state text not null,
        actor text not null,
        actor_role text not null,
        reason text,
        at timestamptz not null
      );`);
    this.addSql(`create index feedback_transition_feedback_id_index on feedback_transition (feedback_id, at);`);
  }
}

/** The receipt is the first step of every comment's history: comments received before keep theirs, at their receipt, by an unrecorded actor. */
class ReceiptIsATransition extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table feedback_transition alter column from_state drop not null;`);
    this.addSql(`alter table feedback_transition add check ((action = 'RECEIVE') = (from_state is null));`);
    this.addSql(`
      insert into feedback_transition (id, feedback_id, action, from_state, to_state, actor, actor_role, at)
      select gen_random_uuid(), id, 'RECEIVE', null, 'RECEIVED', 'unrecorded', 'PUBLIC', received_at from feedback;`);
  }
}

/** The reply desk's queue and a dataset's comments, both read in deadline order. */
class CommentsByDeadline extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index feedback_reply_due_at_index on feedback (reply_due_at, id);`);
    this.addSql(`create index feedback_dataset_id_index on feedback (dataset_id, reply_due_at, id) where dataset_id is not null;`);
  }
}

/**
 * A deadline is a key of the queue's cursors, which hold milliseconds (JavaScript dates): stored finer, a row
 * written by SQL would compare greater than its own cursor and come back on the next page. The catalogue's
 * `modified` is declared so from the start.
 */
class DeadlinesInMilliseconds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table feedback alter column reply_due_at type timestamptz(3);`);
  }
}

/**
 * An agency's dataset requests, newest first (agencyDatasetRequests). The receipt is a key of the list's
 * cursors, which hold milliseconds: stored finer, a row would compare greater than its own cursor.
 */
class DatasetRequestsByReceipt extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dataset_request alter column received_at type timestamptz(3);`);
    this.addSql(`create index dataset_request_received_at_index on dataset_request (received_at desc, id desc);`);
  }
}

export const migrations: NamedMigration[] = [
  { name: "0001_outbox", class: OutboxMigration },
  { name: "0002_public_comments", class: PublicComments },
  { name: "0003_job_lease", class: JobLeaseMigration },
  { name: "0004_comments_by_deadline", class: CommentsByDeadline },
  { name: "0005_receipt_is_a_transition", class: ReceiptIsATransition },
  { name: "0006_outbox_positions", class: OutboxPositionsMigration },
  { name: "0007_deadlines_in_milliseconds", class: DeadlinesInMilliseconds },
  { name: "0008_outbox_commit_race", class: OutboxCommitRaceMigration },
  { name: "0009_dataset_requests_by_receipt", class: DatasetRequestsByReceipt },
];
