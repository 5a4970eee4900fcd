/**
 * An operation one subgraph serves whole is sent to it whole.
 *
 * The engine answers an operation by planning it (engine.ts), calling each
 * subgraph with a document of its own, and then projecting their answers
 * onto the client's selection, item by item, to build the response. When
 * every field the operation selects is resolved by one subgraph (a page of
 * one agency's datasets, a comment submitted, a ministry dashboard's
 * figures), that plan is one call with the client's own selection, and the
 * projection only copies the answer. This plugin sends the client's
 * document to that subgraph through the engine's executor for it, so the
 * claims, the call bounds, the shard router and the call metrics apply as
 * to any call, and returns its answer as it is. (Apollo's gateway declined the same shortcut for arbitrary
 * subgraphs, whose answers it does not trust to match the client's
 * selection; GovGraph's subgraphs are its own, and the shard router's merges
 * answer in the client's selection order.)
 *
 * Only what the subgraph answers exactly as the engine would is forwarded:
 * - a query, or a mutation of one root field (the engine runs a mutation's
 *   root fields one after another, where the shard router may send them to
 *   different shards at once), whose root fields are not in fragments;
 * - every field selected, in every fragment, resolved by that subgraph
 *   (join__field, else join__type), none needing another subgraph's fields
 *   (@requires) or a progressive override, and every type condition a type
 *   that subgraph has;
 * - no interface or union on the way (their implementations may live in
 *   other subgraphs), no introspection but __typename (the supergraph's own
 *   schema answers those), no directive (@skip and @include are the
 *   engine's to apply before planning);
 * - variables that are valid, else the engine's execution reports them as
 *   it always does.
 * Anything else is planned as usual. The decision is taken once per document
 * (the server keeps one document object per distinct query).
 */
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import type { Executor } from "@graphql-tools/utils";
import {
  BREAK,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  Kind,
  OperationTypeNode,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  isTypeDefinitionNode,
  isTypeExtensionNode,
  type DocumentNode,
  type FieldNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
} from "graphql";
import { directivesNamed, fieldGraphs, graphNames, typeGraphs } from "./supergraph";
import { propagateNulls } from "./null-propagation";
import { failedAtEachRootField } from "./upstream-call";

/** Who resolves what in the supergraph: subgraphs by `Type.field`, or null for a field no subgraph resolves alone. */
export interface Ownership {
  fields: ReadonlyMap<string, ReadonlySet<string> | null>;
  types: ReadonlyMap<string, ReadonlySet<string>>;
}

export function readOwnership(supergraph: string | DocumentNode): Ownership {
  const document = typeof supergraph === "string" ? parse(supergraph) : supergraph;
  const graphs = graphNames(document);
  const fields = new Map<string, ReadonlySet<string> | null>();
  const types = new Map<string, ReadonlySet<string>>();
  for (const definition of document.definitions) {
    if (!isTypeDefinitionNode(definition) && !isTypeExtensionNode(definition)) continue;
    types.set(definition.name.value, new Set([...(types.get(definition.name.value) ?? []), ...typeGraphs(definition, graphs)]));
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const joins = directivesNamed(field, "join__field");
      const dependent = joins.some((args) => args.requires !== undefined || args.overrideLabel !== undefined);
      fields.set(`${definition.name.value}.${field.name.value}`, dependent ? null : new Set(fieldGraphs(definition, field, graphs)));
    }
  }
  return { fields, types };
}

/** The one subgraph that answers `document` exactly as the engine would (module comment), or null. */
export function servingSubgraph(ownership: Ownership, schema: GraphQLSchema, document: DocumentNode): string | null {
  let candidates: Set<string> | undefined;
  let refused = false;
  const narrow = (graphs: ReadonlySet<string> | null | undefined) => {
    candidates = new Set([...(graphs ?? [])].filter((graph) => !candidates || candidates.has(graph)));
    refused = candidates.size === 0;
  };
  // Each visitor stops the walk once the document is refused.
  const refusing = <T>(check: (node: T) => void) => (node: T) => (check(node), refused ? BREAK : undefined);
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition: refusing((operation: OperationDefinitionNode) => {
        const roots = operation.selectionSet.selections;
        if (operation.operation === OperationTypeNode.SUBSCRIPTION || roots.some((root) => root.kind !== Kind.FIELD)) refused = true;
        if (operation.operation === OperationTypeNode.MUTATION && roots.length > 1) refused = true;
      }),
      Directive: refusing(() => (refused = true)),
      InlineFragment: refusing((fragment: InlineFragmentNode) => fragment.typeCondition && narrow(ownership.types.get(fragment.typeCondition.name.value))),
      FragmentDefinition: refusing((fragment: FragmentDefinitionNode) => narrow(ownership.types.get(fragment.typeCondition.name.value))),
      Field: refusing((field: FieldNode) => {
        const name = field.name.value;
        if (name === "__typename") return;
        const parent = typeInfo.getParentType();
        const type = typeInfo.getType();
        if (!parent || !type || name.startsWith("__") || isAbstractType(parent) || isAbstractType(getNamedType(type))) refused = true;
        else narrow(ownership.fields.get(`${parent.name}.${name}`));
      }),
    }),
  );
  return refused || !candidates ? null : [...candidates][0];
}

/** The engine's executor for each subgraph (its stitched schema's subschemas): calls through it run the engine's subgraph hooks. */
function subgraphExecutors(schema: GraphQLSchema): Map<string, Executor> {
  const stitching = schema.extensions?.stitchingInfo as { subschemaMap?: Map<unknown, { name?: string; executor?: Executor }> } | undefined;
  const executors = new Map<string, Executor>();
  for (const subschema of stitching?.subschemaMap?.values() ?? []) if (subschema.name && subschema.executor) executors.set(subschema.name, subschema.executor);
  return executors;
}

/** `observe` is told of each operation sent whole, by subgraph (observability.ts). */
export function useWholeOperations(supergraph: string | DocumentNode, observe?: (subgraph: string) => void): GatewayPlugin {
  const ownership = readOwnership(supergraph);
  const decided = new WeakMap<DocumentNode, string | null>();
  const executorsBySchema = new WeakMap<GraphQLSchema, Map<string, Executor>>();
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      let subgraph = decided.get(args.document);
      if (subgraph === undefined) decided.set(args.document, (subgraph = servingSubgraph(ownership, args.schema, args.document)));
      if (!subgraph) return;
      let executors = executorsBySchema.get(args.schema);
      if (!executors) executorsBySchema.set(args.schema, (executors = subgraphExecutors(args.schema)));
      const executor = executors.get(subgraph);
      const operation = getOperationAST(args.document, args.operationName);
      if (!executor || !operation) return;
      const variables = args.variableValues ?? {};
      if (getVariableValues(args.schema, operation.variableDefinitions ?? [], variables).errors) return;
      observe?.(subgraph);
      // A query or mutation answers once (an executor returns a stream only to a subscription).
      const result = (await executor({
        document: args.document,
        variables,
        operationName: args.operationName ?? undefined,
        operationType: operation.operation,
        context: args.contextValue,
        rootValue: args.rootValue,
      })) as ExecutionResult;
      setResultAndStopExecution(asTheEngineAnswers(result, args.document, operation, args.schema));
    },
  };
}

/**
 * The subgraph's answer as the engine shapes the planner's (engine.ts): data before errors; a call that returned
 * errors and no data answers each root field null with the errors at its path (failedAtEachRootField); a null where
 * the schema promises a value (a routing error the shard router answered at a non-null root field: an unknown
 * agency, a cursor it did not issue) propagates as GraphQL requires (propagateNulls).
 */
function asTheEngineAnswers(result: ExecutionResult, document: DocumentNode, operation: OperationDefinitionNode, schema: GraphQLSchema): ExecutionResult {
  const { data, errors } = failedAtEachRootField(result, operation);
  if (!errors?.length) return { data };
  return { data: data && propagateNulls(data, schema, operation, document), errors };
}
