/**
 * Per-client submission quota (public comments and dataset requests): a
 * fixed hourly window counted in the shard's database, so every replica of
 * the shard agrees. A refused submission rolls back with its transaction and
 * does not count. Taken as the transaction's last write: the count's row is
 * locked until the commit, and every submission from one address (a whole
 * office behind one gateway) waits for that lock, so it is held for the
 * commit alone, not for the submission's other writes.
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
