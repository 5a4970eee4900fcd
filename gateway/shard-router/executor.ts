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
import { getOperationAST, GraphQLError, type DocumentNode, type GraphQLFormattedError } from "graphql";
import type { Logger } from "../../contract/logger";
import { ErrorCode } from "../../contract/errors";
import { MergeStrategy } from "../../contract/shard-directives";
import { mergeConnection } from "./connection";
import { addAggregates, alikeOnce, concatLists, MergeError, reassembleEntities, type Json } from "./merge";
import { reportPartialAnswer } from "./partial-answers";
import { planShardRequest, ShardDocuments, type FieldPlan, type ShardCall, type ShardPlan } from "./plan";
import { fanIn } from "./stream";
import type { SubgraphShardPolicy } from "./policies";
import type { ShardGuard } from "./shard-guard";
import { withinTime } from "../../contract/within-time";
import { askAgainIfUnreached, failedAtEachRootField, reachedNoSubgraph, type CallAnswer, type CallObserver } from "../upstream-call";

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
  /** Circuit breaker and concurrency limit per shard (shard-guard.ts). */
  guard?: ShardGuard;
  log: Logger;
  /** Watches every shard call (metrics, tracing): runs it and sees its answer. */
  observeCall?: ShardCallObserver;
}

export type ShardCallObserver = CallObserver<{ subgraph: string; agencyCode: string }>;
type ErrorLike = GraphQLError | GraphQLFormattedError;

function shardUnavailable(subgraph: string, agencyCode: string, reason: string, path?: (string | number)[]): GraphQLError {
  return new GraphQLError(`The ${subgraph} shard of ${agencyCode} is unavailable: ${reason}`, {
    path,
    extensions: { code: ErrorCode.SHARD_UNAVAILABLE, agencyCode, subgraph },
  });
}

/** An agency named in a fanned-out field's subset that has no shard: the rest, if any, is answered without it. */
function noShardFor(subgraph: string, agencyCode: string, restAnswered: boolean): GraphQLError {
  return new GraphQLError(`No shard is registered for agency ${JSON.stringify(agencyCode)}${restAnswered ? "; answered without it" : ""}.`, {
    extensions: { code: ErrorCode.NOT_FOUND, agencyCode, subgraph },
  });
}

/** A shard's error, moved to `path` and labelled with its agency. */
function relocate(error: ErrorLike, agencyCode: string, subgraph: string, path: readonly (string | number)[] | undefined): GraphQLError {
  return new GraphQLError(error.message, {
    path,
    extensions: { ...error.extensions, agencyCode: error.extensions?.agencyCode ?? agencyCode, subgraph: error.extensions?.subgraph ?? subgraph },
  });
}

async function callShard(call: ShardCall, url: string, request: ExecutionRequest, options: ShardExecutorOptions): Promise<CallAnswer> {
  const refusal = options.guard?.refusal(url);
  if (refusal) return { ok: false, reason: refusal, refused: true };
  const answer = await askAgainIfUnreached(request, () => askShard(call, url, request, options));
  // Only a shard that cannot be reached opens its breaker: a slow answer may be the machine's load, and the concurrency limit bounds it.
  if (answer.ok || answer.unreachable) options.guard?.record(url, answer.ok);
  return answer;
}

/** One shard's answer; a failure's reason names its kind, never an address (the details go to the log). */
async function askShard(call: ShardCall, url: string, request: ExecutionRequest, options: ShardExecutorOptions): Promise<CallAnswer> {
  let release: (() => void) | undefined;
  const answer = await withinTime(options.timeoutMs, request.signal, async (signal) => {
    release = await options.guard?.acquire(url, signal);
    const executor = await options.executorFor(url);
    return (await executor({ ...request, document: call.document, variables: call.variables, signal })) as ExecutionResult;
  });
  release?.();
  if ("timedOut" in answer) return { ok: false, reason: `no answer within ${options.timeoutMs} ms`, timedOut: true };
  if ("failure" in answer) {
    options.log.warn({ subgraph: options.subgraph, agencyCode: call.agencyCode, url, err: answer.failure }, "shard call failed");
    return { ok: false, reason: "it could not be reached", unreachable: true };
  }
  const result = answer.value;
  if (!result || (result.data == null && !result.errors?.length)) return { ok: false, reason: "it gave an empty answer" };
  if (reachedNoSubgraph(result)) {
    options.log.warn({ subgraph: options.subgraph, agencyCode: call.agencyCode, url, errors: result.errors?.map((e) => e.message) }, "shard call failed");
    return { ok: false, reason: "it could not be reached or did not answer GraphQL", unreachable: true };
  }
  // A shard that refused the whole request (an argument it could not read, such as a day not of the calendar) failed
  // each field it was asked: so its refusal is merged as a field's error is, once for the shards that refused alike.
  const operation = result.data == null ? getOperationAST(call.document) : null;
  return { ok: true, result: operation ? failedAtEachRootField(result, operation) : result };
}

/** The answers of one subgraph request, and where merging reports problems. */
interface Merging {
  subgraph: string;
  answers: ReadonlyMap<string, CallAnswer>;
  /** Errors at a path of the answer. */
  errors: GraphQLError[];
  /** Errors of single shards beside a fanned-out field's merged answer (partial-answers.ts). */
  partial(error: GraphQLError): void;
}

/** A shard's own errors under one root field. */
function errorsUnder(merging: Merging, agencyCode: string, key: string): readonly ErrorLike[] {
  const answer = merging.answers.get(agencyCode);
  return answer?.ok ? (answer.result.errors ?? []).filter((e) => e.path?.[0] === key) : [];
}

/** A shard's data for one root field: undefined when the shard did not answer. */
function dataOf(merging: Merging, agencyCode: string, key: string): Json | undefined {
  const answer = merging.answers.get(agencyCode);
  return answer?.ok ? ((answer.result.data as Record<string, Json> | null)?.[key] ?? null) : undefined;
}

type FanOutPlan = Extract<FieldPlan, { agencyCodes: string[] }>;

/**
 * The parts of a fanned-out field, shard by shard, in routing-table order.
 * Problems of single shards (down, unknown, no data) null nothing while
 * another shard answered: they go beside the merged answer. When no shard
 * answered they fail the field itself, and null is returned. Errors inside a
 * shard's part keep their path; `listIndex` renumbers them for a merged list.
 */
function gather(plan: FanOutPlan, merging: Merging, listIndex = false): { agencyCode: string; value: Json }[] | null {
  const key = plan.responseKey;
  const problems: GraphQLError[] = [];
  const parts: { agencyCode: string; value: Json }[] = [];
  let offset = 0;
  for (const agencyCode of plan.agencyCodes) {
    const answer = merging.answers.get(agencyCode)!;
    if (!answer.ok) {
      problems.push(shardUnavailable(merging.subgraph, agencyCode, answer.reason));
      continue;
    }
    const value = dataOf(merging, agencyCode, key) ?? null;
    for (const error of errorsUnder(merging, agencyCode, key)) {
      if (value === null) {
        problems.push(relocate(error, agencyCode, merging.subgraph, undefined));
        continue;
      }
      const [, index, ...rest] = error.path ?? [];
      const path = listIndex && typeof index === "number" ? [key, offset + index, ...rest] : error.path;
      merging.errors.push(relocate(error, agencyCode, merging.subgraph, path));
    }
    if (value === null) continue;
    parts.push({ agencyCode, value });
    offset += Array.isArray(value) ? value.length : 0;
  }
  problems.unshift(...plan.unknownCodes.map((code) => noShardFor(merging.subgraph, code, parts.length > 0)));
  if (parts.length === 0 && problems.length > 0) {
    alikeOnce(problems).forEach((problem) => merging.errors.push(new GraphQLError(problem.message, { path: [key], extensions: problem.extensions })));
    return null;
  }
  problems.forEach(merging.partial);
  return parts;
}

type Merge<K extends FieldPlan["kind"]> = (plan: Extract<FieldPlan, { kind: K }>, merging: Merging) => Json;

/** One merge per kind of field plan: how the shards' answers become the field's answer. */
const merges: { [K in FieldPlan["kind"]]: Merge<K> } = {
  local: (plan) => plan.value as Json,
  failed: (plan, merging) => {
    merging.errors.push(new GraphQLError(plan.error.message, { path: [plan.responseKey], extensions: plan.error.extensions }));
    return null;
  },
  shardBy: (plan, merging) => {
    const answer = merging.answers.get(plan.agencyCode)!;
    if (!answer.ok) {
      merging.errors.push(shardUnavailable(merging.subgraph, plan.agencyCode, answer.reason, [plan.responseKey]));
      return null;
    }
    errorsUnder(merging, plan.agencyCode, plan.responseKey).forEach((e) => merging.errors.push(relocate(e, plan.agencyCode, merging.subgraph, e.path)));
    return dataOf(merging, plan.agencyCode, plan.responseKey) ?? null;
  },
  entities: (plan, merging) => {
    const key = plan.responseKey;
    for (const [position, error] of plan.unrouted) merging.errors.push(new GraphQLError(error.message, { path: [key, position], extensions: error.extensions }));
    const lists = new Map<string, Json[] | null>();
    for (const [agencyCode, positions] of plan.owners) {
      const answer = merging.answers.get(agencyCode)!;
      if (!answer.ok) {
        positions.forEach((position) => merging.errors.push(shardUnavailable(merging.subgraph, agencyCode, answer.reason, [key, position])));
        continue;
      }
      for (const error of errorsUnder(merging, agencyCode, key)) {
        const index = error.path?.[1];
        const targets = typeof index === "number" ? [positions[index]] : positions;
        targets.forEach((position) => merging.errors.push(relocate(error, agencyCode, merging.subgraph, [key, position, ...(error.path?.slice(2) ?? [])])));
      }
      const list = dataOf(merging, agencyCode, key);
      lists.set(agencyCode, Array.isArray(list) ? list : null);
    }
    return reassembleEntities(plan.size, plan.owners, lists);
  },
  LIST: (plan, merging) => {
    const parts = gather(plan, merging, true);
    return parts && concatLists(parts.map(({ value }) => (Array.isArray(value) ? value : [])));
  },
  AGGREGATE: (plan, merging) => {
    const parts = gather(plan, merging);
    if (!parts) return null;
    try {
      return addAggregates(parts.map(({ value }) => value));
    } catch (error) {
      if (!(error instanceof MergeError)) throw error;
      merging.errors.push(
        new GraphQLError(`Cannot add the shards' answers: ${error.message}`, { path: [plan.responseKey], extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, subgraph: merging.subgraph } }),
      );
      return null;
    }
  },
  CONNECTION: (plan, merging) => {
    const parts = gather(plan, merging);
    return parts && mergeConnection(parts as { agencyCode: string; value: { [key: string]: Json } }[], plan.first, plan.positions, plan.shape);
  },
  // Streams are fanned in by `subscribe`, never merged into one answer (policies.ts allows them on subscriptions only).
  STREAM: (plan, merging) => merges.failed({ kind: "failed", responseKey: plan.responseKey, error: new GraphQLError("A stream is answered by a subscription only.") }, merging),
};

function mergeField(plan: FieldPlan, merging: Merging): Json {
  return (merges[plan.kind] as Merge<typeof plan.kind>)(plan as never, merging);
}

export function createShardExecutor(options: ShardExecutorOptions): Executor {
  const documents = new ShardDocuments();
  const execute = async (request: ExecutionRequest): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> => {
    const shards = options.shards();
    const plan = planShardRequest({
      document: request.document,
      variables: request.variables,
      operationName: request.operationName,
      policy: options.policy,
      agencyCodes: [...shards.keys()],
      documents,
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
    const merging: Merging = { subgraph: options.subgraph, answers, errors, partial: (error) => reportPartialAnswer(request.context, error) };
    for (const field of plan.fields) data[field.responseKey] = mergeField(field, merging);
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
    if (plan.fields.length !== 1 || field.kind !== MergeStrategy.STREAM) {
      return { errors: [new GraphQLError(`A subscription to ${options.subgraph} must select one fanned-in field.`)] };
    }
    // Agencies without a shard are named, as a query names them; with none left there is nothing to follow.
    const unknown = field.unknownCodes.map((code) => noShardFor(options.subgraph, code, plan.calls.length > 0));
    if (plan.calls.length === 0) {
      const none = new GraphQLError(`${field.responseKey} has no agency to follow: no shard of ${options.subgraph} is registered.`, { extensions: { code: ErrorCode.NOT_FOUND } });
      return { errors: unknown.length > 0 ? unknown : [none] };
    }
    return fanIn({
      notices: unknown,
      subgraph: options.subgraph,
      responseKey: field.responseKey,
      calls: plan.calls,
      afterVariable: field.afterVariable,
      positions: field.positions,
      cursorKeys: field.cursorKeys,
      urlOf: (agencyCode) => options.shards().get(agencyCode),
      open: (url, document, variables) => options.openStream(url, document, variables, request),
      log: options.log,
    });
  };
  return execute as Executor;
}
