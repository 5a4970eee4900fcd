/**
 * HTTP hygiene at the gateway: cross-site requests, CORS, body size, and
 * users' tokens. Each refusal is checked to reach no shard.
 */
import { connect } from "node:net";
import { SignJWT } from "jose";
import { config, loadSecrets } from "../../contract/config";
import { startTrippedGateway } from "./tripwire";

let platform: Awaited<ReturnType<typeof startTrippedGateway>>;

beforeAll(async () => {
  platform = await startTrippedGateway(["MOJ"], { healthIntervalMs: 60_000 });
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

const MUTATION = 'mutation { retireDataset(input: { agencyCode: "MOJ", identifier: "MOJ-000001", retiredOn: "2026-01-01", reason: "x" }) { dataset { id } } }';

describe("cross-site requests", () => {
  it.each([
    ["a form", "application/x-www-form-urlencoded", `query=${encodeURIComponent(MUTATION)}`],
    ["plain text", "text/plain", JSON.stringify({ query: MUTATION })],
    ["multipart", "multipart/form-data; boundary=x", `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: MUTATION })}\r\n--x--`],
  ])("a mutation sent as %s is refused with FORBIDDEN and runs nowhere", async (_name, contentType, body) => {
    const response = await fetch(platform.gateway.url, { method: "POST", headers: { "content-type": contentType }, body });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe("FORBIDDEN");
    expect(platform.calls()).toBe(0);
  });

  it("a GET needs the preflight header", async () => {
    const url = `${platform.gateway.url}?query=${encodeURIComponent("{ __typename }")}`;
    expect((await fetch(url)).status).toBe(403);
    const allowed = await fetch(url, { headers: { "x-graphql-csrf": "1" } });
    expect(await allowed.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("no origin is allowed by default: a foreign page gets no CORS grant", async () => {
    const response = await fetch(platform.gateway.url, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    const post = await fetch(platform.gateway.url, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
  });
});

test("a URL with raw non-ASCII text, which HTTP's parser refuses, is answered with how to send it, and reaches no shard", async () => {
  const { port } = new URL(platform.gateway.url);
  const answer = await new Promise<string>((resolveAnswer, rejectAnswer) => {
    // As curl sends a URL typed with Chinese in it: the bytes as they are.
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(Buffer.from("GET /api/3/action/package_search?q=毒品 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")));
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")));
    socket.on("close", () => resolveAnswer(received));
    socket.on("error", rejectAnswer);
  });
  expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  expect(answer).toContain("content-type: text/plain; charset=utf-8");
  expect(answer.split("\r\n\r\n")[1]).toBe(
    "The URL holds a character HTTP does not allow (non-ASCII text, a space): percent-encode it, e.g. ?q=%E6%AF%92%E5%93%81 for ?q=毒品.\n",
  );
  expect(platform.calls()).toBe(0);
});

test("a body over the limit is refused as JSON, with no page, path or stack, and reaches no shard", async () => {
  const filler = "x".repeat(config.maxBodyBytes + 1000);
  const response = await fetch(platform.gateway.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ catalogueSummary { datasets } }", variables: { filler } }),
  });
  expect(response.status).toBe(413);
  const text = await response.text();
  expect(JSON.parse(text).errors[0].extensions.code).toBe("BAD_USER_INPUT");
  expect(text).not.toMatch(/<html|at .*\.js|\/work\//i);
  expect(platform.calls()).toBe(0);
});

test("a body sent without a declared length (chunked) is counted as it arrives: over the limit it is refused and reaches no shard", async () => {
  // A stream body makes fetch send it chunked, with no content-length.
  const chunked = (text: string) =>
    fetch(platform.gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: new Blob([text]).stream(), duplex: "half" } as RequestInit);
  const small = await chunked(JSON.stringify({ query: "{ __typename }" }));
  expect(await small.json()).toEqual({ data: { __typename: "Query" } });
  const callsBefore = platform.calls();
  const response = await chunked(JSON.stringify({ query: "{ catalogueSummary { datasets } }", variables: { filler: "x".repeat(config.maxBodyBytes + 1000) } }));
  expect(response.status).toBe(413);
  expect((await response.json()).errors[0].extensions.code).toBe("BAD_USER_INPUT");
  expect(platform.calls()).toBe(callsBefore);
});

test.each([
  ["JSON that does not parse", '{"query": "{ __typename }"', /invalid JSON/],
  ["a string", '"{ __typename }"', /expected to be object/],
  ["null", "null", /expected to be object/],
])("a JSON body holding %s is refused with 400, saying why, and reaches no shard", async (_name, body, reason) => {
  const callsBefore = platform.calls();
  const response = await fetch(platform.gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { errors: { message: string }[] }).errors[0].message).toMatch(reason);
  expect(platform.calls()).toBe(callsBefore);
});

describe("users' tokens", () => {
  const secret = new TextEncoder().encode(loadSecrets().jwtSecret);
  const sign = (claims: { sub?: string; expiresIn?: string | null }) => {
    const jwt = new SignJWT({ role: "MINISTRY_ADMIN" }).setProtectedHeader({ alg: "HS256" }).setIssuer(config.jwtIssuer).setIssuedAt();
    if (claims.sub) jwt.setSubject(claims.sub);
    if (claims.expiresIn) jwt.setExpirationTime(claims.expiresIn);
    return jwt.sign(secret);
  };
  const ask = async (token: string) => {
    const response = await fetch(platform.gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    return (await response.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] };
  };

  it.each([
    ["without exp", { sub: "someone", expiresIn: null }, /"exp"/],
    ["without sub", { expiresIn: "1h" }, /"sub"/],
    ["valid for 30 days", { sub: "someone", expiresIn: "30d" }, /at most 86400 s/],
  ])("a token %s is refused with UNAUTHENTICATED", async (_name, claims, reason) => {
    const body = await ask(await sign(claims));
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(body.errors?.[0].message).toMatch(reason);
  });

  it("a token with sub and a short exp is accepted", async () => {
    expect(await ask(await sign({ sub: "someone", expiresIn: "1h" }))).toEqual({ data: { __typename: "Query" } });
  });
});
