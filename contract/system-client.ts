/**
 * GraphQL calls that GovGraph makes as itself, not for a user: the transfer
 * relay and the registry (in the gateway) calling shards, the quality check
 * (in a catalogue shard) and the metrics projection calling the gateway.
 * Each call carries freshly signed claims of a system subject with the
 * ministry's role (contract/claims.ts); shards accept them like any claims,
 * and the gateway accepts them from system subjects only (gateway/auth.ts).
 *
 * Failures are values, never exceptions, and say what kind they are, so a
 * caller decides: the shard could not be reached (UNREACHABLE), something
 * answered that is not GraphQL (NOT_GRAPHQL), or GraphQL answered with errors
 * (ERRORS, with the errors and any partial data).
 */
import { CLAIMS_HEADER, Role, signClaims, type SystemSubject } from "./claims";

export interface GraphQLErrorLike {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export type SystemCallResult<T> =
  | { ok: true; data: T }
  | { ok: false; kind: "UNREACHABLE" | "NOT_GRAPHQL"; reason: string; status?: number }
  | { ok: false; kind: "ERRORS"; reason: string; status: number; errors: GraphQLErrorLike[]; data: T | null };

export interface SystemClientOptions {
  subject: SystemSubject;
  internalSecret: string;
  claimsTtlSeconds: number;
  timeoutMs: number;
}

export interface SystemClient {
  /** POSTs one GraphQL operation to `url` (a /graphql endpoint) as the system subject. */
  request<T = Record<string, unknown>>(url: string, query: string, variables?: Record<string, unknown>): Promise<SystemCallResult<T>>;
  /** The signed claims header value for a call of the caller's own making (e.g. a subscription). */
  claims(): Promise<string>;
  /** How long a call waits for its answer; a call of the caller's own making waits as long. */
  readonly timeoutMs: number;
}

/** Why a fetch failed, in words an operator can act on (undici hides the socket error in `cause`). */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
  return String(error);
}

export function createSystemClient({ subject, internalSecret, claimsTtlSeconds, timeoutMs }: SystemClientOptions): SystemClient {
  const claims = () => signClaims({ sub: subject, role: Role.MINISTRY_ADMIN }, internalSecret, claimsTtlSeconds);
  return {
    claims,
    timeoutMs,
    async request<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<SystemCallResult<T>> {
      let status: number;
      let text: string;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", [CLAIMS_HEADER]: await claims() },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        return { ok: false, kind: "UNREACHABLE", reason: describeFetchError(error, timeoutMs) };
      }
      let body: { data?: T | null; errors?: GraphQLErrorLike[] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return { ok: false, kind: "NOT_GRAPHQL", reason: `it is not a GraphQL endpoint (HTTP ${status}, not JSON)`, status };
      }
      if (body === null || typeof body !== "object" || (!("data" in body) && !("errors" in body))) {
        return { ok: false, kind: "NOT_GRAPHQL", reason: `it is not a GraphQL endpoint (HTTP ${status}, no data or errors)`, status };
      }
      if (body.errors?.length || body.data == null) {
        const errors = body.errors ?? [];
        return { ok: false, kind: "ERRORS", reason: errors.map((e) => e.message).join("; ") || `HTTP ${status}, no data`, status, errors, data: body.data ?? null };
      }
      return { ok: true, data: body.data };
    },
  };
}
