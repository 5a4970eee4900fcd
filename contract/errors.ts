import { GraphQLError } from "graphql";

/**
 * The one list of error codes every part of GovGraph answers with, in
 * `extensions.code`. Clients may switch on these; they never change meaning.
 */
export const ErrorCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "RATE_LIMITED",
  SHARD_UNAVAILABLE: "SHARD_UNAVAILABLE",
  /** A ministry subgraph (metrics, advisory) could not be reached or gave no answer in time (extensions: subgraph); the fields it serves are null. */
  SUBGRAPH_UNAVAILABLE: "SUBGRAPH_UNAVAILABLE",
  /** The operation is too large or costly to answer (extensions: limit, maximum, found); nothing was run. */
  OPERATION_LIMIT: "OPERATION_LIMIT",
  /** A file to publish holds personal data no exemption covers (extensions: findings with path, column, kind, count, masked samples). */
  PERSONAL_DATA_FOUND: "PERSONAL_DATA_FOUND",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const codes = new Set<unknown>(Object.values(ErrorCode));
/** Whether an error's `extensions.code` is one of GovGraph's own (else it came from elsewhere: the engine, a transport). */
export const isErrorCode = (code: unknown): code is ErrorCode => codes.has(code);

const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  OPERATION_LIMIT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PERSONAL_DATA_FOUND: 409,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  SHARD_UNAVAILABLE: 503,
  SUBGRAPH_UNAVAILABLE: 503,
};

/** The HTTP status of an error answered outside GraphQL (a plain HTTP route): what a client of that route expects. */
export const httpStatusOf = (code: unknown): number => (isErrorCode(code) ? HTTP_STATUS[code] : 500);

/** One offending input field: where it is in the mutation's input and why it was refused. */
export interface FieldProblem {
  path: string;
  reason: string;
}

export function govError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

export function badUserInput(problems: FieldProblem[]): GraphQLError {
  const summary = problems.map((p) => `${p.path}: ${p.reason}`).join("; ");
  return govError(ErrorCode.BAD_USER_INPUT, `Invalid input. ${summary}`, { fields: problems });
}

export function notFound(what: string): GraphQLError {
  return govError(ErrorCode.NOT_FOUND, `${what} was not found.`);
}

export function forbidden(message: string): GraphQLError {
  return govError(ErrorCode.FORBIDDEN, message);
}

export function unauthenticated(message: string): GraphQLError {
  return govError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });
}
