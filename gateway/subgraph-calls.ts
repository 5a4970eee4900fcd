/**
 * Calls to the subgraphs the shard router does not route (the ministry's
 * own, metrics and advisory; in standard mode, every subgraph), held to
 * what the router holds a shard call to (shard-router/executor.ts):
 * - an answer within the subgraph timeout: the engine's http transport
 *   would wait for ever, and so would the client;
 * - a read that reached no subgraph (a kept-alive connection closed just as
 *   it was reused) is asked once more; a write never is;
 * - a subgraph that cannot be reached, or does not answer in time, fails
 *   the fields it serves with SUBGRAPH_UNAVAILABLE naming it, where the
 *   engine gave a masked INTERNAL_SERVER_ERROR no client could act on; the
 *   rest of the answer stands.
 * Subscriptions are left as they are: a stream has no time limit.
 */
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import type { ExecutionRequest, ExecutionResult, Executor } from "@graphql-tools/utils";
import { GraphQLError } from "graphql";
import { ErrorCode } from "../contract/errors";
import type { Logger } from "../contract/logger";
import { reachedNoSubgraph } from "./shard-router/executor";

function unavailable(subgraph: string, reason: string, advice: string): GraphQLError {
  return new GraphQLError(`The ${subgraph} subgraph is unavailable: ${reason}. ${advice}`, { extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, subgraph } });
}

const ASK_AGAIN = "The rest of the answer stands; ask again shortly.";
/** A write that timed out may have been made: asked again blindly, it could be made twice. */
const READ_BACK = "The change may or may not have been made: read it back before making it again.";

/** One call, aborted after `timeoutMs` (or with the client's request): its answer, or why there is none. */
async function call(executor: Executor, request: ExecutionRequest, timeoutMs: number): Promise<{ result?: ExecutionResult; timedOut?: true; failure?: unknown }> {
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timer.signal]) : timer.signal;
  try {
    const aborted = new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    const result = await Promise.race([Promise.resolve(executor({ ...request, signal }) as Promise<ExecutionResult>), aborted]);
    return timer.signal.aborted ? { timedOut: true } : { result };
  } catch (failure) {
    return timer.signal.aborted ? { timedOut: true } : { failure };
  } finally {
    clearTimeout(timeout);
    timer.abort();
  }
}

export function useSubgraphCallBounds({ routedByShard, timeoutMs, log }: { routedByShard: (subgraph: string) => boolean; timeoutMs: number; log: Logger }): GatewayPlugin {
  return {
    onSubgraphExecute({ subgraphName, executor, setExecutor }) {
      if (routedByShard(subgraphName)) return;
      setExecutor(async (request: ExecutionRequest) => {
        if (request.operationType === "subscription") return executor(request);
        const unreached = (answer: Awaited<ReturnType<typeof call>>) => answer.failure !== undefined || (answer.result !== undefined && reachedNoSubgraph(answer.result));
        let answer = await call(executor, request, timeoutMs);
        if (unreached(answer) && request.operationType === "query" && !request.signal?.aborted) answer = await call(executor, request, timeoutMs);
        if (answer.timedOut) {
          return { errors: [unavailable(subgraphName, `it gave no answer within ${timeoutMs} ms`, request.operationType === "mutation" ? READ_BACK : ASK_AGAIN)] };
        }
        if (unreached(answer)) {
          log.warn({ subgraph: subgraphName, err: answer.failure, errors: answer.result?.errors?.map((e) => e.message) }, "subgraph call failed");
          return { errors: [unavailable(subgraphName, "it could not be reached or did not answer GraphQL", ASK_AGAIN)] };
        }
        return answer.result!;
      });
    },
  };
}
