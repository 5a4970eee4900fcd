/**
 * Planning: which shard answers which root field of one subgraph request.
 *
 * The engine sends an agency subgraph one document, possibly several root
 * fields batched together under aliases (`_v0_datasets: datasets`,
 * `_v1__entities: _entities(...)`). Each root field is routed by its declared
 * policy (policies.ts), by field name and arguments, never by alias:
 *
 * - `_entities`: representations grouped by the shard key of their type, one
 *   group per owning shard, each sent with its own variable;
 * - `@shardBy`: the agency code found at the declared argument path;
 * - `@shardFanOut`: every shard, or those named by the subset argument;
 * - `_service`: any one shard (they all serve the canonical SDL).
 *
 * Each shard then receives one document holding only its root fields, with
 * unused variables and fragments pruned so the document stays valid.
 */
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getOperationAST,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type VariableDefinitionNode,
} from "graphql";
import { ErrorCode } from "../../subgraphs/kit/errors";
import type { MergeStrategy } from "../../subgraphs/kit/shard-directives";
import type { SubgraphShardPolicy } from "./policies";

export interface ShardCall {
  agencyCode: string;
  document: DocumentNode;
  variables: Record<string, unknown>;
}

export type FieldPlan =
  | { kind: "local"; responseKey: string; value: unknown }
  | { kind: "failed"; responseKey: string; error: GraphQLError }
  | { kind: "one"; responseKey: string; agencyCode: string }
  | { kind: "fanOut"; responseKey: string; merge: MergeStrategy; agencyCodes: string[]; unknownCodes: string[] }
  | { kind: "entities"; responseKey: string; size: number; owners: Map<string, number[]>; unrouted: Map<number, GraphQLError> };

export interface ShardPlan {
  fields: FieldPlan[];
  calls: ShardCall[];
}

export interface PlanInput {
  document: DocumentNode;
  variables?: Record<string, unknown>;
  operationName?: string;
  policy: SubgraphShardPolicy;
  /** Agencies with a shard of this subgraph, in routing-table order. */
  agencyCodes: readonly string[];
}

function routingError(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.NOT_FOUND, ...extensions } });
}

function argumentValue(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const argument = field.arguments?.find((arg) => arg.name.value === name);
  return argument ? valueFromASTUntyped(argument.value, variables) : undefined;
}

function rootFields(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): FieldNode[] {
  const fields: FieldNode[] = [];
  const collect = (selections: readonly SelectionNode[]) => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet.selections);
      else collect(fragments.get(selection.name.value)?.selectionSet.selections ?? []);
    }
  };
  collect(operation.selectionSet.selections);
  return fields;
}

/** A document holding only `fields` of `operation`, with the variables and fragments they use. */
function documentFor(
  operation: OperationDefinitionNode,
  fields: FieldNode[],
  fragments: Map<string, FragmentDefinitionNode>,
  extraVariables: VariableDefinitionNode[],
): DocumentNode {
  const usedVariables = new Set<string>();
  const usedFragments = new Set<string>();
  const scan = (node: FieldNode | FragmentDefinitionNode) =>
    visit(node, {
      Variable: (variable) => void usedVariables.add(variable.name.value),
      FragmentSpread: (spread) => {
        if (usedFragments.has(spread.name.value)) return;
        usedFragments.add(spread.name.value);
        const fragment = fragments.get(spread.name.value);
        if (fragment) scan(fragment);
      },
    });
  fields.forEach(scan);
  const variableDefinitions = [
    ...(operation.variableDefinitions ?? []).filter((definition) => usedVariables.has(definition.variable.name.value)),
    ...extraVariables,
  ];
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      { ...operation, variableDefinitions, selectionSet: { kind: Kind.SELECTION_SET, selections: fields } },
      ...[...usedFragments].flatMap((name) => (fragments.has(name) ? [fragments.get(name)!] : [])),
    ],
  };
}

/** `_entities(representations: <list>)` rewritten to read its representations from a variable of its own. */
function entitiesFieldWithVariable(field: FieldNode, variableName: string): [FieldNode, VariableDefinitionNode] {
  const variable = { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variableName } } as const;
  const rewritten: FieldNode = {
    ...field,
    arguments: (field.arguments ?? []).map((arg) => (arg.name.value === "representations" ? { ...arg, value: variable } : arg)),
  };
  const definition: VariableDefinitionNode = {
    kind: Kind.VARIABLE_DEFINITION,
    variable,
    type: {
      kind: Kind.NON_NULL_TYPE,
      type: { kind: Kind.LIST_TYPE, type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: "_Any" } } } },
    },
  };
  return [rewritten, definition];
}

export function planShardRequest({ document, variables = {}, operationName, policy, agencyCodes }: PlanInput): ShardPlan {
  const operation = getOperationAST(document, operationName);
  if (!operation) throw new GraphQLError("The subgraph request has no operation to route.");
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const known = new Set(agencyCodes);
  const rootType = { [OperationTypeNode.QUERY]: "Query", [OperationTypeNode.MUTATION]: "Mutation", [OperationTypeNode.SUBSCRIPTION]: "Subscription" }[
    operation.operation
  ];
  const perShard = new Map<string, { fields: FieldNode[]; extraVariables: VariableDefinitionNode[]; variables: Record<string, unknown> }>();
  const send = (agencyCode: string, field: FieldNode, extra?: [VariableDefinitionNode, unknown]) => {
    let entry = perShard.get(agencyCode);
    if (!entry) perShard.set(agencyCode, (entry = { fields: [], extraVariables: [], variables: { ...variables } }));
    entry.fields.push(field);
    if (extra) {
      entry.extraVariables.push(extra[0]);
      entry.variables[extra[0].variable.name.value] = extra[1];
    }
  };

  const fields: FieldPlan[] = [];
  rootFields(operation, fragments).forEach((field, fieldIndex) => {
    const name = field.name.value;
    const responseKey = field.alias?.value ?? name;
    if (name === "__typename") {
      fields.push({ kind: "local", responseKey, value: rootType });
      return;
    }
    if (name === "_service") {
      if (agencyCodes.length === 0) fields.push({ kind: "failed", responseKey, error: routingError("No shard is registered for this subgraph.") });
      else {
        send(agencyCodes[0], field);
        fields.push({ kind: "one", responseKey, agencyCode: agencyCodes[0] });
      }
      return;
    }
    if (name === "_entities") {
      const representations = argumentValue(field, "representations", variables);
      const list = Array.isArray(representations) ? (representations as Record<string, unknown>[]) : [];
      const owners = new Map<string, number[]>();
      const unrouted = new Map<number, GraphQLError>();
      list.forEach((representation, position) => {
        const typename = String(representation?.__typename);
        const keyField = policy.shardKeys.get(typename);
        const agencyCode = keyField ? representation[keyField] : undefined;
        if (!keyField) unrouted.set(position, routingError(`Type ${typename} declares no shard key; it cannot be routed.`));
        else if (typeof agencyCode !== "string" || !known.has(agencyCode)) {
          unrouted.set(position, routingError(`No shard is registered for agency ${JSON.stringify(agencyCode)}.`, { agencyCode }));
        } else {
          if (!owners.has(agencyCode)) owners.set(agencyCode, []);
          owners.get(agencyCode)!.push(position);
        }
      });
      for (const [agencyCode, positions] of owners) {
        const [rewritten, definition] = entitiesFieldWithVariable(field, `__shard_representations_${fieldIndex}`);
        send(agencyCode, rewritten, [definition, positions.map((position) => list[position])]);
      }
      fields.push({ kind: "entities", responseKey, size: list.length, owners, unrouted });
      return;
    }
    const route = policy.rootFields.get(`${rootType}.${name}`);
    if (!route) {
      fields.push({ kind: "failed", responseKey, error: routingError(`${rootType}.${name} declares no shard policy.`) });
      return;
    }
    if (route.kind === "by") {
      const [argument, ...path] = route.argumentPath;
      let value = argumentValue(field, argument, variables);
      for (const key of path) value = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
      if (typeof value !== "string" || !known.has(value)) {
        const error = routingError(`No shard is registered for agency ${JSON.stringify(value ?? null)} (${route.argumentPath.join(".")}).`, {
          agencyCode: value ?? null,
          fields: [{ path: route.argumentPath.join("."), reason: "names no agency with a shard" }],
        });
        fields.push({ kind: "failed", responseKey, error });
        return;
      }
      send(value, field);
      fields.push({ kind: "one", responseKey, agencyCode: value });
      return;
    }
    const subset = route.subsetArgument ? argumentValue(field, route.subsetArgument, variables) : undefined;
    const requested = Array.isArray(subset) ? subset.map(String) : null;
    const targets = requested ? agencyCodes.filter((code) => requested.includes(code)) : [...agencyCodes];
    const unknownCodes = requested ? requested.filter((code) => !known.has(code)) : [];
    targets.forEach((agencyCode) => send(agencyCode, field));
    fields.push({ kind: "fanOut", responseKey, merge: route.merge, agencyCodes: targets, unknownCodes });
  });

  const calls = [...perShard].map(([agencyCode, entry]) => {
    const shardDocument = documentFor(operation, entry.fields, fragments, entry.extraVariables);
    const defined = (shardDocument.definitions[0] as OperationDefinitionNode).variableDefinitions ?? [];
    const shardVariables = Object.fromEntries(defined.map((d) => [d.variable.name.value, entry.variables[d.variable.name.value]]));
    return { agencyCode, document: shardDocument, variables: shardVariables };
  });
  return { fields, calls };
}
