import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, type BaseContext } from "@apollo/server";
import { GraphQLError } from "graphql";
import { rootLogger } from "../../contract/logger";
import { graphqlHttpHandler } from "./graphql-http";

const LIMIT = 1000;
let server: Server;
let apollo: ApolloServer<BaseContext>;
let base: string;
/** Operations that ran: a refused request must run none. */
let executed = 0;

beforeAll(async () => {
  apollo = new ApolloServer<BaseContext>({
    typeDefs: "type Query { viewer: String, echo(text: String!): String }",
    resolvers: {
      Query: {
        viewer: (_: unknown, __: unknown, context: { viewer: string }) => (executed++, context.viewer),
        echo: (_: unknown, { text }: { text: string }) => (executed++, text),
      },
    },
  });
  await apollo.start();
  const handler = graphqlHttpHandler(apollo, {
    maxBodyBytes: LIMIT,
    context: async (req) => {
      if (req.headers["x-viewer"] === "nobody") throw new GraphQLError("no such viewer", { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
      return { viewer: String(req.headers["x-viewer"] ?? "anonymous") };
    },
    log: rootLogger,
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await apollo.stop();
  await new Promise((resolveClose) => server.close(resolveClose));
});

const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) => fetch(base, { method: "POST", headers, body });

test("a JSON POST is answered with its context", async () => {
  const before = executed;
  const response = await post(JSON.stringify({ query: "{ viewer }" }), { "content-type": "application/json; charset=utf-8", "x-viewer": "someone" });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ data: { viewer: "someone" } });
  expect(executed).toBe(before + 1);
});

test("a GET with the operation in its query string is answered (with the header CSRF prevention asks for)", async () => {
  const response = await fetch(`${base}?query=${encodeURIComponent('{ echo(text: "臺灣") }')}`, { headers: { "apollo-require-preflight": "1" } });
  expect(await response.json()).toEqual({ data: { echo: "臺灣" } });
});

test("a body over the limit, declared or sent in chunks without a length, is refused with 413 in GraphQL's shape", async () => {
  const before = executed;
  const filler = "x".repeat(LIMIT);
  const declared = await post(JSON.stringify({ query: "{ viewer }", variables: { filler } }));
  expect(declared.status).toBe(413);
  expect((await declared.json()).errors[0]).toEqual({ message: `The request body is larger than ${LIMIT} bytes.`, extensions: { code: "BAD_USER_INPUT" } });

  const chunked = await new Promise<{ status: number; body: string }>((resolveAnswer, rejectAnswer) => {
    const req = request(base, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolveAnswer({ status: res.statusCode!, body }));
    });
    req.on("error", rejectAnswer);
    for (let i = 0; i < 4; i++) req.write(filler.slice(0, 400));
    req.end();
  });
  expect(chunked.status).toBe(413);
  expect(JSON.parse(chunked.body).errors[0].extensions.code).toBe("BAD_USER_INPUT");
  expect(executed).toBe(before);
});

test("a body that is not JSON is a 400 BAD_USER_INPUT that says so", async () => {
  const response = await post("{ query: nope");
  expect(response.status).toBe(400);
  expect((await response.json()).errors[0]).toEqual({ message: "The request body is not valid JSON.", extensions: { code: "BAD_USER_INPUT" } });
});

test("a form post (no JSON content type) is refused by Apollo's CSRF prevention, and nothing runs", async () => {
  const before = executed;
  const response = await post("query=%7B%20viewer%20%7D", { "content-type": "application/x-www-form-urlencoded" });
  expect(response.status).toBe(400);
  expect(await response.text()).toMatch(/preflight/i);
  expect(executed).toBe(before);
});

test("a context that refuses the viewer answers with its code and status", async () => {
  const response = await post(JSON.stringify({ query: "{ viewer }" }), { "content-type": "application/json", "x-viewer": "nobody" });
  expect(response.status).toBe(401);
  const body = await response.json();
  expect(body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
  expect(body.errors[0].message).toMatch(/no such viewer/);
});
