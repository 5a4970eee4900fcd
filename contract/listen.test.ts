import { Agent, createServer, request } from "node:http";
import { EPHEMERAL_PORTS, freePort, KEEP_ALIVE_TIMEOUT_MS, listen, portBelowEphemeral } from "./listen";

/** One GET through `agent`: its status, the server's Keep-Alive header, and whether it went on a connection used before. */
function get(url: string, agent: Agent): Promise<{ status: number; keepAlive?: string; reusedSocket: boolean }> {
  return new Promise((resolveGet, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolveGet({ status: res.statusCode!, keepAlive: res.headers["keep-alive"] as string | undefined, reusedSocket: req.reusedSocket }));
    });
    req.on("error", reject).end();
  });
}

test("a GovGraph server keeps an idle connection open longer than its clients keep theirs, so none is reused as it closes", async () => {
  const server = createServer((_, res) => res.end("ok"));
  const { url } = await listen(server, 0, "127.0.0.1");
  // A client that keeps idle connections for 30 s, as a load balancer does (Node's own agent keeps them 5 s).
  const agent = new Agent({ keepAlive: true, timeout: 30_000 });
  try {
    const first = await get(url, agent);
    expect(first).toEqual({ status: 200, keepAlive: `timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`, reusedSocket: false });
    // Past Node's default of 5 s, after which a server would have closed the connection.
    await new Promise((resolveIdle) => setTimeout(resolveIdle, 5_500));
    expect(await get(url, agent)).toEqual({ status: 200, keepAlive: `timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`, reusedSocket: true });
  } finally {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolveClose) => server.close(resolveClose));
  }
}, 15_000);

test("a free port is below the ephemeral range, where no outgoing connection can take it first, and a server can listen on it", async () => {
  const port = await freePort();
  expect(port).toBeGreaterThanOrEqual(20_000);
  expect(port).toBeLessThan(EPHEMERAL_PORTS.from);
  const server = createServer((_, res) => res.end("ok"));
  const { url } = await listen(server, port, "127.0.0.1");
  try {
    expect(url).toBe(`http://127.0.0.1:${port}/graphql`);
  } finally {
    await new Promise((resolveClose) => server.close(resolveClose));
  }
});

test("a span of ports below the ephemeral range ends below it, at the highest draw too", () => {
  const random = jest.spyOn(Math, "random");
  try {
    random.mockReturnValue(0);
    expect(portBelowEphemeral(209)).toBe(20_000);
    random.mockReturnValue(1 - Number.EPSILON);
    expect(portBelowEphemeral(209) + 208).toBe(EPHEMERAL_PORTS.from - 1);
    expect(portBelowEphemeral()).toBe(EPHEMERAL_PORTS.from - 1);
  } finally {
    random.mockRestore();
  }
});
