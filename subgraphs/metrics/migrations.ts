import { Migration } from "@mikro-orm/migrations";
import { DATASET_BIGRAMS_FUNCTION, datasetSearchIndex } from "../kit/dataset-search";
import { OutboxCommitRaceMigration, OutboxMigration, OutboxPositionsMigration } from "../kit/outbox";
import type { NamedMigration } from "../kit/orm";

class AgencyDirectoryAndTargets extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table agency (
        code text primary key,
        name text not null,
        name_en text not null,
        oid text not null unique,
        position integer not null
      );`);
    this.addSql(`
      create table target (
        id uuid primary key,
        agency_code text not null references agency (code),
        strategy integer not null check (strategy between 1 and 4),
        indicator text not null,
        year integer not null,
        value double precision not null,
        updated_at timestamptz not null,
        unique (agency_code, indicator, year)
      );`);
  }
}

/** The projection of every shard's events: facts per subject, figures per day, year and now, one position per shard, snapshots. */
class Projection extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table projection_position (
        subgraph text not null,
        agency_code text not null,
        seq bigint not null,
        updated_at timestamptz not null default now(),
        primary key (subgraph, agency_code)
      );`);
    this.addSql(`
      create table dataset_fact (
        agency_code text not null,
        dataset_id text not null,
        issued date,
        retired_on date,
        badge text,
        structured_resources integer not null,
        structured_resources_passing integer not null,
        primary key (agency_code, dataset_id)
      );`);
    this.addSql(`
      create table inventory_fact (
        agency_code text not null,
        item_id text not null,
        openness text,
        priority_basis text,
        published boolean not null,
        primary key (agency_code, item_id)
      );`);
    this.addSql(`
      create table feedback_fact (
        agency_code text not null,
        feedback_id text not null,
        received_at timestamptz not null,
        reply_due_at timestamptz not null,
        answered_at timestamptz,
        primary key (agency_code, feedback_id)
      );`);
    this.addSql(`create index feedback_fact_received on feedback_fact (agency_code, received_at);`);
    this.addSql(`create index feedback_fact_open on feedback_fact (agency_code, reply_due_at) where answered_at is null;`);
    // Figures by day (what happened when), by year (the same, summed: a date's cumulative figure reads
    // whole years plus the days of its own year, so its cost does not grow with history), and now.
    this.addSql(`
      create table figure_day (
        agency_code text not null,
        figure text not null,
        day date not null,
        value bigint not null,
        primary key (agency_code, figure, day)
      );`);
    this.addSql(`
      create table figure_year (
        agency_code text not null,
        figure text not null,
        year integer not null,
        value bigint not null,
        primary key (agency_code, figure, year)
      );`);
    this.addSql(`
      create table figure_now (
        agency_code text not null,
        figure text not null,
        value bigint not null,
        primary key (agency_code, figure)
      );`);
    this.addSql(`
      create table daily_snapshot (
        agency_code text not null,
        figure text not null,
        day date not null,
        value double precision not null,
        primary key (agency_code, figure, day)
      );`);
    this.addSql(`
      create table target_change (
        id uuid primary key,
        target_id uuid not null references target (id),
        old_value double precision,
        new_value double precision not null,
        changed_by text not null,
        changed_at timestamptz not null
      );`);
    this.addSql(`create index target_change_target on target_change (target_id, changed_at);`);
  }
}

/** The ministry-wide dataset index (dataset-index.ts): keys of every listing order, and the catalogue's bigram search. */
class DatasetIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table dataset_index (
        agency_code text collate "C" not null,
        id text not null,
        identifier text collate "C" not null,
        title text collate "C" not null,
        description text not null,
        category text not null,
        keywords jsonb not null,
        formats jsonb not null,
        issued date not null,
        modified timestamptz(3) not null,
        lifecycle_state text not null check (lifecycle_state in ('PUBLISHED', 'RETIRED')),
        retired_on date,
        badge text,
        primary key (agency_code, id)
      );`);
    // Keyset orders (kit/datasets.ts): text keys in collation "C", as the shards and the gateway's merge compare them.
    this.addSql(`create index dataset_index_issued on dataset_index (issued, identifier, agency_code);`);
    this.addSql(`create index dataset_index_title on dataset_index (title, identifier, agency_code);`);
    this.addSql(`create index dataset_index_modified on dataset_index (modified, identifier, agency_code);`);
    this.addSql(`create index dataset_index_id on dataset_index (id);`);
    this.addSql(DATASET_BIGRAMS_FUNCTION);
    this.addSql(datasetSearchIndex("dataset_index_search", "dataset_index"));
  }
}

/** The cumulative dataset counts' history is read from figure_day (snapshots.ts): their snapshots are no longer kept. */
class CumulativeSnapshotsFromFigures extends Migration {
  override async up(): Promise<void> {
    this.addSql(`delete from daily_snapshot where figure in ('datasetsOnPlatform', 'datasetsOpened', 'datasetsRetired');`);
  }
}

export const migrations: NamedMigration[] = [
  { name: "0001_outbox", class: OutboxMigration },
  { name: "0002_agency_directory_and_targets", class: AgencyDirectoryAndTargets },
  { name: "0003_projection", class: Projection },
  { name: "0004_outbox_positions", class: OutboxPositionsMigration },
  { name: "0005_dataset_index", class: DatasetIndex },
  { name: "0006_outbox_commit_race", class: OutboxCommitRaceMigration },
  { name: "0007_cumulative_snapshots_from_figures", class: CumulativeSnapshotsFromFigures },
];
