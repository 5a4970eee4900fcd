/** npm run schema: writes schema/<subgraph>.graphql and schema/supergraph.graphql from the code. */
import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { composeSchemas } from "./compose";
import { projectRoot } from "../contract/config";

async function main(): Promise<void> {
  const { subgraphs, supergraph } = await composeSchemas();
  for (const [name, sdl] of Object.entries(subgraphs)) writeFileSync(join(projectRoot, "schema", `${name}.graphql`), sdl);
  writeFileSync(join(projectRoot, "schema", "supergraph.graphql"), supergraph);
  console.log(`wrote schema/{${Object.keys(subgraphs).join(",")},supergraph}.graphql`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
