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
  parse,
  print,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type NamedTypeNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type TypeNode,
  type VariableDefinitionNode,
} from "graphql";
import { badUserInput, ErrorCode } from "../../contract/errors";
import { MergeStrategy, recentEventsProblems } from "../../contract/shard-directives";
import { decodeGatewayCursor, SHARD_FIELDS, type ConnectionShape, type Positions } from "./connection";
import type { SubgraphShardPolicy } from "./policies";
import { fieldsOf, fragmentsOf, type Fragments } from "../operation-document";

export interface ShardCall {
  agencyCode: string;
  document: DocumentNode;
  variables: Record<string, unknown>;
}

/** What every fan-out plan has: the agencies it goes to, and the codes asked for that have no shard. */
interface FanOut {
  responseKey: string;
  agencyCodes: string[];
  unknownCodes: string[];
}

/** Resumable fan-outs: where each shard starts (from the client's `after`) and the variable each shard reads it from. */
interface Resumable extends FanOut {
  positions: Positions;
  afterVariable: string;
}

/** One plan per way a root field is answered; the routed ones are named as their policies (policies.ts). */
export type FieldPlan =
  | { kind: "local"; responseKey: string; value: unknown }
  | { kind: "failed"; responseKey: string; error: GraphQLError }
  | { kind: "entities"; responseKey: string; size: number; owners: Map<string, number[]>; unrouted: Map<number, GraphQLError> }
  | { kind: "shardBy"; responseKey: string; agencyCode: string }
  | ({ kind: typeof MergeStrategy.LIST } & FanOut)
  | ({ kind: typeof MergeStrategy.AGGREGATE } & FanOut)
  | ({ kind: typeof MergeStrategy.CONNECTION; first: number; shape: ConnectionShape } & Resumable)
  | ({ kind: typeof MergeStrategy.STREAM; cursorKeys: string[] } & Resumable);

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
  /** Where the shards' documents of earlier requests are kept (without it, each request builds its own). */
  documents?: ShardDocuments;
}

/**
 * The shards' documents of earlier requests, by the engine's document and the root fields a shard is sent.
 * The stitched engine (gateway/engine.ts: subscriptions) hands the router a new document object on every
 * request, and the http executor prints each document it has not seen (its print cache is by object) and
 * strips it: for a page fanned out to nine shards, nine documents built, printed and stripped, where one
 * print of the engine's document finds them. The planner hands it one object per step of a kept plan, and an
 * operation sent whole (gateway/whole-operations.ts) comes as the client's document, which the server keeps
 * as one object per distinct query: those objects find them without a print (printing was 1.7 % of the
 * gateway's CPU for a page sent whole). At most `size` engine documents are kept by text, the oldest forgotten first.
 */
export class ShardDocuments {
  private readonly byText = new Map<string, Map<string, DocumentNode>>();
  private readonly byObject = new WeakMap<DocumentNode, { operationName: string | undefined; documents: Map<string, DocumentNode> }>();

  constructor(private readonly size = 1000) {}

  /** The documents kept for `document`, by the root fields they hold (`send`'s signature). */
  of(document: DocumentNode, operationName: string | undefined): Map<string, DocumentNode> {
    const seen = this.byObject.get(document);
    if (seen && seen.operationName === operationName) return seen.documents;
    const text = `${operationName ?? ""}\n${print(document)}`;
    let documents = this.byText.get(text);
    if (!documents) {
      if (this.byText.size >= this.size) this.byText.delete(this.byText.keys().next().value!);
      this.byText.set(text, (documents = new Map()));
    }
    this.byObject.set(document, { operationName, documents });
    return documents;
  }
}

function routingError(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.NOT_FOUND, ...extensions } });
}

/** The request's variables, with the default of each the request leaves out, as execution gives them: the values the router reads are the shard's. */
function withDefaults(operation: OperationDefinitionNode, variables: Record<string, unknown>): Record<string, unknown> {
  let values = variables;
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (!definition.defaultValue || name in variables) continue;
    if (values === variables) values = { ...variables };
    values[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return values;
}

function argumentValue(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const argument = field.arguments?.find((arg) => arg.name.value === name);
  return argument ? valueFromASTUntyped(argument.value, variables) : undefined;
}

/** A document holding only `fields` of `operation`, with the variables and fragments they use. */
function documentFor(
  operation: OperationDefinitionNode,
  fields: FieldNode[],
  fragments: Fragments,
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

const namedType = (name: string): NamedTypeNode => ({ kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: name } });

/** `field` with argument `name` read from a new variable of type `type` (added when absent). */
function withArgumentVariable(field: FieldNode, name: string, variableName: string, type: TypeNode): [FieldNode, VariableDefinitionNode] {
  const variable = { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variableName } } as const;
  const others = (field.arguments ?? []).filter((arg) => arg.name.value !== name);
  const rewritten: FieldNode = { ...field, arguments: [...others, { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: name }, value: variable }] };
  return [rewritten, { kind: Kind.VARIABLE_DEFINITION, variable, type }];
}

const REPRESENTATIONS_TYPE: TypeNode = {
  kind: Kind.NON_NULL_TYPE,
  type: { kind: Kind.LIST_TYPE, type: { kind: Kind.NON_NULL_TYPE, type: namedType("_Any") } },
};


const keyOf = (field: FieldNode) => field.alias?.value ?? field.name.value;
const keysNamed = (fields: FieldNode[], name: string) => fields.filter((f) => f.name.value === name).map(keyOf);

const selections = (source: string): readonly SelectionNode[] =>
  (parse(source).definitions[0] as OperationDefinitionNode).selectionSet.selections;

/**
 * What every shard's part of a merged connection must answer, whatever the client selected: its edges'
 * cursors and whether more follow, each added unless the client asked for it already. Not its totalCount:
 * a shard counts every match for it, so the shards count only when the client asked (the merge sums the
 * client's own totalCount of each shard).
 */
const SHARD_KEYS_SELECTION = selections(`{ ${SHARD_FIELDS.keys}: edges { cursor } }`);
const SHARD_MORE_SELECTION = selections(`{ ${SHARD_FIELDS.more}: pageInfo { hasNextPage } }`);

/** A field selected directly in `selections`, under no fragment and no directive: every shard's answer has it. */
function alwaysSelected(selections: readonly SelectionNode[] | undefined, name: string): FieldNode | undefined {
  return selections?.find((selection): selection is FieldNode => selection.kind === Kind.FIELD && selection.name.value === name && !selection.directives?.length);
}

/**
 * Where the client's selection of a connection puts totalCount, edges' cursors and pageInfo, and what the
 * router adds to it for the merge: the client's own `edges { cursor }` and `pageInfo { hasNextPage }` serve
 * it when always selected (a page's cursors are not sent twice), else the router's SHARD_FIELDS.
 */
function connectionShape(field: FieldNode, fragments: Fragments): { shape: ConnectionShape; extra: SelectionNode[] } {
  const fields = fieldsOf(field.selectionSet?.selections ?? [], fragments);
  const inner = (f: FieldNode) => fieldsOf(f.selectionSet?.selections ?? [], fragments);
  const edges = alwaysSelected(field.selectionSet?.selections, "edges");
  const cursor = alwaysSelected(edges?.selectionSet?.selections, "cursor");
  const pageInfo = alwaysSelected(field.selectionSet?.selections, "pageInfo");
  const hasNextPage = alwaysSelected(pageInfo?.selectionSet?.selections, "hasNextPage");
  const shape: ConnectionShape = {
    order: [...new Set(fields.map(keyOf))],
    totalCount: keysNamed(fields, "totalCount"),
    typename: keysNamed(fields, "__typename"),
    edges: fields.filter((f) => f.name.value === "edges").map((f) => ({ key: keyOf(f), cursor: keysNamed(inner(f), "cursor") })),
    pageInfo: fields
      .filter((f) => f.name.value === "pageInfo")
      .map((f) => ({
        key: keyOf(f),
        order: [...new Set(inner(f).map(keyOf))],
        hasNextPage: keysNamed(inner(f), "hasNextPage"),
        endCursor: keysNamed(inner(f), "endCursor"),
        typename: keysNamed(inner(f), "__typename"),
      })),
    keysAt: edges && cursor ? { edges: keyOf(edges), cursor: keyOf(cursor) } : { edges: SHARD_FIELDS.keys, cursor: "cursor" },
    moreAt: pageInfo && hasNextPage ? { pageInfo: keyOf(pageInfo), hasNextPage: keyOf(hasNextPage) } : { pageInfo: SHARD_FIELDS.more, hasNextPage: "hasNextPage" },
  };
  return { shape, extra: [...(edges && cursor ? [] : SHARD_KEYS_SELECTION), ...(pageInfo && hasNextPage ? [] : SHARD_MORE_SELECTION)] };
}

/** What every shard's event must carry: its cursor (the shard's position) and type (to spot position markers). */
const SHARD_STREAM_SELECTIONS = selections(`{ ${SHARD_FIELDS.cursor}: cursor ${SHARD_FIELDS.type}: type }`);

export function planShardRequest({ document, variables = {}, operationName, policy, agencyCodes, documents }: PlanInput): ShardPlan {
  const operation = getOperationAST(document, operationName);
  if (!operation) throw new GraphQLError("The subgraph request has no operation to route.");
  const fragments = fragmentsOf(document);
  const values = withDefaults(operation, variables);
  const known = new Set(agencyCodes);
  const rootType = { [OperationTypeNode.QUERY]: "Query", [OperationTypeNode.MUTATION]: "Mutation", [OperationTypeNode.SUBSCRIPTION]: "Subscription" }[
    operation.operation
  ];
  const perShard = new Map<string, { fields: FieldNode[]; signature: string; extraVariables: VariableDefinitionNode[]; variables: Record<string, unknown> }>();
  // A root field is sent as the field at `fieldIndex` of the engine's document, rewritten alike for every shard and
  // request: the indexes a shard is sent name its document among those kept for this engine document.
  const send = (agencyCode: string, fieldIndex: number, field: FieldNode, extra?: [VariableDefinitionNode, unknown]) => {
    let entry = perShard.get(agencyCode);
    if (!entry) perShard.set(agencyCode, (entry = { fields: [], signature: "", extraVariables: [], variables: { ...variables } }));
    entry.fields.push(field);
    entry.signature += `${fieldIndex},`;
    if (extra) {
      entry.extraVariables.push(extra[0]);
      entry.variables[extra[0].variable.name.value] = extra[1];
    }
  };

  const fields: FieldPlan[] = [];
  fieldsOf(operation.selectionSet.selections, fragments).forEach((field, fieldIndex) => {
    const name = field.name.value;
    const responseKey = field.alias?.value ?? name;
    if (name === "__typename") {
      fields.push({ kind: "local", responseKey, value: rootType });
      return;
    }
    if (name === "_service") {
      if (agencyCodes.length === 0) fields.push({ kind: "failed", responseKey, error: routingError("No shard is registered for this subgraph.") });
      else {
        send(agencyCodes[0], fieldIndex, field);
        fields.push({ kind: "shardBy", responseKey, agencyCode: agencyCodes[0] });
      }
      return;
    }
    if (name === "_entities") {
      const representations = argumentValue(field, "representations", values);
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
        const [rewritten, definition] = withArgumentVariable(field, "representations", `__shard_representations_${fieldIndex}`, REPRESENTATIONS_TYPE);
        send(agencyCode, fieldIndex, rewritten, [definition, positions.map((position) => list[position])]);
      }
      fields.push({ kind: "entities", responseKey, size: list.length, owners, unrouted });
      return;
    }
    const route = policy.rootFields.get(`${rootType}.${name}`);
    if (!route) {
      fields.push({ kind: "failed", responseKey, error: routingError(`${rootType}.${name} declares no shard policy.`) });
      return;
    }
    if (route.kind === "shardBy") {
      const [argument, ...path] = route.argumentPath;
      let value = argumentValue(field, argument, values);
      for (const key of path) value = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
      if (typeof value !== "string" || !known.has(value)) {
        const error = routingError(`No shard is registered for agency ${JSON.stringify(value ?? null)} (${route.argumentPath.join(".")}).`, {
          agencyCode: value ?? null,
          fields: [{ path: route.argumentPath.join("."), reason: "names no agency with a shard" }],
        });
        fields.push({ kind: "failed", responseKey, error });
        return;
      }
      send(value, fieldIndex, field);
      fields.push({ kind: "shardBy", responseKey, agencyCode: value });
      return;
    }
    const subset = route.subsetArgument ? argumentValue(field, route.subsetArgument, values) : undefined;
    // GraphQL input coercion: a single value where a list is expected means a list of one.
    const requested = subset === undefined || subset === null ? null : (Array.isArray(subset) ? subset : [subset]).map(String);
    // An empty list asks nothing: answering it would be an empty merge (a non-null aggregate null without an error).
    if (requested?.length === 0) {
      const reason = `names no agency: name one at least, or leave ${route.subsetArgument} out for every agency`;
      fields.push({ kind: "failed", responseKey, error: badUserInput([{ path: route.subsetArgument!, reason }]) });
      return;
    }
    const targets = requested ? agencyCodes.filter((code) => requested.includes(code)) : [...agencyCodes];
    const unknownCodes = requested ? requested.filter((code) => !known.has(code)) : [];
    if (route.kind === MergeStrategy.LIST || route.kind === MergeStrategy.AGGREGATE) {
      targets.forEach((agencyCode) => send(agencyCode, fieldIndex, field));
      fields.push({ kind: route.kind, responseKey, agencyCodes: targets, unknownCodes });
      return;
    }
    // A stream's `recent` is read where the shards' streams are shared (event-hub.ts): refused here, before any opens.
    const recentProblems = route.kind === MergeStrategy.STREAM ? recentEventsProblems(argumentValue(field, "recent", values)) : [];
    if (recentProblems.length > 0) {
      fields.push({ kind: "failed", responseKey, error: badUserInput(recentProblems) });
      return;
    }
    // Resumable strategies: the client's cursor holds each shard's position; each shard gets its own.
    const after = argumentValue(field, "after", values);
    let positions: Positions;
    try {
      positions = typeof after === "string" ? decodeGatewayCursor(after) : {};
    } catch (error) {
      fields.push({ kind: "failed", responseKey, error: error as GraphQLError });
      return;
    }
    for (const code of targets) positions[code] ??= null;
    const connection = route.kind === MergeStrategy.CONNECTION ? connectionShape(field, fragments) : null;
    const shape = connection?.shape;
    const extra = connection ? connection.extra : SHARD_STREAM_SELECTIONS;
    const augmented: FieldNode = {
      ...field,
      selectionSet: { kind: Kind.SELECTION_SET, selections: [...(field.selectionSet?.selections ?? []), ...extra] },
    };
    const afterVariable = `__shard_after_${fieldIndex}`;
    for (const code of targets) {
      const [rewritten, definition] = withArgumentVariable(augmented, "after", afterVariable, namedType("String"));
      send(code, fieldIndex, rewritten, [definition, positions[code]]);
    }
    const resumable = { responseKey, agencyCodes: targets, unknownCodes, positions, afterVariable };
    if (route.kind === MergeStrategy.CONNECTION && shape) {
      const first = Number(argumentValue(field, "first", values) ?? route.firstDefault ?? 20);
      fields.push({ kind: route.kind, ...resumable, first, shape });
    } else {
      fields.push({ kind: MergeStrategy.STREAM, ...resumable, cursorKeys: keysNamed(fieldsOf(field.selectionSet?.selections ?? [], fragments), "cursor") });
    }
  });

  const kept = documents?.of(document, operationName);
  const calls = [...perShard].map(([agencyCode, entry]) => {
    let shardDocument = kept?.get(entry.signature);
    if (!shardDocument) {
      shardDocument = documentFor(operation, entry.fields, fragments, entry.extraVariables);
      kept?.set(entry.signature, shardDocument);
    }
    const defined = (shardDocument.definitions[0] as OperationDefinitionNode).variableDefinitions ?? [];
    const shardVariables = Object.fromEntries(defined.map((d) => [d.variable.name.value, entry.variables[d.variable.name.value]]));
    return { agencyCode, document: shardDocument, variables: shardVariables };
  });
  return { fields, calls };
}
