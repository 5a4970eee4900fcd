/**
 * Errors about a fanned-out field that still has an answer. Returned next to
 * the field's data, the engine would misplace them (engine.ts): the stitched
 * schema makes such an error an error of every leaf under the field (nulling
 * the merged answer the other shards gave), the planner puts it at the call's
 * first field. So the shard router keeps them on the request's context
 * instead, and the usePartialAnswers plugin appends them to the response: the
 * client gets the other shards' data and an error naming each missing agency.
 */
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import type { ExecutionResult } from "graphql";
import type { GraphQLError } from "graphql";

const pending = new WeakMap<object, GraphQLError[]>();

export function reportPartialAnswer(context: unknown, error: GraphQLError): void {
  if (!context || typeof context !== "object") return;
  const errors = pending.get(context) ?? [];
  errors.push(error);
  pending.set(context, errors);
}

export function usePartialAnswers(): GatewayPlugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          const errors = pending.get(args.contextValue as object);
          if (!errors || Symbol.asyncIterator in (result as object)) return;
          pending.delete(args.contextValue as object);
          const single = result as ExecutionResult;
          setResult({ ...single, errors: [...(single.errors ?? []), ...errors] });
        },
      };
    },
  };
}
