import { Migration } from "@mikro-orm/migrations";
import { OutboxMigration } from "../kit/outbox";
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

export const migrations: NamedMigration[] = [
  { name: "0001_outbox", class: OutboxMigration },
  { name: "0002_agency_directory_and_targets", class: AgencyDirectoryAndTargets },
];
