/**
 * What the gateway accepts over HTTP before anything is parsed:
 * - CSRF prevention: a browser sends a cross-site request without a
 *   preflight only as a form or plain text (or a GET), so such requests must
 *   carry a header no form can set (as Apollo Router and Yoga require);
 * - one body limit, the subgraphs' too, so no request is accepted here that
 *   a shard would refuse with a page of its own;
 * - a JSON body of declared length is read here, before the engine sees the
 *   request (`readJsonBody`);
 * - a request Node's HTTP parser refuses is answered with what to mend
 *   (`answerUnparsable`).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { GraphQLError } from "graphql";
import { ErrorCode } from "../contract/errors";

/** Any one of them proves the request came from a client that could set headers (a preflight was needed). */
export const CSRF_HEADERS = ["x-graphql-csrf", "apollo-require-preflight"];
const SIMPLE_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

export function useCsrfPrevention(): GatewayPlugin {
  return {
    onRequestParse({ request }) {
      const contentType = request.headers.get("content-type")?.toLowerCase();
      const preflighted = contentType !== undefined && !SIMPLE_CONTENT_TYPES.some((simple) => contentType.startsWith(simple));
      if (preflighted || CSRF_HEADERS.some((header) => request.headers.has(header))) return;
      throw new GraphQLError(
        `Send the operation as a POST with content-type application/json (or application/graphql-response+json), or add the header ${CSRF_HEADERS[0]}: 1.`,
        { extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } } },
      );
    },
  };
}

/** A Content-Length that is one number, at most `limit` (anything else, such as a list, is refused as too large). */
const declaredWithin = (declared: string, limit: number) => /^\d+$/.test(declared) && Number(declared) <= limit;

function tooLarge(limit: number): GraphQLError {
  return new GraphQLError(`The request body is larger than ${limit} bytes: send less (e.g. split the operation).`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 413 } },
  });
}

export function useBodyLimit(limit: number): GatewayPlugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      const declared = request.headers.get("content-length");
      if (declared !== null) {
        if (!declaredWithin(declared, limit)) throw tooLarge(limit);
        // Node's HTTP parser delivers no more than the declared length as the body: nothing to count.
        return;
      }
      if (!requestParser || !request.body) return;
      // A body without a length (chunked) is counted as it arrives.
      let read = 0;
      const counted = request.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            read += chunk.byteLength;
            if (read > limit) controller.error(tooLarge(limit));
            else controller.enqueue(chunk);
          },
        }),
      );
      const parse = requestParser;
      setRequestParser(() => parse(new Request(request.url, { method: request.method, headers: request.headers, body: counted, duplex: "half" } as RequestInit)));
    },
  };
}

/**
 * Reads a JSON body of declared length within the limit, and leaves it on the request parsed, as Express' body parser
 * does: the engine's server (whatwg-node) then answers `request.json()` with it, where it would otherwise wrap the
 * socket in a web stream and pipe it through the engine's own size limit (a TransformStream and a stream pipeline per
 * request, 4-6 % of the gateway's CPU on a page). A body that does not parse, or parses to an empty object or to
 * something else than an object, is left as bytes, for the engine to refuse as it always does. Anything else (no
 * declared length, over the limit, another content type) reaches the engine untouched, and `useBodyLimit` judges it.
 */
export async function readJsonBody(req: IncomingMessage & { body?: unknown }, limit: number): Promise<void> {
  const declared = req.headers["content-length"];
  const contentType = req.headers["content-type"]?.split(",")[0];
  const json = contentType === "application/json" || contentType?.startsWith("application/json;");
  if (req.method !== "POST" || !json || declared === undefined || !declaredWithin(declared, limit)) return;
  // Events rather than an async iterator: a body is mostly one chunk, and the iterator costs more than reading it.
  const bytes = await new Promise<Buffer>((resolveBody, rejectBody) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolveBody(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once("error", rejectBody);
    req.once("close", () => req.complete || rejectBody(new Error("the client went away before its body arrived")));
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    parsed = undefined;
  }
  req.body = typeof parsed === "object" && parsed !== null && Object.keys(parsed).length > 0 ? parsed : bytes;
}

/** Node's own answers to what its parser refuses, by error code; anything else is a 400. */
const PARSER_STATUS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: "431 Request Header Fields Too Large",
  ERR_HTTP_REQUEST_TIMEOUT: "408 Request Timeout",
};

/**
 * The HTTP server's `clientError` listener: a request Node's parser refused, answered with a reason a person can act
 * on. Node's own answer is a status line and no body, and the commonest cause is one a person can mend: a URL with raw
 * non-ASCII text (curl sends `?q=毒品` as typed, a harvester may too), which HTTP does not allow unencoded.
 */
export function answerUnparsable(error: Error & { code?: string }, socket: Duplex): void {
  // A kept-alive connection may be midway through an earlier answer (node:http's own check): nothing can be written.
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (!socket.writable || answering || error.code === "ECONNRESET") return void socket.destroy();
  const reason =
    error.code === "HPE_INVALID_URL"
      ? "The URL holds a character HTTP does not allow (non-ASCII text, a space): percent-encode it, e.g. ?q=%E6%AF%92%E5%93%81 for ?q=毒品.\n"
      : `The request is not valid HTTP (${error.code ?? error.message}).\n`;
  const status = (error.code && PARSER_STATUS[error.code]) ?? "400 Bad Request";
  socket.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(reason)}\r\nconnection: close\r\n\r\n${reason}`);
}
