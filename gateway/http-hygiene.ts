/**
 * What the gateway accepts over HTTP before anything is parsed:
 * - CSRF prevention: a browser sends a cross-site request without a
 *   preflight only as a form or plain text (or a GET), so such requests must
 *   carry a header no form can set (as Apollo Router and Yoga require);
 * - one body limit, the subgraphs' too, so no request is accepted here that
 *   a shard would refuse with a page of its own.
 */
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
        if (!(/^\d+$/.test(declared) && Number(declared) <= limit)) throw tooLarge(limit);
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
