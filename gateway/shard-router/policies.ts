/**
 * Reads the shard contract out of a supergraph: for every root field of an
 * agency subgraph, how it is routed; for every entity, which key field names
 * its owning agency. Anything undeclared or contradictory is an error here,
 * at schema generation and at gateway start, never a guess at request time.
 */
import { Kind, parse, valueFromASTUntyped, type DocumentNode, type FieldDefinitionNode } from "graphql";
import { MergeStrategy } from "../../contract/shard-directives";
import { directivesNamed, fieldGraphs, graphNames, rootTypeNames } from "../supergraph";

/**
 * How one root field is routed, named as the SDL names it: `shardBy` (one
 * shard, by the agency code at an argument path) or the merge strategy of a
 * fan-out. The plan (plan.ts) uses the same names for its field plans.
 */
export type RootPolicy =
  | { kind: "shardBy"; argumentPath: string[] }
  | { kind: typeof MergeStrategy.LIST; subsetArgument?: string }
  | { kind: typeof MergeStrategy.AGGREGATE; subsetArgument?: string }
  | { kind: typeof MergeStrategy.STREAM; subsetArgument?: string }
  | { kind: typeof MergeStrategy.CONNECTION; subsetArgument?: string; firstDefault?: number };

export interface SubgraphShardPolicy {
  /** Policy per root field, keyed `Query.datasets`, `Mutation.registerDataset`… */
  rootFields: Map<string, RootPolicy>;
  /** Shard-key field per entity type name. */
  shardKeys: Map<string, string>;
}

function policyOf(field: FieldDefinitionNode, coordinate: string): RootPolicy | string | null {
  const by = directivesNamed(field, "shardBy");
  const fanOut = directivesNamed(field, "shardFanOut");
  if (by.length + fanOut.length > 1) return `${coordinate} declares more than one shard policy`;
  if (by.length === 1) {
    const path = String(by[0].argument ?? "").split(".");
    if (!field.arguments?.some((arg) => arg.name.value === path[0])) return `${coordinate} is routed by "${path[0]}", which is not one of its arguments`;
    return { kind: "shardBy", argumentPath: path };
  }
  if (fanOut.length === 1) {
    const merge = String(fanOut[0].merge);
    if (!(merge in MergeStrategy)) return `${coordinate} asks for merge "${merge}"; known: ${Object.keys(MergeStrategy).join(", ")}`;
    const subset = fanOut[0].subset === undefined || fanOut[0].subset === null ? undefined : String(fanOut[0].subset);
    if (subset && !field.arguments?.some((arg) => arg.name.value === subset)) return `${coordinate} names subset argument "${subset}", which it does not have`;
    if (merge !== MergeStrategy.CONNECTION) return { kind: merge as Exclude<MergeStrategy, "CONNECTION">, subsetArgument: subset } as RootPolicy;
    const first = field.arguments?.find((arg) => arg.name.value === "first");
    if (!first || !field.arguments?.some((arg) => arg.name.value === "after")) return `${coordinate} merges as a CONNECTION: it needs "first" and "after" arguments`;
    const firstDefault = first.defaultValue ? Number(valueFromASTUntyped(first.defaultValue)) : undefined;
    return { kind: MergeStrategy.CONNECTION, subsetArgument: subset, firstDefault };
  }
  return null;
}

/**
 * The shard policies of the named agency subgraphs; throws one error listing
 * every problem found (missing policies, fanned-out mutations, entities
 * without a shard key).
 */
export function readShardPolicies(supergraph: string | DocumentNode, agencySubgraphs: readonly string[]): Map<string, SubgraphShardPolicy> {
  const document = typeof supergraph === "string" ? parse(supergraph) : supergraph;
  const graphs = graphNames(document);
  const roots = rootTypeNames(document);
  const policies = new Map(agencySubgraphs.map((name) => [name, { rootFields: new Map(), shardKeys: new Map() } as SubgraphShardPolicy]));
  const problems: string[] = [];

  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeName = definition.name.value;
    const operation = Object.entries(roots).find(([, name]) => name === typeName)?.[0];
    if (operation) {
      for (const field of definition.fields ?? []) {
        const coordinate = `${typeName}.${field.name.value}`;
        for (const subgraph of fieldGraphs(definition, field, graphs)) {
          const policies_ = policies.get(subgraph);
          if (!policies_) continue;
          const policy = policyOf(field, coordinate);
          if (policy === null) problems.push(`${coordinate} of agency subgraph ${subgraph} declares no shard policy (@shardBy or @shardFanOut)`);
          else if (typeof policy === "string") problems.push(policy);
          else if (operation === "mutation" && policy.kind !== "shardBy") problems.push(`${coordinate} is a mutation: it must be routed to one shard with @shardBy`);
          else if ((operation === "subscription") !== (policy.kind === MergeStrategy.STREAM)) {
            problems.push(`${coordinate}: subscriptions, and only they, are fanned in with @shardFanOut(merge: "STREAM")`);
          } else if (policy.kind === MergeStrategy.STREAM && !field.arguments?.some((arg) => arg.name.value === "after")) {
            problems.push(`${coordinate} is a STREAM: it needs an "after" argument to resume from`);
          } else policies_.rootFields.set(coordinate, policy);
        }
      }
      continue;
    }
    const [shardKey] = directivesNamed(definition, "shardKey");
    for (const joinType of directivesNamed(definition, "join__type")) {
      const subgraph = graphs.get(String(joinType.graph)) ?? String(joinType.graph);
      const policy = policies.get(subgraph);
      if (!policy || joinType.key === undefined || joinType.resolvable === false) continue;
      if (!shardKey) {
        problems.push(`entity ${typeName} of agency subgraph ${subgraph} declares no @shardKey`);
        continue;
      }
      const keyFields = String(joinType.key).split(/\s+/);
      if (!keyFields.includes(String(shardKey.field))) {
        problems.push(`entity ${typeName}: shard key "${String(shardKey.field)}" is not in its @key(fields: "${String(joinType.key)}") in ${subgraph}`);
        continue;
      }
      policy.shardKeys.set(typeName, String(shardKey.field));
    }
  }
  if (problems.length > 0) throw new Error(`The supergraph breaks the shard contract:\n- ${problems.join("\n- ")}`);
  return policies;
}
