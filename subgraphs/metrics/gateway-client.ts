/**
 * Metrics asks the gateway, as its own system identity (claims signed with
 * the internal secret, which only the ministry's processes hold): the
 * routing table to follow, and the advisory panel's figures.
 */
import { CLAIMS_HEADER, Role, signClaims, SYSTEM_SUBJECTS, type Viewer } from "../../contract/claims";

export const METRICS_VIEWER: Viewer = { sub: SYSTEM_SUBJECTS.METRICS, role: Role.MINISTRY_ADMIN };

export async function systemClaims(internalSecret: string): Promise<string> {
  return signClaims(METRICS_VIEWER, internalSecret, 60);
}

export async function askGateway<T>(gatewayUrl: string, internalSecret: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", [CLAIMS_HEADER]: await systemClaims(internalSecret) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(body.errors?.map((error) => error.message).join("; ") ?? `HTTP ${response.status}`);
  return body.data;
}
