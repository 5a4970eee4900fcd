/**
 * Builds the canonical SDL of every subgraph from its code and composes the
 * supergraph (Apollo Federation 2). `npm run schema` writes the result to
 * schema/; a test fails when the checked-in files differ from the code.
 */
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { subgraphs, agencySubgraphs } from "../subgraphs";
import { subgraphSdl } from "../subgraphs/kit/schema";
import { readShardPolicies } from "../gateway/shard-router/policies";
import { localTopology } from "../contract/topology";

export interface ComposedSchemas {
  /** Canonical SDL per subgraph name. */
  subgraphs: Record<string, string>;
  supergraph: string;
}

export async function composeSchemas(): Promise<ComposedSchemas> {
  // The checked-in supergraph names the default local URLs whatever this machine's settings.
  const topology = localTopology(4000, "127.0.0.1");
  const sdl: Record<string, string> = {};
  for (const definition of Object.values(subgraphs)) sdl[definition.name] = await subgraphSdl(definition);
  const result = composeServices(
    Object.entries(sdl).map(([name, typeDefs]) => ({
      name,
      typeDefs: parse(typeDefs),
      // An agency subgraph has one URL per shard; the supergraph names the first, the router replaces it.
      url: topology.subgraphs[name] ?? Object.values(topology.shards[name])[0],
    })),
  );
  if (result.errors) throw new Error(`Composition failed:\n- ${result.errors.map((error) => error.message).join("\n- ")}`);
  readShardPolicies(result.supergraphSdl, agencySubgraphs);
  return { subgraphs: sdl, supergraph: `${result.supergraphSdl.trim()}\n` };
}
