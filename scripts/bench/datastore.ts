/**
 * npm run bench -- datastore [--rows 1000000]
 *
 * A CSV of `rows` rows (about 60 bytes each) generated into a temporary
 * folder and served on loopback: the de-identification scan's throughput
 * (MB/s), the datastore load's (rows/s, COPY), then 200 filtered pages of
 * 20 rows (a filter on one column, ordered by another, keyset) read on the
 * shard, and each filter's totalCount (asked for apart: it reads every
 * match): p50/p99 in ms.
 */
import { once } from "node:events";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { subgraphs } from "../../subgraphs";
import { loadDatastore } from "../../subgraphs/catalogue/datastore/loading";
import { rowPage } from "../../subgraphs/catalogue/datastore/resolvers";
import { DatastoreState } from "../../subgraphs/catalogue/datastore/entities";
import { scanResource } from "../../subgraphs/catalogue/deidentification/gate";
import { allowList } from "../../subgraphs/catalogue/quality/probe";
import { startInstance } from "../../subgraphs/kit/server";
import { percentile } from "./shared";

const PRISONS = ["臺北監獄", "臺中監獄", "高雄監獄", "花蓮監獄", "宜蘭監獄", "嘉義監獄", "屏東監獄", "雲林監獄"];

export async function benchDatastore({ serverUrl, prefix, rows }: { serverUrl: string; prefix: string; rows: number }): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "govgraph-bench-"));
  const file = join(folder, "rows.csv");
  const out = createWriteStream(file);
  out.write("機關,年月,收容人數,比率,備註\n");
  for (let row = 0; row < rows; row += 1000) {
    const lines: string[] = [];
    for (let i = row; i < Math.min(rows, row + 1000); i += 1) lines.push(`${PRISONS[i % 8]},${2010 + (i % 10)}-${String((i % 12) + 1).padStart(2, "0")}-01,${i},${(i % 100) / 10},第${i % 7}區`);
    if (!out.write(lines.join("\n") + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  const bytes = statSync(file).size;
  const server = createServer((_request, response) => createReadStream(file).pipe(response));
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rows.csv`;
  const instance = await startInstance(subgraphs.catalogue, { agencyCode: "ACA", serverUrl, databasePrefix: prefix, seed: false, port: 0 });
  const settings = { timeoutMs: 600_000, silenceMs: 30_000, allowed: allowList(["127.0.0.1"]) };
  try {
    let started = performance.now();
    const scan = await scanResource({ downloadUrl: url, format: "CSV" }, settings);
    const scanSeconds = (performance.now() - started) / 1000;
    if (!scan?.report) throw new Error(`scan failed: ${scan?.error}`);
    const em = instance.orm.em.fork();
    const resourceId = "b0b0b0b0-0000-4000-8000-000000000001";
    started = performance.now();
    const datastore = await loadDatastore(em, { id: resourceId, datasetId: resourceId, downloadUrl: url, format: "CSV" }, settings, instance.log);
    const loadSeconds = (performance.now() - started) / 1000;
    if (datastore?.state !== DatastoreState.LOADED) throw new Error(`load failed: ${datastore?.error}`);
    const pages: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const filter = [{ column: "機關", operator: "EQ" as const, value: PRISONS[i % 8] }];
      let at = performance.now();
      const first = await rowPage(em.fork(), datastore, filter, { column: "收容人數", direction: "desc" as never }, 20);
      if (first.pageInfo.endCursor) await rowPage(em.fork(), datastore, filter, { column: "收容人數", direction: "desc" as never }, 20, first.pageInfo.endCursor);
      pages.push((performance.now() - at) / 2);
      at = performance.now();
      await first.totalCount();
      counts.push(performance.now() - at);
    }
    const ms = (values: number[], p: number) => Number(percentile(values, p).toFixed(1));
    console.log(`\ndatastore: ${rows} rows, ${(bytes / 1048576).toFixed(1)} MB CSV on loopback, one catalogue shard`);
    console.table([
      {
        "scan MB/s": Number((bytes / 1048576 / scanSeconds).toFixed(1)),
        "load rows/s": Math.round(datastore.rows / loadSeconds),
        "load s": Number(loadSeconds.toFixed(1)),
        "filtered page p50 ms": ms(pages, 50),
        "filtered page p99 ms": ms(pages, 99),
        "its totalCount p50 ms": ms(counts, 50),
        "its totalCount p99 ms": ms(counts, 99),
      },
    ]);
  } finally {
    await instance.stop();
    server.closeAllConnections();
    server.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
