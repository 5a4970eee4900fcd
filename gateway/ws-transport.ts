/**
 * Subscriptions to the subgraphs that are not sharded (metrics'
 * progressChanged; in standard mode, every subgraph's), as a Hive Gateway
 * transport ("ws", in place of @graphql-mesh/transport-ws, which opened its
 * connections with no bound: a subgraph that took the socket and never
 * answered held its subscribers without a word, and the gateway's shutdown
 * waited on them for ever).
 *
 * Each subscription has a connection of its own (contract/ws-client.ts), as
 * the viewer who asked, with claims signed as it connects, and its opening
 * bounded by the subgraph timeout. Like graphql-ws's default client, it
 * reconnects by itself (5 tries, randomised backoff) when the subgraph goes
 * away and comes back; after that, the subscription fails, and
 * subgraph-calls.ts tells the subscriber which subgraph.
 */
import type { Transport } from "@graphql-mesh/transport-common";
import type { ExecutionRequest, ExecutionResult } from "@graphql-tools/utils";
import { print } from "graphql";
import { ANONYMOUS, signClaims, type Viewer } from "../contract/claims";
import { boundedWsClient, runAlone, type OneOperation } from "../contract/ws-client";

/** graphql-ws's own default. */
const RETRY_ATTEMPTS = 5;

export function boundedWsTransport({ internalSecret, claimsTtlSeconds, openTimeoutMs }: { internalSecret: string; claimsTtlSeconds: number; openTimeoutMs: number }): Transport {
  return {
    getSubgraphExecutor({ transportEntry }) {
      const url = transportEntry.location!;
      const open = new Set<OneOperation<unknown>>();
      const executor = (request: ExecutionRequest): AsyncIterable<ExecutionResult> => {
        const viewer = (request.context as { viewer?: Viewer } | undefined)?.viewer ?? ANONYMOUS;
        const client = boundedWsClient({ url, claims: () => signClaims(viewer, internalSecret, claimsTtlSeconds), openTimeoutMs, retryAttempts: RETRY_ATTEMPTS });
        const operation = runAlone<unknown>(client, { query: print(request.document), variables: request.variables, operationName: request.operationName });
        open.add(operation);
        return {
          [Symbol.asyncIterator]: () => ({
            async next() {
              try {
                const next = await operation.next();
                if (next.done) open.delete(operation);
                return next as IteratorResult<ExecutionResult>;
              } catch (error) {
                open.delete(operation);
                throw error;
              }
            },
            async return() {
              open.delete(operation);
              return operation.return();
            },
          }),
        };
      };
      // Disposed with the gateway: every subscription still open ends, and its connection closes.
      return Object.assign(executor, { [Symbol.asyncDispose]: async () => void (await Promise.all([...open].map((operation) => operation.return()))) });
    },
  };
}
