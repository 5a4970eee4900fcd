import { Migration } from "@mikro-orm/migrations";
import { DATASET_BIGRAMS_FUNCTION, datasetSearchIndex } from "../kit/dataset-search";
import { JobLeaseMigration } from "../kit/job-lease";
import { OutboxCommitRaceMigration, OutboxMigration, OutboxPositionsMigration } from "../kit/outbox";
import type { NamedMigration } from "../kit/orm";

class DatasetsAndResources extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table dataset (
        id uuid primary key,
        agency_code text not null,
        identifier text collate "C" not null unique,
        title text collate "C" not null,
        description text not null,
        category text not null,
        type text not null check (type in ('RAW_DATA', 'SERVICE')),
        license text not null,
        accrual_periodicity text not null,
        issued date not null,
        modified timestamptz(3) not null,
        provider_attribute text,
        quality_badge text,
        listing_method text,
        field_description text,
        organization text,
        landing_page text,
        cost text,
        contact_name text,
        contact_phone text,
        notes text,
        cost_url text,
        cost_law text,
        temporal_coverage_from date,
        temporal_coverage_to date,
        spatial text,
        language text,
        keywords jsonb not null default '[]',
        next_quality_check_at timestamptz not null default now(),
        quality_level text,
        lifecycle_state text not null check (lifecycle_state in ('INVENTORIED', 'PLANNED', 'PUBLISHED', 'RETIRED')),
        retired_on date,
        retirement_reason text,
        check ((lifecycle_state = 'RETIRED') = (retired_on is not null))
      );`);
    // Keyset pagination orders (see DATASET_ORDERS); text keys use collation "C" so the gateway can merge shards' pages byte-wise.
    this.addSql(`create index dataset_issued_identifier_index on dataset (issued, identifier);`);
    this.addSql(`create index dataset_title_identifier_index on dataset (title, identifier);`);
    this.addSql(`create index dataset_modified_identifier_index on dataset (modified, identifier);`);
    this.addSql(`
      create table resource (
        id uuid primary key,
        dataset_id uuid not null references dataset (id) on delete cascade,
        resource_id text not null unique,
        description text not null,
        format text not null,
        encoding text not null,
        download_url text not null,
        size text,
        fields jsonb not null default '[]',
        modified timestamptz,
        position integer not null
      );`);
    this.addSql(`create index resource_dataset_id_index on resource (dataset_id, position);`);
    this.addSql(`create index dataset_next_quality_check_index on dataset (next_quality_check_at) where lifecycle_state = 'PUBLISHED';`);
    this.addSql(`
      create table resource_check (
        id uuid primary key,
        resource_id uuid not null,
        dataset_id uuid not null references dataset (id) on delete cascade,
        checked_at timestamptz not null,
        indicators jsonb not null,
        detail text
      );`);
    this.addSql(`create index resource_check_resource_index on resource_check (resource_id, checked_at desc);`);
    this.addSql(`
      create table dataset_check (
        id uuid primary key,
        dataset_id uuid not null references dataset (id) on delete cascade,
        checked_at timestamptz not null,
        level text not null,
        indicators jsonb not null
      );`);
    this.addSql(`create index dataset_check_dataset_index on dataset_check (dataset_id, checked_at desc);`);
    this.addSql(`
      create table inventory_item (
        id uuid primary key,
        agency_code text not null,
        title text not null,
        description text not null,
        state text not null check (state in ('INVENTORIED', 'PLANNED', 'PUBLISHED')),
        openness text not null check (openness in ('UNDECIDED', 'OPENABLE', 'NOT_OPENABLE')),
        priority_basis text,
        legal_basis text,
        planned_opening_on date,
        holds_personal_data boolean not null,
        de_identification text,
        dataset_id uuid references dataset (id),
        views integer not null,
        downloads integer not null,
        requests integer not null,
        priority_rank integer not null,
        usage_score double precision not null,
        check (state <> 'PUBLISHED' or not holds_personal_data or de_identification is not null)
      );`);
    this.addSql(`create index inventory_item_opening_order_index on inventory_item (priority_rank, usage_score desc, id);`);
    // Text search (kit/dataset-search.ts): character bigrams of the title and description, in a GIN index.
    this.addSql(DATASET_BIGRAMS_FUNCTION);
    this.addSql(datasetSearchIndex("dataset_search_index", "dataset"));
  }
}

/** A dataset is published or retired; inventoried and planned holdings are the inventory's states. */
class DatasetLifecycle extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dataset drop constraint dataset_lifecycle_state_check;`);
    this.addSql(`alter table dataset add constraint dataset_lifecycle_state_check check (lifecycle_state in ('PUBLISHED', 'RETIRED'));`);
  }
}

class InventoryPanelBasis extends Migration {
  override async up(): Promise<void> {
    // The advisory panel's resolution lives in the advisory database: kept by id, no foreign key across databases.
    this.addSql(`alter table inventory_item add column panel_resolution_id uuid;`);
  }
}

/**
 * De-identification: every scan of a resource's file, and the CIOs' exemptions by file.
 * The scan's key is checked at commit: it is written in the transaction that creates its dataset, in whatever order the ORM flushes.
 */
class PersonalDataGate extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table personal_data_scan (
        id uuid primary key,
        resource_id uuid not null,
        dataset_id uuid not null references dataset (id) on delete cascade deferrable initially deferred,
        scanned_at timestamptz not null,
        encoding text,
        bytes double precision,
        findings jsonb not null,
        error text
      );`);
    this.addSql(`create index personal_data_scan_resource_index on personal_data_scan (resource_id, scanned_at desc);`);
    this.addSql(`
      create table personal_data_exemption (
        id uuid primary key,
        agency_code text not null,
        download_url text not null,
        reason text not null,
        columns jsonb not null,
        recorded_by text not null,
        recorded_at timestamptz not null
      );`);
    this.addSql(`create index personal_data_exemption_url_index on personal_data_exemption (download_url, recorded_at desc);`);
  }
}

/** The datastore: which resources are loaded, how (columns and types), and how often they are used. Each resource's rows are in its own table. */
class DatastoreRegistry extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table datastore (
        resource_id uuid primary key,
        dataset_id uuid not null,
        state text not null check (state in ('LOADING', 'LOADED', 'FAILED')),
        encoding text,
        columns jsonb not null default '[]',
        rows double precision not null default 0,
        loaded_at timestamptz,
        error text,
        requests integer not null default 0
      );`);
  }
}

/** The digest of the file a datastore holds, so a changed file is loaded again. */
class DatastoreSource extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table datastore add column sha256 text;`);
  }
}

export const migrations: NamedMigration[] = [
  { name: "0001_outbox", class: OutboxMigration },
  { name: "0002_datasets_and_resources", class: DatasetsAndResources },
  { name: "0003_job_lease", class: JobLeaseMigration },
  { name: "0004_dataset_lifecycle", class: DatasetLifecycle },
  { name: "0005_inventory_panel_basis", class: InventoryPanelBasis },
  { name: "0006_outbox_positions", class: OutboxPositionsMigration },
  { name: "0007_personal_data_gate", class: PersonalDataGate },
  { name: "0008_datastore", class: DatastoreRegistry },
  { name: "0009_datastore_source", class: DatastoreSource },
  { name: "0010_outbox_commit_race", class: OutboxCommitRaceMigration },
];
