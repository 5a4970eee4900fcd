/**
 * Metrics asks the gateway as its own system identity (contract/system-client.ts):
 * the routing table to follow, the advisory panel's figures, the shards' own counts.
 */
import { SYSTEM_SUBJECTS } from "../../contract/claims";
import { createSystemClient, type SystemClient } from "../../contract/system-client";

export function metricsSystemClient(internalSecret: string, claimsTtlSeconds = 60, timeoutMs = 5000): SystemClient {
  return createSystemClient({ subject: SYSTEM_SUBJECTS.METRICS, internalSecret, claimsTtlSeconds, timeoutMs });
}

/** One operation through the gateway; any failure is thrown with its reason (callers retry or report it). */
export async function askGateway<T>(system: SystemClient, gatewayUrl: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const answer = await system.request<T>(gatewayUrl, query, variables);
  if (!answer.ok) throw new Error(`the gateway at ${gatewayUrl} could not answer: ${answer.reason}`);
  return answer.data;
}
