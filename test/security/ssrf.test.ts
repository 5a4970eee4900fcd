/**
 * The quality check's fetches cannot reach the platform's own network:
 * non-public addresses are refused after DNS resolution and on every
 * redirect, only http and https are fetched, and the allow-list opens
 * named intranet addresses. Local listeners count what reaches them.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { allowList, probeResource, refusedAddress } from "../../subgraphs/catalogue/quality/probe";

interface Listener {
  base: string;
  hits: () => number;
  close(): Promise<void>;
}

async function listen(host: string, redirectTo?: () => string): Promise<Listener> {
  let hits = 0;
  const server: Server = createServer((_request, response) => {
    hits += 1;
    if (redirectTo) response.writeHead(302, { location: redirectTo() }).end();
    else response.writeHead(200, { "content-type": "text/csv" }).end("a,b\n1,2\n");
  });
  await new Promise<void>((resolveListen) => server.listen(0, host, resolveListen));
  return {
    base: `http://${host}:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise((resolveClose) => server.close(() => resolveClose())),
  };
}

let inside: Listener;
let allowedHost: Listener;

beforeAll(async () => {
  inside = await listen("127.0.0.1");
  // 127.0.0.2 is loopback too (all of 127/8 is); it stands for an allowed intranet host that redirects inside.
  allowedHost = await listen("127.0.0.2", () => `${inside.base}/secret.csv`);
});

afterAll(async () => {
  await inside?.close();
  await allowedHost?.close();
});

test.each([
  ["a loopback address", () => `${inside.base}/a.csv`],
  ["a name that resolves to loopback", () => `${inside.base.replace("127.0.0.1", "localhost")}/a.csv`],
])("%s is refused by default, without a request", async (_name, url) => {
  const probe = await probeResource(url(), "CSV", { timeoutMs: 5000 });
  expect(probe).toMatchObject({ linkValid: false, error: expect.stringMatching(/^refused: its address is not public/) });
  expect(inside.hits()).toBe(0);
});

test("the allow-list lets an intranet address be checked", async () => {
  const probe = await probeResource(`${inside.base}/a.csv`, "CSV", { timeoutMs: 5000, allowed: allowList(["127.0.0.0/8"]) });
  expect(probe).toMatchObject({ linkValid: true, directDownload: true, error: null });
  expect(inside.hits()).toBe(1);
});

test("a redirect from an allowed host to a refused one is not followed", async () => {
  const before = inside.hits();
  const probe = await probeResource(`${allowedHost.base}/moved`, "CSV", { timeoutMs: 5000, allowed: allowList(["127.0.0.2"]) });
  expect(allowedHost.hits()).toBe(1);
  expect(probe).toMatchObject({ linkValid: false, finalUrl: `${inside.base}/secret.csv`, error: expect.stringMatching(/^refused/) });
  expect(inside.hits()).toBe(before);
});

test.each([
  ["file:///etc/passwd", /^refused: file: is not http or https/],
  ["ftp://example.org/a.csv", /^refused: ftp: is not http or https/],
  ["http://169.254.169.254/latest/meta-data/", /^refused: its address is not public/],
  ["http://[::1]/a.csv", /^refused: its address is not public/],
  ["http://[::ffff:127.0.0.1]/a.csv", /^refused: its address is not public/],
  ["http://10.0.0.1/a.csv", /^refused: its address is not public/],
])("%s is refused", async (url, reason) => {
  expect((await probeResource(url, "CSV", { timeoutMs: 5000 })).error).toMatch(reason);
});

test("which addresses are public", () => {
  const refused = ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00:ec2::254", "::ffff:10.0.0.1", "224.0.0.1"];
  const publicAddresses = ["8.8.8.8", "140.111.1.1", "2001:4860:4860::8888"];
  expect(refused.filter((address) => refusedAddress(address) === null)).toEqual([]);
  expect(publicAddresses.filter((address) => refusedAddress(address) !== null)).toEqual([]);
  expect(refusedAddress("10.1.2.3", allowList(["10.0.0.0/8"]))).toBeNull();
});
