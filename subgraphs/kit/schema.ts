/**
 * type-graphql classes → an Apollo Federation 2 subgraph schema.
 * type-graphql has no federation support, so the schema it builds is printed
 * with its directives (@key, @shardKey…), prefixed with the @link that imports
 * them, and handed to @apollo/subgraph with type-graphql's resolvers plus a
 * `__resolveReference` per entity.
 */
import { buildSubgraphSchema } from "@apollo/subgraph";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { execute, GraphQLSchema, parse } from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import { buildSchema, createResolversMap, getMetadataStorage, type ResolverData } from "type-graphql";
import { createPubSub } from "@graphql-yoga/subscription";
import { badUserInput, type FieldProblem } from "../../contract/errors";
import { controlCharacterProblems, inputProblems } from "./validation";
import { shardDirectives, shardLinkSdl } from "../../contract/shard-directives";
import type { SubgraphDefinition } from "./subgraph";

const FEDERATION_LINK =
  '@link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@composeDirective"])';

/**
 * Validates every argument: class-validator decorated ones (a mutation's
 * single `input` argument reports paths as `input.field`; an @ArgsType
 * reports bare names), and control characters in any text, which no
 * field stores (PostgreSQL refuses NUL outright).
 */
async function validateArgument(value: unknown, argType: unknown, data: ResolverData): Promise<void> {
  const isInput = getMetadataStorage().inputTypes.some((input) => input.target === argType);
  const values = (Array.isArray(value) ? value : [value]).filter((item) => item !== null && typeof item === "object");
  const problems: FieldProblem[] = [];
  if (values.length === 0 && controlCharacterProblems(value, "").length > 0) {
    // type-graphql hands over a converted copy of the argument: find its name by value.
    const name = Object.keys(data.args).find((key) => JSON.stringify(data.args[key]) === JSON.stringify(value)) ?? "argument";
    problems.push(...controlCharacterProblems(value, name));
  }
  for (const item of values) problems.push(...(await inputProblems(item as object, isInput ? "input" : "")));
  if (problems.length > 0) throw badUserInput(problems);
}

const built = new Map<string, Promise<GraphQLSchema>>();

/** Builds (once per process) the subgraph schema of a definition. */
export function subgraphSchema(definition: SubgraphDefinition<any, any>): Promise<GraphQLSchema> {
  let schema = built.get(definition.name);
  if (!schema) {
    schema = buildFederatedSchema(definition);
    built.set(definition.name, schema);
  }
  return schema;
}

async function buildFederatedSchema(definition: SubgraphDefinition<any, any>): Promise<GraphQLSchema> {
  const typeGraphqlSchema = await buildSchema({
    resolvers: definition.resolvers,
    orphanedTypes: definition.orphanedTypes,
    skipCheck: true,
    directives: definition.sharded ? shardDirectives : [],
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    // type-graphql insists on a PubSub once a schema has subscriptions, even when every subscription
    // brings its own `subscribe`; ours all read the outbox (events.ts), so this one stays unused.
    pubSub: createPubSub(),
    validateFn: validateArgument,
  });
  const links = definition.sharded ? `${FEDERATION_LINK} ${shardLinkSdl}` : FEDERATION_LINK;
  const typeDefs = parse(`extend schema ${links}\n\n${printSchemaWithDirectives(typeGraphqlSchema)}`);
  const resolvers = createResolversMap(typeGraphqlSchema) as Record<string, Record<string, unknown>>;
  for (const [typeName, resolveReference] of Object.entries(definition.references)) {
    resolvers[typeName] = { ...resolvers[typeName], __resolveReference: resolveReference };
  }
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
}

/** The canonical SDL of a subgraph: exactly what its `_service { sdl }` answers, and what schema/<name>.graphql holds. */
export async function subgraphSdl(definition: SubgraphDefinition<any, any>): Promise<string> {
  const result = await execute({ schema: await subgraphSchema(definition), document: parse("{ _service { sdl } }") });
  const sdl = (result.data as { _service?: { sdl?: string } } | null | undefined)?._service?.sdl;
  if (!sdl) throw new Error(`${definition.name} did not answer _service { sdl }: ${JSON.stringify(result.errors)}`);
  return `${sdl.trim()}\n`;
}
