/**
 * Calls to the subgraphs the shard router does not route (the ministry's
 * own, metrics and advisory; in standard mode, every subgraph), held to
 * what the router holds a shard call to (shard-router/executor.ts; both
 * bound a call with upstream-call.ts):
 * - an answer within the subgraph timeout: the engine's http transport
 *   would wait for ever, and so would the client;
 * - a read that reached no subgraph (a kept-alive connection closed just as
 *   it was reused) is asked once more; a write never is;
 * - a subgraph that cannot be reached, or does not answer in time, fails
 *   the fields it serves with SUBGRAPH_UNAVAILABLE naming it, where the
 *   engine gave a masked INTERNAL_SERVER_ERROR, or the subgraph's address,
 *   and nothing a client could act on; the rest of the answer stands.
 * A subscription has no time limit; one whose subgraph cannot be reached,
 * or goes away, ends with the same error.
 */
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { isAsyncIterable, mapAsyncIterator, type ExecutionRequest, type ExecutionResult } from "@graphql-tools/utils";
import { GraphQLError, OperationTypeNode } from "graphql";
import { ErrorCode } from "../contract/errors";
import type { Logger } from "../contract/logger";
import { reachedNoSubgraph, withinTime } from "./upstream-call";

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

export function useSubgraphCallBounds({ routedByShard, timeoutMs, log }: { routedByShard: (subgraph: string) => boolean; timeoutMs: number; log: Logger }): GatewayPlugin {
  return {
    onSubgraphExecute({ subgraphName, executor, setExecutor }) {
      if (routedByShard(subgraphName)) return;
      /** No answer from the subgraph: what was thrown, or the errors the transport answered with, go to the log only. */
      const unreachable = (operation: Operation, detail: unknown) => {
        log.warn({ subgraph: subgraphName, detail }, "subgraph call failed");
        return unavailable(subgraphName, operation, false, "it could not be reached or did not answer GraphQL");
      };
      const errorsOf = (result: ExecutionResult) => result.errors?.map((e) => e.message);

      const subscribe = async (request: ExecutionRequest) => {
        const failed = (failure: unknown) => unreachable(OperationTypeNode.SUBSCRIPTION, failure);
        const results = await Promise.resolve(executor(request)).catch(failed);
        const relabelled = (result: ExecutionResult) => (reachedNoSubgraph(result) ? unreachable(OperationTypeNode.SUBSCRIPTION, errorsOf(result)) : result);
        return isAsyncIterable<ExecutionResult>(results) ? mapAsyncIterator(results, relabelled, failed) : relabelled(results);
      };

      setExecutor(async (request: ExecutionRequest) => {
        const operation = request.operationType;
        if (operation === OperationTypeNode.SUBSCRIPTION) return subscribe(request);
        const ask = async (): Promise<{ result: ExecutionResult } | { timedOut: true } | { unreached: unknown }> => {
          const answer = await withinTime(timeoutMs, request.signal, async (signal) => (await executor({ ...request, signal })) as ExecutionResult);
          if ("timedOut" in answer) return answer;
          if ("failure" in answer) return { unreached: answer.failure };
          return reachedNoSubgraph(answer.value) ? { unreached: errorsOf(answer.value) } : { result: answer.value };
        };
        let answer = await ask();
        if ("unreached" in answer && operation === OperationTypeNode.QUERY) answer = await ask();
        if ("timedOut" in answer) return unavailable(subgraphName, operation, true, `it gave no answer within ${timeoutMs} ms`);
        if ("unreached" in answer) return unreachable(operation, answer.unreached);
        return answer.result;
      });
    },
  };
}
