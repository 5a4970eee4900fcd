/**
 * One call from the gateway to a subgraph, whether to an agency's shard
 * (shard-router/executor.ts) or to a ministry subgraph (subgraph-calls.ts),
 * each bounded with contract/within-time.ts: what it came to, as metrics
 * and traces see it, and whether it reached the subgraph at all.
 */
import type { ExecutionRequest, ExecutionResult } from "@graphql-tools/utils";
import { GraphQLError, Kind, type OperationDefinitionNode } from "graphql";
import { isErrorCode } from "../contract/errors";

/**
 * What a call to a shard or a subgraph came to: its result, or why there is none (a reason a client may read: never
 * an address), which metrics and traces count.
 */
export type CallAnswer = { ok: true; result: ExecutionResult } | { ok: false; reason: string; timedOut?: boolean; refused?: boolean; unreachable?: boolean };

/** Watches calls to one kind of upstream (metrics, tracing): runs each and sees its answer. */
export type CallObserver<Target> = (target: Target, call: () => Promise<CallAnswer>) => Promise<CallAnswer>;

/**
 * An answer with no data and no error of a GovGraph subgraph's own (one at a path, or with one of its codes): what the
 * engine's http transport answers when the subgraph was not reached or did not answer GraphQL.
 */
export function reachedNoSubgraph(result: ExecutionResult): boolean {
  return !result.data && !(result.errors ?? []).some((e) => e.path || isErrorCode(e.extensions?.code));
}

/**
 * Makes a call, and a read that reached nothing (a kept-alive connection closed just as it was reused, a restart) once
 * more: reads are safe to repeat, and a subgraph that is really down refuses the connection at once, so this costs it
 * nothing. A write never is asked twice: it may have been made.
 */
export async function askAgainIfUnreached(request: ExecutionRequest, ask: () => Promise<CallAnswer>): Promise<CallAnswer> {
  const answer = await ask();
  return !answer.ok && answer.unreachable && request.operationType === "query" && !request.signal?.aborted ? ask() : answer;
}

/**
 * An answer of errors and no data (the subgraph could not be reached or gave no answer in time, subgraph-calls.ts;
 * a subgraph that refused the request) as each root field the call asked for, null, with the errors at its path: as
 * GraphQL answers fields that failed, so the rest of the client's answer stands beside them. An error that has a
 * path already is a field's own (a non-null root field's, which nulled all the data): it stays where it is.
 */
export function failedAtEachRootField(result: ExecutionResult, operation: OperationDefinitionNode): ExecutionResult {
  if (result.data != null || !result.errors?.length) return result;
  const keys = operation.selectionSet.selections.flatMap((root) => (root.kind === Kind.FIELD ? [root.alias?.value ?? root.name.value] : []));
  return {
    data: Object.fromEntries(keys.map((key) => [key, null])),
    errors: result.errors.flatMap((error) =>
      error.path ? [error] : keys.map((key) => new GraphQLError(error.message, { path: [key], extensions: error.extensions, originalError: error.originalError ?? undefined })),
    ),
  };
}
