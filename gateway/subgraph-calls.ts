/**
 * Calls to the subgraphs the shard router does not route (the ministry's
 * own, metrics and advisory; in standard mode, every subgraph), held to
 * what the router holds a shard call to (shard-router/executor.ts; both
 * bound a call with contract/within-time.ts):
 * - an answer within the subgraph timeout: the engine's http transport
 *   would wait for ever, and so would the client;
 * - a read that reached no subgraph is asked once more; a write never is
 *   (askAgainIfUnreached, upstream-call.ts);
 * - a subgraph that cannot be reached, or does not answer in time, fails
 *   the fields it serves with SUBGRAPH_UNAVAILABLE naming it, where the
 *   engine gave a masked INTERNAL_SERVER_ERROR, or the subgraph's address,
 *   and nothing a client could act on; the rest of the answer stands.
 * A subscription has no time limit once open (its opening is bounded by
 * ws-transport.ts); one whose subgraph cannot be reached, does not answer
 * its opening, or goes away, ends with the same error. Each query and mutation call is
 * counted, timed and traced like a shard call (observability.ts).
 */
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { isAsyncIterable, mapAsyncIterator, type ExecutionRequest, type ExecutionResult } from "@graphql-tools/utils";
import { GraphQLError, OperationTypeNode } from "graphql";
import { ErrorCode } from "../contract/errors";
import type { Logger } from "../contract/logger";
import { withinTime } from "../contract/within-time";
import { askAgainIfUnreached, reachedNoSubgraph, type CallAnswer, type CallObserver } from "./upstream-call";

type Operation = ExecutionRequest["operationType"];

/** What the client may do next, by what it asked. A write that timed out may have been made: asked again blindly, it could be made twice. */
function advice(operation: Operation, timedOut: boolean): string {
  if (operation === OperationTypeNode.SUBSCRIPTION) return "Subscribe again shortly.";
  if (operation === OperationTypeNode.MUTATION && timedOut) return "The change may or may not have been made: read it back before making it again.";
  return "The rest of the answer stands; ask again shortly.";
}

function unavailable(subgraph: string, operation: Operation, timedOut: boolean, reason: string): ExecutionResult {
  return {
    errors: [
      new GraphQLError(`The ${subgraph} subgraph is unavailable: ${reason}. ${advice(operation, timedOut)}`, {
        extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, subgraph },
      }),
    ],
  };
}

const UNREACHED = "it could not be reached or did not answer GraphQL";

export interface SubgraphCallOptions {
  /** Whether the shard router serves this subgraph (its calls are bounded there). */
  routedByShard(subgraph: string): boolean;
  timeoutMs: number;
  log: Logger;
  /** Watches every query and mutation call (metrics, tracing): runs it and sees its answer. */
  observeCall?: CallObserver<string>;
}

export function useSubgraphCallBounds({ routedByShard, timeoutMs, log, observeCall }: SubgraphCallOptions): GatewayPlugin {
  return {
    onSubgraphExecute({ subgraphName, executor, setExecutor }) {
      if (routedByShard(subgraphName)) return;
      /** What was thrown, or the errors the transport answered with instead of the subgraph, go to the log only. */
      const logUnreached = (detail: unknown) => log.warn({ subgraph: subgraphName, detail }, "subgraph call failed");
      const errorsOf = (result: ExecutionResult) => result.errors?.map((e) => e.message);

      const subscribe = async (request: ExecutionRequest) => {
        const failed = (detail: unknown) => (logUnreached(detail), unavailable(subgraphName, OperationTypeNode.SUBSCRIPTION, false, UNREACHED));
        const results = await Promise.resolve(executor(request)).catch(failed);
        const relabelled = (result: ExecutionResult) => (reachedNoSubgraph(result) ? failed(errorsOf(result)) : result);
        return isAsyncIterable<ExecutionResult>(results) ? mapAsyncIterator(results, relabelled, failed) : relabelled(results);
      };

      const ask = async (request: ExecutionRequest): Promise<CallAnswer> => {
        const answer = await withinTime(timeoutMs, request.signal, async (signal) => (await executor({ ...request, signal })) as ExecutionResult);
        if ("timedOut" in answer) return { ok: false, reason: `it gave no answer within ${timeoutMs} ms`, timedOut: true };
        if ("value" in answer && !reachedNoSubgraph(answer.value)) return { ok: true, result: answer.value };
        logUnreached("failure" in answer ? answer.failure : errorsOf(answer.value));
        return { ok: false, reason: UNREACHED, unreachable: true };
      };
      const call = (request: ExecutionRequest) => askAgainIfUnreached(request, () => ask(request));

      setExecutor(async (request: ExecutionRequest) => {
        const operation = request.operationType;
        if (operation === OperationTypeNode.SUBSCRIPTION) return subscribe(request);
        const answer = observeCall ? await observeCall(subgraphName, () => call(request)) : await call(request);
        return answer.ok ? answer.result : unavailable(subgraphName, operation, answer.timedOut === true, answer.reason);
      });
    },
  };
}
