/**
 * GraphQL's rule for a null where the schema promises a value (the spec's
 * "Handling Execution Errors"): the null propagates to the nearest nullable
 * field above it, up to the whole `data`.
 *
 * graphql-js applies it as it executes. The query planner's runtime
 * (engine.ts), which projects the subgraphs' answers onto the operation,
 * applies it one level only: a non-null field left out nulls its object,
 * but a non-null field answered null (a failed call: its fields are null
 * with their errors) stays null, and so does an object nulled inside a
 * non-null one. Only an answer with errors can hold such a null (each
 * subgraph's own execution keeps its non-null fields non-null), so the
 * engine applies this to those alone.
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
} from "graphql";
import { fragmentsOf, type Fragments } from "./operation-document";

/** A null in a non-null position: its parent becomes null. */
const NULLED = Symbol("null in a non-null position");

interface Walk {
  schema: GraphQLSchema;
  fragments: Fragments;
}

type JsonObject = Record<string, unknown>;

/** Whether fields under a type condition apply to an object of `type` (when its type is not known, only its own). */
function applies(condition: string | undefined, type: GraphQLCompositeType, walk: Walk): boolean {
  if (!condition || condition === type.name) return true;
  const conditionType = walk.schema.getType(condition);
  return isObjectType(type) && conditionType !== undefined && isAbstractType(conditionType) && walk.schema.isSubType(conditionType, type);
}

/** Each field selection that applies to an object of `type`, through fragments. */
function* fieldsOf(selections: readonly SelectionNode[], type: GraphQLCompositeType, walk: Walk): Generator<Extract<SelectionNode, { kind: Kind.FIELD }>> {
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(selection.typeCondition?.name.value, type, walk)) yield* fieldsOf(selection.selectionSet.selections, type, walk);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment && applies(fragment.typeCondition.name.value, type, walk)) yield* fieldsOf(fragment.selectionSet.selections, type, walk);
    }
  }
}

function completeObject(object: JsonObject, declared: GraphQLCompositeType, selections: readonly SelectionNode[], walk: Walk): JsonObject | null {
  const named = typeof object.__typename === "string" ? walk.schema.getType(object.__typename) : undefined;
  const type = isAbstractType(declared) && named && isCompositeType(named) ? named : declared;
  const definitions = "getFields" in type ? type.getFields() : {};
  const completed: JsonObject = { ...object };
  for (const field of fieldsOf(selections, type, walk)) {
    const definition = definitions[field.name.value];
    if (!definition) continue;
    const key = field.alias?.value ?? field.name.value;
    const value = complete(object[key], definition.type, field.selectionSet?.selections, walk);
    if (value === NULLED) return null;
    completed[key] = value;
  }
  return completed;
}

function complete(value: unknown, type: GraphQLOutputType, selections: readonly SelectionNode[] | undefined, walk: Walk): unknown {
  if (isNonNullType(type)) {
    const completed = complete(value, type.ofType, selections, walk);
    return completed == null || completed === NULLED ? NULLED : completed;
  }
  if (value == null) return null;
  if (isListType(type)) {
    if (!Array.isArray(value)) return value;
    const items = value.map((item) => complete(item, type.ofType, selections, walk));
    return items.includes(NULLED) ? null : items;
  }
  const named = getNamedType(type);
  return selections && isCompositeType(named) && typeof value === "object" ? completeObject(value as JsonObject, named, selections, walk) : value;
}

/** `data` with every null in a non-null position propagated to the nearest nullable field; null when that is the root. */
export function propagateNulls(data: JsonObject, schema: GraphQLSchema, operation: OperationDefinitionNode, document: DocumentNode): JsonObject | null {
  const root = schema.getRootType(operation.operation);
  if (!root) return data;
  return completeObject(data, root, operation.selectionSet.selections, { schema, fragments: fragmentsOf(document) });
}
