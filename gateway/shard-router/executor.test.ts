import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecutionRequest, ExecutionResult } from "@graphql-tools/utils";
import { OperationTypeNode, parse } from "graphql";
import { projectRoot } from "../../contract/config";
import { rootLogger } from "../../contract/logger";
import { createShardExecutor } from "./executor";
import { readShardPolicies } from "./policies";

const policy = readShardPolicies(readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"), ["catalogue"]).get("catalogue")!;

/** A shard whose first `failures` calls reach nobody (as the transport reports a reset connection), then answers. */
function flakyShard(failures: number) {
  let calls = 0;
  const executor = async (): Promise<ExecutionResult> => {
    calls += 1;
    if (calls <= failures) return { errors: [{ message: "other side closed" } as never] };
    return { data: { dataset: { __typename: "Dataset", id: "d1" } } };
  };
  const shardExecutor = createShardExecutor({
    subgraph: "catalogue",
    policy,
    shards: () => new Map([["MOJ", "http://127.0.0.1:1/graphql"]]),
    executorFor: () => executor,
    openStream: () => {
      throw new Error("no streams here");
    },
    timeoutMs: 5000,
    log: rootLogger,
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
