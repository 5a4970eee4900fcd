import { Migration } from "@mikro-orm/migrations";
import { OutboxMigration } from "../kit/outbox";
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
        status text not null check (status in ('RECEIVED', 'ANSWERED', 'CLOSED')),
        answered_at timestamptz
      );`);
    this.addSql(`create index feedback_received_at_index on feedback (received_at desc, id);`);
  }
}

export const migrations: NamedMigration[] = [
  { name: "0001_outbox", class: OutboxMigration },
  { name: "0002_public_comments", class: PublicComments },
];
