import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecutionRequest, ExecutionResult, Executor } from "@graphql-tools/utils";
import { OperationTypeNode, parse } from "graphql";
import { projectRoot } from "../../contract/config";
import { rootLogger } from "../../contract/logger";
import { createShardExecutor } from "./executor";
import { readShardPolicies } from "./policies";

const policy = readShardPolicies(readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"), ["catalogue"]).get("catalogue")!;

/** The router over MOJ's one shard, which `executor` plays. */
function routerOver(executor: Executor, timeoutMs = 5000) {
  return createShardExecutor({
    subgraph: "catalogue",
    policy,
    shards: () => new Map([["MOJ", "http://127.0.0.1:1/graphql"]]),
    executorFor: () => executor,
    openStream: () => {
      throw new Error("no streams here");
    },
    timeoutMs,
    log: rootLogger,
  });
}

const DATASET: ExecutionResult = { data: { dataset: { __typename: "Dataset", id: "d1" } } };

/** A shard whose first `failures` calls reach nobody (as the transport reports a reset connection), then answers. */
function flakyShard(failures: number) {
  let calls = 0;
  const shardExecutor = routerOver(async (): Promise<ExecutionResult> => {
    calls += 1;
    if (calls <= failures) return { errors: [{ message: "other side closed" } as never] };
    return DATASET;
  });
  return { calls: () => calls, shardExecutor };
}

const request = (operationType: OperationTypeNode, text: string): ExecutionRequest => ({ document: parse(text), operationType, variables: {}, context: {} });

test("a read that reached no shard is asked once more, and answers", async () => {
  const shard = flakyShard(1);
  const result = (await shard.shardExecutor(request(OperationTypeNode.QUERY, '{ dataset(id: "d1", agencyCode: "MOJ") { id } }'))) as ExecutionResult;
  expect(result.errors).toBeUndefined();
  expect(result.data).toEqual({ dataset: { __typename: "Dataset", id: "d1" } });
  expect(shard.calls()).toBe(2);
});

test("a read that reaches no shard twice is SHARD_UNAVAILABLE after two attempts", async () => {
  const shard = flakyShard(5);
  const result = (await shard.shardExecutor(request(OperationTypeNode.QUERY, '{ dataset(id: "d1", agencyCode: "MOJ") { id } }'))) as ExecutionResult;
  expect(result.errors?.[0].extensions?.code).toBe("SHARD_UNAVAILABLE");
  expect(shard.calls()).toBe(2);
});

test("a write is never sent twice: it may have been applied", async () => {
  const shard = flakyShard(1);
  const result = (await shard.shardExecutor(
    request(OperationTypeNode.MUTATION, 'mutation { retireDataset(input: { agencyCode: "MOJ", datasetId: "d1", retiredOn: "2018-01-01", reason: "x" }) { dataset { id } } }'),
  )) as ExecutionResult;
  expect(result.errors?.[0].extensions?.code).toBe("SHARD_UNAVAILABLE");
  expect(shard.calls()).toBe(1);
});

const READ = '{ dataset(id: "d1", agencyCode: "MOJ") { id } }';

test("a call's signal stays live while the shard answers and is aborted once it has (the http executor holds a listener until then)", async () => {
  const signals: AbortSignal[] = [];
  let abortedWhileAnswering: boolean | undefined;
  const router = routerOver(async ({ signal }) => {
    signals.push(signal!);
    await new Promise((resolveSoon) => setTimeout(resolveSoon, 5));
    abortedWhileAnswering = signal!.aborted;
    return DATASET;
  });
  const result = (await router(request(OperationTypeNode.QUERY, READ))) as ExecutionResult;
  expect(result.data).toEqual(DATASET.data);
  expect(abortedWhileAnswering).toBe(false);
  expect(signals).toHaveLength(1);
  expect(signals[0].aborted).toBe(true);
});

test("a shard that does not answer in time is SHARD_UNAVAILABLE, and its call is aborted then", async () => {
  let abortedAfterMs: number | undefined;
  const started = Date.now();
  const router = routerOver(
    ({ signal }) =>
      new Promise<ExecutionResult>((_, reject) =>
        signal!.addEventListener("abort", () => {
          abortedAfterMs = Date.now() - started;
          reject(signal!.reason);
        }),
      ),
    50,
  );
  const result = (await router(request(OperationTypeNode.QUERY, READ))) as ExecutionResult;
  expect(result.errors?.[0]).toMatchObject({ message: expect.stringContaining("no answer within 50 ms"), extensions: { code: "SHARD_UNAVAILABLE" } });
  expect(abortedAfterMs).toBeGreaterThanOrEqual(45);
});

test("a request its client gave up on aborts its shard calls", async () => {
  const client = new AbortController();
  let reason: unknown;
  const router = routerOver(
    ({ signal }) =>
      new Promise<ExecutionResult>((_, reject) => {
        signal!.addEventListener("abort", () => {
          reason = signal!.reason;
          reject(signal!.reason);
        });
        setTimeout(() => client.abort(new Error("the client went away")), 5);
      }),
  );
  await router({ ...request(OperationTypeNode.QUERY, READ), signal: client.signal });
  expect(reason).toEqual(new Error("the client went away"));
});
