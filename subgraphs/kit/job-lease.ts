/**
 * Job leases in an instance's own database (contract/jobs.ts): of several
 * replicas of one shard, only the lease holder runs a periodic job; a holder
 * that dies stops renewing, and another takes over once the lease lapses.
 */
import { randomUUID } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Migration } from "@mikro-orm/migrations";
import type { JobLease } from "../../contract/jobs";

export class JobLeaseMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table job_lease (job text primary key, holder text not null, expires_at timestamptz not null);`);
  }
}

/** A lease table lease for this process (one holder id per process and database). */
export function databaseLease(orm: MikroORM, holder: string = randomUUID()): JobLease {
  return {
    async acquire(job, ttlMs, now) {
      const rows = await orm.em.fork().getConnection().execute<{ holder: string }[]>(
        `insert into job_lease (job, holder, expires_at) values (?, ?, ?)
         on conflict (job) do update set holder = excluded.holder, expires_at = excluded.expires_at
           where job_lease.holder = excluded.holder or job_lease.expires_at <= ?
         returning holder`,
        [job, holder, new Date(now.getTime() + ttlMs), now],
      );
      return rows.length === 1;
    },
  };
}
