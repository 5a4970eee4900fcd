import { readFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { issueDevToken } from "../../gateway/auth";
import { startGateway } from "../../gateway/server";
import { subgraphs } from "../../subgraphs";
import { Role } from "../../contract/claims";
import { loadSecrets, projectRoot } from "../../contract/config";
import { startInstance } from "../../subgraphs/kit/server";
import { citizenAddress, percentile, type BenchOptions } from "./shared";

export async function benchFeedback({ serverUrl, prefix, duration, connections }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const codes = ["MOJ", "ACA"];
  const shards = await Promise.all(codes.map((agencyCode) => startInstance(subgraphs.feedback, { agencyCode, serverUrl, databasePrefix: prefix, seed: false, port: 0 })));
  const gateway = await startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets,
    topology: { subgraphs: {}, shards: { catalogue: {}, feedback: Object.fromEntries(codes.map((code, i) => [code, shards[i].url])) } },
    port: 0,
  });
  const token = await issueDevToken({ sub: "bench-admin", role: Role.MINISTRY_ADMIN }, secrets);
  const delays: number[] = [];
  const delivered = new Set<string>();
  const subscriber = createClient({ url: gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } });
  subscriber.subscribe<{ feedbackEvents: { subjectId: string; type: string; occurredAt: string } }>(
    { query: "subscription { feedbackEvents { subjectId type occurredAt } }" },
    {
      next: ({ data }) => {
        if (data?.feedbackEvents.type !== "FeedbackReceived") return;
        delivered.add(data.feedbackEvents.subjectId);
        delays.push(Date.now() - new Date(data.feedbackEvents.occurredAt).getTime());
      },
      error: (error) => console.error("subscriber failed", error),
      complete: () => undefined,
    },
  );
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 1000));
  try {
    const acknowledged = new Set<string>();
    const result = await autocannon({
      url: gateway.url,
      connections,
      duration,
      // Citizens from many addresses (as a reverse proxy the gateway trusts reports them): each address has its own quota.
      requests: Array.from({ length: 500 }, (_, i) => ({
        method: "POST" as const,
        headers: { "content-type": "application/json", "x-forwarded-for": citizenAddress(i) },
        body: JSON.stringify({
          query: "mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id } } }",
          variables: { input: { agencyCode: codes[i % codes.length], email: "bench@example.org", commentType: "資料內容有誤", title: "基準測試", body: "基準測試意見" } },
        }),
        onResponse: (status: number, body: string) => {
          const id = status === 200 ? (JSON.parse(body) as { data?: { submitFeedback?: { feedback: { id: string } } } }).data?.submitFeedback?.feedback.id : undefined;
          if (id) acknowledged.add(id);
        },
      })),
    });
    // Requests still in flight when the run ended may commit after it: let them, then compare.
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 1000));
    const storedIds = new Set(
      (await Promise.all(shards.map((shard) => shard.orm.em.fork().getConnection().execute<{ id: string }[]>("select id from feedback")))).flat().map((row) => row.id),
    );
    const deadline = Date.now() + 10_000;
    while (delivered.size < storedIds.size && Date.now() < deadline) await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
    const lost = [...acknowledged].filter((id) => !storedIds.has(id) || !delivered.has(id)).length;
    console.log(`\nfeedback submissions through the gateway, ${connections} connections, ${duration} s, loopback`);
    console.table([
      {
        "submissions/s": Math.round(acknowledged.size / duration),
        acknowledged: acknowledged.size,
        stored: storedIds.size,
        delivered: delivered.size,
        "acknowledged but lost": lost,
        "p50 delay ms": percentile(delays, 50),
        "p99 delay ms": percentile(delays, 99),
        "http errors": result.errors + result.timeouts + result.non2xx,
      },
    ]);
  } finally {
    await subscriber.dispose();
    await gateway.stop();
    await Promise.all(shards.map((shard) => shard.stop()));
  }
}
