/**
 * schema/ holds each subgraph's canonical SDL and the composed supergraph.
 * They are generated from the code (npm run schema); this test fails when
 * the code and the checked-in files drift apart or composition fails.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { composeSchemas } from "../scripts/compose";
import { projectRoot } from "../contract/config";

const checkedIn = (name: string) => readFileSync(join(projectRoot, "schema", `${name}.graphql`), "utf8");

test("the subgraphs compose, and schema/ matches the code (run `npm run schema` after changing a schema)", async () => {
  const { subgraphs, supergraph } = await composeSchemas();
  expect(Object.keys(subgraphs).sort()).toEqual(["advisory", "catalogue", "feedback", "metrics"]);
  for (const [name, sdl] of Object.entries(subgraphs)) expect({ name, sdl: checkedIn(name) }).toEqual({ name, sdl });
  expect(checkedIn("supergraph")).toEqual(supergraph);
});
