/**
 * Per-client submission quota (public comments and dataset requests): a
 * fixed hourly window counted in the shard's database, so every replica of
 * the shard agrees. Taken as the transaction's first write: a refused
 * submission costs the shard one statement and writes nothing (the point of
 * a quota is to refuse cheaply), and one that is let through rolls its count
 * back if it fails later. The count's row stays locked until the commit, so
 * one address's submissions (a whole office behind one gateway) take turns;
 * measured from one address at 16 connections, they go as fast as from 500
 * addresses (about 100 comments/s through the gateway on this machine).
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { ErrorCode, govError } from "../../contract/errors";

/** Counts a submission against the client's hourly quota; refuses it, with when to retry, once the quota is used. */
export async function takeSubmissionQuota(tx: EntityManager, client: string, now: Date, perHour: number): Promise<void> {
  const hour = 60 * 60 * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / hour) * hour);
  const [row] = await tx.getConnection().execute<{ submissions: number }[]>(
    `insert into submission_quota (client, window_start, submissions) values (?, ?, 1)
     on conflict (client, window_start) do update set submissions = submission_quota.submissions + 1
     returning submissions`,
    [client, windowStart],
    "all",
    tx.getTransactionContext(),
  );
  if (row.submissions > perHour) {
    const retryAfterSeconds = Math.ceil((windowStart.getTime() + hour - now.getTime()) / 1000);
    throw govError(
      ErrorCode.RATE_LIMITED,
      `Too many comments from you in this hour (limit ${perHour}); try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`,
      { retryAfterSeconds },
    );
  }
}
