import { Migration } from "@mikro-orm/migrations";
import { OutboxMigration } from "../kit/outbox";
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

export const migrations: NamedMigration[] = [
  { name: "0001_outbox", class: OutboxMigration },
  { name: "0002_panel_terms_and_members", class: PanelTermsAndMembers },
];
