/**
 * Reading a Federation 2 supergraph's join directives: which subgraph is
 * named by which join__Graph value, which subgraphs have a type, and which
 * resolve a field. The shard policies (shard-router/policies.ts) and the
 * forwarding of whole operations (whole-operations.ts) read them here.
 */
import { Kind, valueFromASTUntyped, type ConstDirectiveNode, type DocumentNode, type FieldDefinitionNode } from "graphql";

type Directed = { readonly directives?: readonly ConstDirectiveNode[] };

function directiveArgs(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value)]));
}

export function directivesNamed(node: Directed, name: string): Record<string, unknown>[] {
  return (node.directives ?? []).filter((d) => d.name.value === name).map(directiveArgs);
}

export function rootTypeNames(document: DocumentNode): Record<string, string> {
  const names: Record<string, string> = { query: "Query", mutation: "Mutation", subscription: "Subscription" };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION) {
      for (const op of definition.operationTypes ?? []) names[op.operation] = op.type.name.value;
    }
  }
  return names;
}

/** Maps the supergraph's join__Graph enum values (CATALOGUE) to subgraph names (catalogue). */
export function graphNames(document: DocumentNode): Map<string, string> {
  const names = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === "join__Graph") {
      for (const value of definition.values ?? []) {
        const [graph] = directivesNamed(value, "join__graph");
        if (graph) names.set(value.name.value, String(graph.name));
      }
    }
  }
  return names;
}

/** The subgraphs that have a type (its join__type directives). */
export function typeGraphs(type: Directed, graphs: ReadonlyMap<string, string>): string[] {
  return directivesNamed(type, "join__type").map((args) => graphs.get(String(args.graph)) ?? String(args.graph));
}

/**
 * The subgraphs that resolve a field themselves: those its join__field
 * directives name, but for one that only declares it (external) or whose
 * field another took over (usedOverridden); without join__field, every
 * subgraph that has its type.
 */
export function fieldGraphs(type: Directed, field: FieldDefinitionNode, graphs: ReadonlyMap<string, string>): string[] {
  const joins = directivesNamed(field, "join__field");
  if (joins.length === 0) return typeGraphs(type, graphs);
  return joins.filter((args) => args.external !== true && args.usedOverridden !== true).map((args) => graphs.get(String(args.graph)) ?? String(args.graph));
}
