/**
 * Merge strategies: how the answers of several shards to one root field
 * become one answer. Plain functions over plain data.
 *
 * - LIST: lists concatenated, in routing-table order (the order of
 *   schema/agencies.json: the ministry first, then agencies by OID); within a
 *   shard's part, the shard's own order is kept.
 * - AGGREGATE: objects of counts and sums added field by field, recursively.
 *   Only additive quantities may be merged this way: a number is summed, a
 *   list of numbers of one length (a histogram) is summed element by
 *   element, a string (e.g. __typename) must be equal in every part. Anything
 *   else is refused with an error naming the field. Ratios and medians are
 *   not additive: a schema exposes their additive parts instead (answered
 *   and answeredOnTime rather than a share; a histogram of days to reply
 *   rather than a median), and the exact ministry-wide figure follows.
 *
 * And when no shard answered a fanned-out field, its errors: each reported
 * once (`alikeOnce`).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class MergeError extends Error {}

export function concatLists(parts: readonly (readonly Json[])[]): Json[] {
  return parts.flat();
}

/** Adds objects field by field. Throws MergeError naming the first field that cannot be added. */
export function addAggregates(parts: readonly Json[], path = ""): Json {
  const present = parts.filter((part) => part !== null);
  if (present.length === 0) return null;
  const [first] = present;
  if (typeof first === "number") {
    if (!present.every((part) => typeof part === "number")) throw new MergeError(`${path || "value"} mixes numbers and other values`);
    return (present as number[]).reduce((sum, part) => sum + part, 0);
  }
  if (typeof first === "string" || typeof first === "boolean") {
    if (present.every((part) => part === first)) return first;
    throw new MergeError(`${path || "value"} is not additive: shards answered ${JSON.stringify([...new Set(present)])}`);
  }
  if (Array.isArray(first)) {
    const lists = present as Json[][];
    const numeric = lists.every((list) => Array.isArray(list) && list.length === first.length && list.every((item) => typeof item === "number"));
    if (!numeric) throw new MergeError(`${path || "value"} is a list that is not a histogram (numbers, one length in every part)`);
    return first.map((_, i) => (lists as number[][]).reduce((sum, list) => sum + list[i], 0));
  }
  if (!present.every((part) => typeof part === "object" && !Array.isArray(part))) throw new MergeError(`${path || "value"} mixes objects and other values`);
  const objects = present as { [key: string]: Json }[];
  const keys = [...new Set(objects.flatMap((part) => Object.keys(part)))];
  return Object.fromEntries(keys.map((key) => [key, addAggregates(objects.map((part) => part[key] ?? null), path ? `${path}.${key}` : key)]));
}

/**
 * Puts entities answered by several shards back in the order they were asked
 * for: `owners` lists, per shard, the original positions of the
 * representations sent to it; `answers` has that shard's list in the same order.
 */
export function reassembleEntities(size: number, owners: ReadonlyMap<string, readonly number[]>, answers: ReadonlyMap<string, readonly Json[] | null>): Json[] {
  const result: Json[] = new Array<Json>(size).fill(null);
  for (const [agencyCode, positions] of owners) {
    const answer = answers.get(agencyCode);
    if (!answer) continue;
    positions.forEach((position, i) => (result[position] = answer[i] ?? null));
  }
  return result;
}

/** An error as a shard gave it, with the agency it came from. */
export interface ShardError {
  message: string;
  extensions: { agencyCode?: unknown; [key: string]: unknown };
}

/**
 * A fanned-out field that every shard refused alike (a bad argument: each
 * shard checks it, and says the same) is one error, not one per shard: the
 * errors that differ only by their agency become one naming them all
 * (`agencyCodes`, in the order given). An error of one shard alone (its own
 * failure, which names it) keeps its `agencyCode`.
 */
export function alikeOnce<T extends ShardError>(errors: readonly T[]): ShardError[] {
  const groups = new Map<string, T[]>();
  for (const error of errors) {
    const { agencyCode: _agency, ...rest } = error.extensions;
    const key = JSON.stringify([error.message, rest]);
    groups.set(key, [...(groups.get(key) ?? []), error]);
  }
  return [...groups.values()].map((alike) => {
    if (alike.length === 1) return alike[0];
    const { agencyCode: _agency, ...rest } = alike[0].extensions;
    return { message: alike[0].message, extensions: { ...rest, agencyCodes: alike.map((error) => error.extensions.agencyCode) } };
  });
}
