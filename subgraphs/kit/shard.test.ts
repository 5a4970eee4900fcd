import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, Kind, type ObjectTypeDefinitionNode } from "graphql";
import { getMetadataStorage } from "type-graphql";
import { projectRoot } from "../../contract/config";
import { agencySubgraphs } from "..";
import { isOwnShardGuard } from "./shard";

/** Every root field that the canonical SDL of an agency subgraph routes with @shardBy, as "Type.field". */
function routedInSdl(): string[] {
  return agencySubgraphs.flatMap((name) =>
    parse(readFileSync(join(projectRoot, "schema", `${name}.graphql`), "utf8"))
      .definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && ["Query", "Mutation"].includes(d.name.value))
      .flatMap((type) => (type.fields ?? []).filter((field) => field.directives?.some((d) => d.name.value === "shardBy")).map((field) => `${type.name.value}.${field.name.value}`)),
  );
}

test("every root field routed to one shard is guarded by the own-shard check", () => {
  const storage = getMetadataStorage();
  const roots = [...storage.queries.map((q) => ({ ...q, type: "Query" })), ...storage.mutations.map((m) => ({ ...m, type: "Mutation" }))];
  const guarded = roots
    .filter((root) =>
      storage.middlewares.some((m) => m.target === root.target && m.fieldName === root.methodName && m.middlewares.some(isOwnShardGuard)),
    )
    .map((root) => `${root.type}.${root.schemaName}`);
  const routed = routedInSdl();
  expect(routed.length).toBeGreaterThan(20);
  // The same fields, both ways: no route without its guard, no guard without its route.
  expect([...new Set(guarded)].sort()).toEqual([...new Set(routed)].sort());
});
