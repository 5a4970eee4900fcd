/**
 * A subgraph's /graphql over HTTP: node:http hands the request straight to
 * Apollo Server's own entry point (executeHTTPGraphQLRequest, the one every
 * Apollo integration wraps). It is the hot path of every subgraph, and
 * express's router, body parser and response helpers around it cost more
 * than a cached answer itself (`npm run bench -- metrics --profile`); express
 * keeps the plain routes (health, metrics, downloads).
 *
 * What it accepts is what express.json() accepted: a JSON body of at most
 * the configured size (413 beyond), parsed only when the content type says
 * JSON (Apollo refuses the rest, as its CSRF prevention requires).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";
import { ErrorCode } from "../../contract/errors";
import type { Logger } from "../../contract/logger";

export const GRAPHQL_PATH = "/graphql";

/** Whether a request's target is the GraphQL endpoint (with or without a query string). */
export const isGraphQLRequest = (url: string | undefined): boolean =>
  url === GRAPHQL_PATH || (url !== undefined && url.startsWith(`${GRAPHQL_PATH}?`));

/** An answer refused before GraphQL ran, in GraphQL's error shape: never a page of HTML. */
export function sendErrors(res: ServerResponse, status: number, message: string, code: ErrorCode, extensions: Record<string, unknown> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export const internalErrorMessage = "Internal server error: the subgraph logged the details.";
const tooLargeMessage = (limit: number) => `The request body is larger than ${limit} bytes.`;
const notJsonMessage = "The request body is not valid JSON.";

class BodyTooLarge extends Error {}

/** The whole body, or BodyTooLarge as soon as it passes `limit` (declared or counted). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, rejectBody) => {
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > limit) return rejectBody(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        rejectBody(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.once("end", () => resolveBody(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once("error", rejectBody);
  });
}

const isJson = (contentType: string | undefined) => contentType !== undefined && /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType);

export interface GraphQLHttpOptions {
  maxBodyBytes: number;
  /** The request's context, from its headers (the gateway's signed claims). */
  context(req: IncomingMessage): Promise<BaseContext>;
  log: Logger;
}

export function graphqlHttpHandler(apollo: ApolloServer<BaseContext>, { maxBodyBytes, context, log }: GraphQLHttpOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      let body: unknown;
      if (req.method === "POST") {
        let raw: Buffer;
        try {
          raw = await readBody(req, maxBodyBytes);
        } catch (error) {
          if (!(error instanceof BodyTooLarge)) throw error;
          // The rest of the body is not read: the connection cannot serve another request.
          res.shouldKeepAlive = false;
          return sendErrors(res, 413, tooLargeMessage(maxBodyBytes), ErrorCode.BAD_USER_INPUT);
        }
        if (isJson(req.headers["content-type"]) && raw.length > 0) {
          try {
            body = JSON.parse(raw.toString("utf8"));
          } catch {
            return sendErrors(res, 400, notJsonMessage, ErrorCode.BAD_USER_INPUT);
          }
        }
      }
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      const query = req.url!.indexOf("?");
      const answer = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search: query < 0 ? "" : req.url!.slice(query), body },
        context: () => context(req),
      });
      for (const [name, value] of answer.headers) res.setHeader(name, value);
      res.statusCode = answer.status ?? 200;
      if (answer.body.kind === "complete") return void res.end(answer.body.string);
      for await (const chunk of answer.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (error) {
      log.error({ err: error }, "GraphQL request failed");
      if (res.headersSent) return void res.destroy();
      sendErrors(res, 500, internalErrorMessage, ErrorCode.INTERNAL_SERVER_ERROR);
    }
  };
}
