/**
 * Reply efficiency, the seventh quality indicator, is judged from the
 * agency's feedback record, which lives in the agency's feedback shard. The
 * catalogue shard asks the gateway, which routes to wherever the routing
 * table says that shard is now, as the quality check's system identity.
 */
import type { Logger } from "../../../contract/logger";
import type { SystemClient } from "../../../contract/system-client";

export type ReplyStats = { answered: number; answeredOnTime: number; overdue: number } | null;

/** The agency's reply record; null when it cannot be had (the indicator is then left unjudged). */
export type ReplyRecord = (agencyCode: string, log: Logger) => Promise<ReplyStats>;

const QUERY = "query($agency: [ID!]) { feedbackStats(agencyCodes: $agency) { answered answeredOnTime overdue } }";

export function replyRecordThroughGateway(system: SystemClient, gatewayUrl: string): ReplyRecord {
  return async (agencyCode, log) => {
    const answer = await system.request<{ feedbackStats: ReplyStats }>(gatewayUrl, QUERY, { agency: [agencyCode] });
    if (answer.ok) return answer.data.feedbackStats;
    log.warn({ failure: answer.reason, kind: answer.kind }, "reply record unavailable: reply efficiency left unjudged");
    return null;
  };
}
