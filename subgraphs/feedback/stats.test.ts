import { addAggregates } from "../../gateway/shard-router/merge";
import { DEFAULT_DEADLINE_POLICY as policy, feedbackStats, replyDueAt } from "./deadline";

const DAY = 24 * 60 * 60 * 1000;
const now = new Date("2026-06-30T04:00:00Z");

function comment(receivedDaysAgo: number, answeredAfterDays: number | null) {
  const receivedAt = new Date(now.getTime() - receivedDaysAgo * DAY);
  return { receivedAt, replyDueAt: replyDueAt(receivedAt, policy), answeredAt: answeredAfterDays === null ? null : new Date(receivedAt.getTime() + answeredAfterDays * DAY) };
}

/** The lower median of whole days to reply, from the raw comments. */
function median(days: number[]): number {
  const sorted = [...days].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1];
}

function medianOfHistogram(histogram: number[]): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  let seen = 0;
  return histogram.findIndex((count) => (seen += count) * 2 >= total);
}

test("the ministry-wide median days to reply is exact from the agencies' additive parts", () => {
  const aca = [comment(40, 2.5), comment(50, 13), comment(60, 20), comment(5, null), comment(30, null)];
  const moj = [comment(100, 1.2), comment(90, 3.9), comment(80, 3.1), comment(70, 40)];
  const merged = addAggregates([feedbackStats(aca, now, policy), feedbackStats(moj, now, policy)] as never) as unknown as ReturnType<typeof feedbackStats>;
  expect(merged).toEqual(feedbackStats([...aca, ...moj], now, policy));
  expect(merged).toMatchObject({ received: 9, answered: 7, overdue: 1 });
  const answeredDays = [...aca, ...moj].filter((c) => c.answeredAt).map((c) => Math.floor((c.answeredAt!.getTime() - c.receivedAt.getTime()) / DAY));
  expect(medianOfHistogram(merged.daysToReplyHistogram)).toBe(median(answeredDays));
  expect(merged.daysToReplyHistogram[30]).toBe(1);
});
