/**
 * GET /datastore/dump/<agency>/<resource id>: a loaded resource's rows, whole
 * or a filtered slice, as CSV or JSON (CKAN DataStore's dump parameters:
 * format, filters, sort, limit, bom; subgraphs/catalogue/datastore/dump.ts
 * says what each means). The agency's catalogue shard writes them and the
 * gateway streams them through as they come, at the client's pace. Read as
 * the public reads the catalogue: datasets published, for anyone.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream } from "node:stream/web";
import { ANONYMOUS, CLAIMS_HEADER, signClaims } from "../contract/claims";
import { config } from "../contract/config";
import { ErrorCode, httpStatusOf } from "../contract/errors";
import type { Logger } from "../contract/logger";
import type { RoutingTable } from "./shard-router/routing-table";

const ROUTE = /^\/datastore\/dump\/([^/]+)\/([^/]+)$/;
/** What the shard says of its answer that the client needs too. */
const PASSED_HEADERS = ["content-type", "content-disposition", "cache-control"];

function refuse(res: ServerResponse, code: ErrorCode, message: string): void {
  res.writeHead(httpStatusOf(code), { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/**
 * `timeoutMs` bounds the wait for the shard's answer to begin (a shard that takes the request and never answers);
 * the rows that follow come at the client's pace, for as long as they take.
 */
export function datastoreDumpHandler(options: { routing: RoutingTable; internalSecret: string; timeoutMs: number; log: Logger }): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://gateway");
    const route = ROUTE.exec(url.pathname);
    if (!route || req.method !== "GET") return false;
    const [agencyCode, resourceId] = [decodeURIComponent(route[1]).toUpperCase(), decodeURIComponent(route[2])];
    const shard = options.routing.shardsOf("catalogue").get(agencyCode);
    if (!shard) {
      refuse(res, ErrorCode.NOT_FOUND, `No catalogue shard is registered for agency ${agencyCode}: the path is /datastore/dump/<agency code>/<resource id>.`);
      return true;
    }
    const upstream = `${shard.replace(/\/graphql$/, "")}/datastore/dump/${encodeURIComponent(resourceId)}${url.search}`;
    const aborted = new AbortController();
    res.once("close", () => aborted.abort());
    void (async () => {
      const unanswered = new AbortController();
      const timer = setTimeout(() => unanswered.abort(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
      let response: Response;
      try {
        const claims = await signClaims(ANONYMOUS, options.internalSecret, config.claimsTtlSeconds);
        response = await fetch(upstream, { headers: { [CLAIMS_HEADER]: claims }, signal: AbortSignal.any([aborted.signal, unanswered.signal]) });
      } catch (error) {
        if (aborted.signal.aborted) return;
        options.log.warn({ err: error, agencyCode }, "datastore download: the shard did not answer");
        const reason = unanswered.signal.aborted ? `gave no answer within ${options.timeoutMs} ms` : "could not be reached";
        return refuse(res, ErrorCode.SHARD_UNAVAILABLE, `The catalogue shard of ${agencyCode} ${reason}; try again shortly.`);
      } finally {
        clearTimeout(timer);
      }
      res.writeHead(response.status, Object.fromEntries(PASSED_HEADERS.flatMap((name) => (response.headers.has(name) ? [[name, response.headers.get(name)!]] : []))));
      if (!response.body) return void res.end();
      // A shard that stops mid-download, or a client that leaves, ends the answer short: there is no status left to tell it with.
      await pipeline(Readable.fromWeb(response.body as ReadableStream), res).catch(() => res.destroy());
    })();
    return true;
  };
}
