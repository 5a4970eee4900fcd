import { Migration } from "@mikro-orm/migrations";
import { OutboxCommitRaceMigration, OutboxMigration, OutboxPositionsMigration } from "../kit/outbox";
import type { NamedMigration } from "../kit/orm";

class PanelTermsAndMembers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table panel_term (
        id uuid primary key,
        name text not null,
        starts_on date not null,
        ends_on date not null,
        check (ends_on > starts_on)
      );`);
    this.addSql(`
      create table panel_member (
        id uuid primary key,
        term_id uuid not null references panel_term (id),
        name text not null,
        role text not null check (role in ('CONVENER', 'AGENCY_REPRESENTATIVE', 'CIVIL_SOCIETY_REPRESENTATIVE')),
        agency_code text,
        affiliation text not null,
        appointed_on date not null,
        check ((role = 'AGENCY_REPRESENTATIVE') = (agency_code is not null))
      );`);
    this.addSql(`create index panel_member_term_id_index on panel_member (term_id);`);
  }
}

class PanelRecord extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table panel_term add column status text not null default 'DRAFT' check (status in ('DRAFT', 'ACTIVE', 'ENDED'));`);
    // Terms kept before the lifecycle existed: past ones ended, the one in force today active.
    this.addSql(`update panel_term set status = 'ENDED' where ends_on < current_date;`);
    this.addSql(`
      update panel_term set status = 'ACTIVE'
       where id = (select id from panel_term where starts_on <= current_date and ends_on >= current_date order by starts_on desc limit 1);`);
    this.addSql(`create unique index panel_term_one_active on panel_term ((true)) where status = 'ACTIVE';`);
    this.addSql(`
      alter table panel_member
        add column organisation text,
        add column expertise text,
        add column left_on date;`);
    // Record tables refer to each other by id columns, not ORM relations, so one flush may insert them in any order: the checks wait for the commit.
    this.addSql(`
      create table panel_meeting (
        id uuid primary key,
        term_id uuid not null references panel_term (id) deferrable initially deferred,
        held_on date not null,
        title text not null,
        minutes text,
        minutes_published boolean not null default false,
        check (not minutes_published or minutes is not null)
      );`);
    this.addSql(`create index panel_meeting_held_on_index on panel_meeting (held_on);`);
    this.addSql(`
      create table panel_attendance (
        meeting_id uuid not null references panel_meeting (id) deferrable initially deferred,
        member_id uuid not null references panel_member (id) deferrable initially deferred,
        primary key (meeting_id, member_id)
      );`);
    this.addSql(`
      create table agenda_item (
        id uuid primary key,
        meeting_id uuid not null references panel_meeting (id) deferrable initially deferred,
        position integer not null,
        title text not null,
        kind text not null check (kind in ('REVIEW', 'CONSULTATION', 'STRATEGY', 'REPORT', 'OTHER')),
        unique (meeting_id, position)
      );`);
    this.addSql(`
      create table agenda_subject (
        id uuid primary key,
        agenda_item_id uuid not null references agenda_item (id) deferrable initially deferred,
        kind text not null check (kind in ('DATASET', 'INVENTORY_ITEM', 'FEEDBACK', 'DATASET_REQUEST', 'AGENCY')),
        agency_code text not null,
        entity_id text,
        check ((kind = 'AGENCY') = (entity_id is null))
      );`);
    this.addSql(`create index agenda_subject_item_index on agenda_subject (agenda_item_id);`);
    this.addSql(`
      create table panel_resolution (
        id uuid primary key,
        meeting_id uuid not null references panel_meeting (id) deferrable initially deferred,
        agenda_item_id uuid references agenda_item (id) deferrable initially deferred,
        text text not null,
        owner_agency_code text,
        due_on date,
        done_on date,
        consulted_agency_code text,
        consulted_item_id uuid,
        check ((consulted_agency_code is null) = (consulted_item_id is null))
      );`);
    this.addSql(`create index panel_resolution_meeting_index on panel_resolution (meeting_id);`);
    this.addSql(`
      create table agency_review (
        id uuid primary key,
        meeting_id uuid not null references panel_meeting (id) deferrable initially deferred,
        agency_code text not null,
        outcome text not null check (outcome in ('SATISFACTORY', 'IMPROVEMENT_REQUESTED', 'UNSATISFACTORY')),
        requests text not null,
        unique (meeting_id, agency_code)
      );`);
    this.addSql(`
      create table review_remark (
        id uuid primary key,
        review_id uuid not null references agency_review (id) deferrable initially deferred,
        author text not null,
        text text not null,
        at timestamptz not null
      );`);
    this.addSql(`create index review_remark_review_index on review_remark (review_id);`);
    this.addSql(`
      create table strategy_version (
        id uuid primary key,
        version integer not null unique,
        approved_on date not null,
        meeting_id uuid not null references panel_meeting (id) deferrable initially deferred,
        summary text not null,
        targets jsonb not null
      );`);
    this.addSql(`
      create table executive_yuan_report (
        id uuid primary key,
        meeting_id uuid not null references panel_meeting (id) deferrable initially deferred,
        year integer not null,
        sent_on date,
        summary text not null
      );`);
  }
}

export const migrations: NamedMigration[] = [
  { name: "0001_outbox", class: OutboxMigration },
  { name: "0002_panel_terms_and_members", class: PanelTermsAndMembers },
  { name: "0003_panel_record", class: PanelRecord },
  { name: "0004_outbox_positions", class: OutboxPositionsMigration },
  { name: "0005_outbox_commit_race", class: OutboxCommitRaceMigration },
];
