/**
 * Operation limits, checked at the gateway before any planning, so an
 * operation too big to be worth answering never reaches a shard:
 * - tokens (at parse time: a 10,000-level nesting never reaches the parser's recursion),
 *   depth, aliases and directives, with graphql-armor's maintained plugins;
 * - the size of the operation once fragments are expanded, and its cost,
 *   where a field fanned out to N shards costs N times (operationSize below),
 *   computed in one pass that visits each fragment once, so a fragment bomb
 *   (20 fragments each spreading the next twice: 2^20 fields) is measured in
 *   microseconds and refused before graphql-js validation walks it.
 * Every refusal is OPERATION_LIMIT with the limit's name, maximum and what was found.
 */
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { GraphQLError, Kind, type DocumentNode, type SelectionSetNode, type ValidationContext } from "graphql";
import { ErrorCode } from "../contract/errors";
import { fragmentsOf } from "./operation-document";

export interface OperationLimits {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Fields once every fragment is expanded. */
  maxFields: number;
  /** Fields weighted by the number of shards each is sent to. */
  maxCost: number;
}

export type LimitName = "tokens" | "depth" | "aliases" | "directives" | "fields" | "cost";

export function operationLimitError(limit: LimitName, message: string, details: { maximum: number; found?: number }): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.OPERATION_LIMIT, limit, ...details, http: { status: 400 } } });
}

/**
 * The size of each operation of a document with its fragments expanded, and
 * its cost: every field costs 1, times `shardsOf(rootType.field)` for a root
 * field sent to several shards (its whole selection goes to each of them).
 * A fragment's size is computed once and reused; a fragment cycle counts as
 * nothing here (validation refuses it).
 */
export function operationSize(document: DocumentNode, shardsOf: (coordinate: string) => number): { fields: number; cost: number } {
  const fragments = fragmentsOf(document);
  const memo = new Map<string, { fields: number; cost: number }>();
  const visiting = new Set<string>();

  const sizeOf = (selectionSet: SelectionSetNode | undefined, rootType: string | null): { fields: number; cost: number } => {
    let fields = 0;
    let cost = 0;
    for (const selection of selectionSet?.selections ?? []) {
      let part: { fields: number; cost: number };
      if (selection.kind === Kind.FIELD) {
        const children = sizeOf(selection.selectionSet, null);
        const factor = rootType ? Math.max(1, shardsOf(`${rootType}.${selection.name.value}`)) : 1;
        part = { fields: 1 + children.fields, cost: factor * (1 + children.cost) };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        part = sizeOf(selection.selectionSet, rootType);
      } else {
        const name = selection.name.value;
        const key = `${name}@${rootType ?? ""}`;
        const known = memo.get(key);
        if (known) part = known;
        else if (visiting.has(name) || !fragments.has(name)) part = { fields: 0, cost: 0 };
        else {
          visiting.add(name);
          part = sizeOf(fragments.get(name)!.selectionSet, rootType);
          visiting.delete(name);
          memo.set(key, part);
        }
      }
      fields += part.fields;
      cost += part.cost;
    }
    return { fields, cost };
  };

  let fields = 0;
  let cost = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const rootType = definition.operation === "query" ? "Query" : definition.operation === "mutation" ? "Mutation" : "Subscription";
    const size = sizeOf(definition.selectionSet, rootType);
    fields = Math.max(fields, size.fields);
    cost = Math.max(cost, size.cost);
  }
  return { fields, cost };
}

/** graphql-armor reports a refusal as a plain error; GovGraph's carries its code. */
function coded(limit: LimitName, maximum: number) {
  return {
    n: maximum,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const found = /found (\d+)/.exec(error.message)?.[1];
        const refusal = operationLimitError(limit, `${error.message.replace(/^Syntax Error: /, "")} Ask for less, or split the operation.`, {
          maximum,
          ...(found ? { found: Number(found) } : {}),
        });
        if (!context) throw refusal;
        context.reportError(refusal);
      },
    ],
  };
}

export function useOperationLimits(limits: OperationLimits, shardsOf: (coordinate: string) => number): GatewayPlugin[] {
  const sizeLimit: GatewayPlugin = {
    onValidate({ params, setResult }) {
      const { fields, cost } = operationSize(params.documentAST, shardsOf);
      if (fields > limits.maxFields) {
        setResult([
          operationLimitError("fields", `The operation selects ${fields} fields once its fragments are expanded; at most ${limits.maxFields} are answered.`, {
            maximum: limits.maxFields,
            found: fields,
          }),
        ]);
      } else if (cost > limits.maxCost) {
        setResult([
          operationLimitError(
            "cost",
            `The operation costs ${cost} (a field sent to every agency's shard counts once per shard); at most ${limits.maxCost}. Name fewer agencies or ask for less.`,
            { maximum: limits.maxCost, found: cost },
          ),
        ]);
      }
    },
  };
  return [
    maxTokensPlugin(coded("tokens", limits.maxTokens)) as GatewayPlugin,
    sizeLimit,
    maxDepthPlugin(coded("depth", limits.maxDepth)) as GatewayPlugin,
    maxAliasesPlugin({ ...coded("aliases", limits.maxAliases), allowList: [] }) as GatewayPlugin,
    maxDirectivesPlugin(coded("directives", limits.maxDirectives)) as GatewayPlugin,
  ];
}
