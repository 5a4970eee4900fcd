/**
 * GraphiQL works on an intranet without internet access: the page a browser
 * gets at /graphql loads nothing from another host (no CDN).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../contract/config";
import { startGateway, type RunningGateway } from "../gateway/server";

let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets: { jwtSecret: "graphiql-test", internalSecret: "graphiql-test-internal" },
    port: 0,
    host: "127.0.0.1",
  });
});

afterAll(async () => {
  await gateway?.stop();
});

test("the GraphiQL page carries its code, styles and editor workers itself, and refers to no other host", async () => {
  const response = await fetch(gateway.url, { headers: { accept: "text/html" } });
  expect(response.status).toBe(200);
  const html = await response.text();
  expect(html).toContain("YogaGraphiQL.renderYogaGraphiQL");
  // What a browser would fetch: script and stylesheet sources, links, and worker URLs.
  const remote = [...html.matchAll(/(?:src|href)\s*=\s*["']?(https?:\/\/[^"'\s>]+)/g), ...html.matchAll(/fetch\(\s*["'](https?:\/\/[^"']+)/g)].map((m) => m[1]);
  expect(remote).toEqual([]);
  expect(html).not.toMatch(/unpkg\.com|jsdelivr\.net|cdn\./);
});
