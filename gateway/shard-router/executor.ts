/**
 * The sharding executor: plans a subgraph request (plan.ts), sends each
 * shard its part in parallel with a per-shard timeout, and merges the
 * answers (merge.ts) into the one result the engine expects.
 *
 * A shard that fails, times out or is down does not fail the request: its
 * part of the answer is missing and an error says which agency and subgraph
 * (`SHARD_UNAVAILABLE`). How that meets the schema:
 * - a field routed to one shard, or an entity of that shard, becomes null
 *   with the error at its path; if the schema makes it non-null, the engine
 *   nulls the nearest nullable parent, as GraphQL does for any field error;
 * - a fanned-out field keeps the other shards' merged answer, and the error
 *   is added to the response beside it (partial-answers.ts), nulling nothing.
 */
import type { ExecutionRequest, ExecutionResult, Executor } from "@graphql-tools/utils";
import { GraphQLError, type DocumentNode, type GraphQLFormattedError } from "graphql";
import type { Logger } from "../../contract/logger";
import { ErrorCode } from "../../contract/errors";
import { MergeStrategy } from "../../contract/shard-directives";
import { mergeConnection } from "./connection";
import { addAggregates, concatLists, MergeError, reassembleEntities, type Json } from "./merge";
import { reportPartialAnswer } from "./partial-answers";
import { planShardRequest, type FieldPlan, type ShardCall, type ShardPlan } from "./plan";
import { fanIn } from "./stream";
import type { SubgraphShardPolicy } from "./policies";

export interface ShardExecutorOptions {
  subgraph: string;
  policy: SubgraphShardPolicy;
  /** The current routing table of this subgraph (agency code → URL), in routing-table order. */
  shards(): ReadonlyMap<string, string>;
  /** The executor that talks to one shard URL. */
  executorFor(url: string): Executor | Promise<Executor>;
  /** Opens one subscription on one shard, as the viewer of `request`. */
  openStream(url: string, document: DocumentNode, variables: Record<string, unknown>, request: ExecutionRequest): AsyncIterable<ExecutionResult>;
  timeoutMs: number;
  log: Logger;
  /** Watches every shard call (metrics, tracing): runs it and sees its answer. */
  observeCall?: ShardCallObserver;
}

export type ShardAnswer = { ok: true; result: ExecutionResult } | { ok: false; reason: string; timedOut: boolean };
export type ShardCallObserver = (shard: { subgraph: string; agencyCode: string }, call: () => Promise<ShardAnswer>) => Promise<ShardAnswer>;

const knownCodes = new Set<string>(Object.values(ErrorCode));

type ErrorLike = GraphQLError | GraphQLFormattedError;

function shardUnavailable(subgraph: string, agencyCode: string, reason: string, path?: (string | number)[]): GraphQLError {
  return new GraphQLError(`The ${subgraph} shard of ${agencyCode} is unavailable: ${reason}`, {
    path,
    extensions: { code: ErrorCode.SHARD_UNAVAILABLE, agencyCode, subgraph },
  });
}

/** A shard's error, moved to `path` and labelled with its agency. */
function relocate(error: ErrorLike, agencyCode: string, subgraph: string, path: readonly (string | number)[] | undefined): GraphQLError {
  return new GraphQLError(error.message, {
    path,
    extensions: { ...error.extensions, agencyCode: error.extensions?.agencyCode ?? agencyCode, subgraph: error.extensions?.subgraph ?? subgraph },
  });
}

async function callShard(call: ShardCall, url: string, request: ExecutionRequest, options: ShardExecutorOptions): Promise<ShardAnswer> {
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(request.signal ? [request.signal] : [])];
  const signal = AbortSignal.any(signals);
  try {
    const executor = await options.executorFor(url);
    const pending = Promise.resolve(
      executor({ ...request, document: call.document, variables: call.variables, signal }) as Promise<ExecutionResult>,
    );
    const timeout = new Promise<never>((_, reject) =>
      signal.addEventListener("abort", () => reject(new Error(`no answer within ${options.timeoutMs} ms`)), { once: true }),
    );
    const result = await Promise.race([pending, timeout]);
    if (!result || (result.data == null && !result.errors?.length)) return { ok: false, reason: "empty answer", timedOut: false };
    // No data and no error of the subgraph's own (a GovGraph code): the shard was not reached or did not answer.
    const errors = result.errors ?? [];
    const ownError = errors.some((e) => e.path || knownCodes.has(String(e.extensions?.code)));
    if (!result.data && !ownError) return { ok: false, reason: errors.map((e) => e.message).join("; ") || "no data", timedOut: false };
    return { ok: true, result };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error), timedOut: (signal.reason as Error | undefined)?.name === "TimeoutError" };
  }
}

function mergeField(
  plan: FieldPlan,
  answers: Map<string, ShardAnswer>,
  subgraph: string,
  errors: GraphQLError[],
  partial: (error: GraphQLError) => void,
): Json {
  const key = plan.responseKey;
  const shardErrors = (agencyCode: string) =>
    answers.get(agencyCode)?.ok ? ((answers.get(agencyCode) as { result: ExecutionResult }).result.errors ?? []).filter((e) => e.path?.[0] === key) : [];
  const dataOf = (agencyCode: string): Json | undefined => {
    const answer = answers.get(agencyCode);
    return answer?.ok ? ((answer.result.data as Record<string, Json> | null)?.[key] ?? null) : undefined;
  };
  switch (plan.kind) {
    case "local":
      return plan.value as Json;
    case "failed":
      errors.push(new GraphQLError(plan.error.message, { path: [key], extensions: plan.error.extensions }));
      return null;
    case "one": {
      const answer = answers.get(plan.agencyCode)!;
      if (!answer.ok) {
        errors.push(shardUnavailable(subgraph, plan.agencyCode, answer.reason, [key]));
        return null;
      }
      shardErrors(plan.agencyCode).forEach((e) => errors.push(relocate(e, plan.agencyCode, subgraph, e.path)));
      return dataOf(plan.agencyCode) ?? null;
    }
    case "entities": {
      for (const [position, error] of plan.unrouted) errors.push(new GraphQLError(error.message, { path: [key, position], extensions: error.extensions }));
      const lists = new Map<string, Json[] | null>();
      for (const [agencyCode, positions] of plan.owners) {
        const answer = answers.get(agencyCode)!;
        if (!answer.ok) {
          positions.forEach((position) => errors.push(shardUnavailable(subgraph, agencyCode, answer.reason, [key, position])));
          continue;
        }
        for (const error of shardErrors(agencyCode)) {
          const index = error.path?.[1];
          const targets = typeof index === "number" ? [positions[index]] : positions;
          targets.forEach((position) => errors.push(relocate(error, agencyCode, subgraph, [key, position, ...(error.path?.slice(2) ?? [])])));
        }
        const list = dataOf(agencyCode);
        lists.set(agencyCode, Array.isArray(list) ? list : null);
      }
      return reassembleEntities(plan.size, plan.owners, lists);
    }
    case "fanOut": {
      // Problems of single shards; they null nothing while another shard answered (see partial-answers.ts).
      const problems: GraphQLError[] = plan.unknownCodes.map(
        (code) =>
          new GraphQLError(`No shard is registered for agency ${JSON.stringify(code)}; answered without it.`, {
            extensions: { code: ErrorCode.NOT_FOUND, agencyCode: code, subgraph },
          }),
      );
      const parts: { agencyCode: string; value: Json }[] = [];
      let offset = 0;
      for (const agencyCode of plan.agencyCodes) {
        const answer = answers.get(agencyCode)!;
        if (!answer.ok) {
          problems.push(shardUnavailable(subgraph, agencyCode, answer.reason));
          continue;
        }
        const value = dataOf(agencyCode) ?? null;
        for (const error of shardErrors(agencyCode)) {
          if (value === null) {
            problems.push(relocate(error, agencyCode, subgraph, undefined));
            continue;
          }
          const [, index, ...rest] = error.path ?? [];
          const path = plan.merge === MergeStrategy.LIST && typeof index === "number" ? [key, offset + index, ...rest] : error.path;
          errors.push(relocate(error, agencyCode, subgraph, path));
        }
        if (value === null) continue;
        parts.push({ agencyCode, value });
        offset += Array.isArray(value) ? value.length : 0;
      }
      if (parts.length === 0 && problems.length > 0) {
        problems.forEach((problem) => errors.push(new GraphQLError(problem.message, { path: [key], extensions: problem.extensions })));
        return null;
      }
      problems.forEach(partial);
      if (plan.merge === MergeStrategy.LIST) return concatLists(parts.map(({ value }) => (Array.isArray(value) ? value : [])));
      if (plan.connection) {
        const { first, shape } = plan.connection;
        return mergeConnection(parts as { agencyCode: string; value: { [key: string]: Json } }[], first, plan.positions!, shape);
      }
      try {
        return addAggregates(parts.map(({ value }) => value));
      } catch (error) {
        if (!(error instanceof MergeError)) throw error;
        errors.push(new GraphQLError(`Cannot add the shards' answers: ${error.message}`, { path: [key], extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, subgraph } }));
        return null;
      }
    }
  }
}

export function createShardExecutor(options: ShardExecutorOptions): Executor {
  const execute = async (request: ExecutionRequest): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> => {
    const shards = options.shards();
    const plan = planShardRequest({
      document: request.document,
      variables: request.variables,
      operationName: request.operationName,
      policy: options.policy,
      agencyCodes: [...shards.keys()],
    });
    if (request.operationType === "subscription") return subscribe(plan, request);
    const answers = new Map(
      await Promise.all(
        plan.calls.map(async (call) => {
          const run = () => callShard(call, shards.get(call.agencyCode)!, request, options);
          const answer = options.observeCall ? await options.observeCall({ subgraph: options.subgraph, agencyCode: call.agencyCode }, run) : await run();
          return [call.agencyCode, answer] as const;
        }),
      ),
    );
    const errors: GraphQLError[] = [];
    const data: Record<string, Json> = {};
    const partial = (error: GraphQLError) => reportPartialAnswer(request.context, error);
    for (const field of plan.fields) data[field.responseKey] = mergeField(field, answers, options.subgraph, errors, partial);
    for (const [agencyCode, answer] of answers) {
      if (!answer.ok) continue;
      for (const error of answer.result.errors ?? []) {
        if (error.path === undefined) errors.push(relocate(error, agencyCode, options.subgraph, undefined));
      }
    }
    return errors.length > 0 ? { data, errors } : { data };
  };

  /** A subscription has one root field, fanned in (policies.ts allows no other). */
  const subscribe = (plan: ShardPlan, request: ExecutionRequest): ExecutionResult | AsyncIterableIterator<ExecutionResult> => {
    const [field] = plan.fields;
    if (field.kind === "failed") return { errors: [new GraphQLError(field.error.message, { path: [field.responseKey], extensions: field.error.extensions })] };
    if (plan.fields.length !== 1 || field.kind !== "fanOut" || !field.stream) {
      return { errors: [new GraphQLError(`A subscription to ${options.subgraph} must select one fanned-in field.`)] };
    }
    return fanIn({
      subgraph: options.subgraph,
      responseKey: field.responseKey,
      calls: plan.calls,
      afterVariable: field.afterVariable!,
      positions: field.positions!,
      cursorKeys: field.stream.cursorKeys,
      urlOf: (agencyCode) => options.shards().get(agencyCode),
      open: (url, document, variables) => options.openStream(url, document, variables, request),
      log: options.log,
    });
  };
  return execute as Executor;
}
