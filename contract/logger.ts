import pino, { type Logger } from "pino";
import { config } from "./config";
import { traceFields } from "./tracing";

/**
 * One root logger per process. Every server derives a child that names its
 * subgraph and agency, so each line says which shard wrote it; a line
 * written while a request is traced carries its traceId and spanId.
 */
export const rootLogger: Logger = pino({
  level: config.logLevel,
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  mixin: traceFields,
});

export function loggerFor(subgraph: string, agencyCode?: string): Logger {
  return rootLogger.child(agencyCode ? { subgraph, agencyCode } : { subgraph });
}

export type { Logger };
