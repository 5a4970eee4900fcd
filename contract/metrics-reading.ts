/**
 * Reading what GET /metrics serves (the Prometheus text format) back into
 * figures: `npm run status` scrapes every instance twice and turns the
 * difference into requests per second, p99 latency, errors and event lag.
 */
import { METRIC, OK } from "./metrics";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = SAMPLE.exec(line.trim());
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(LABEL)) labels[key] = value.replace(/\\n/g, "\n").replace(/\\(.)/g, "$1");
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

type Filter = (labels: Record<string, string>) => boolean;
const all: Filter = () => true;

/** The sum of a metric's samples whose labels pass `filter`. */
export function total(samples: readonly Sample[], name: string, filter: Filter = all): number {
  return samples.filter((s) => s.name === name && filter(s.labels)).reduce((sum, s) => sum + s.value, 0);
}

/** A histogram's buckets (upper bound → cumulative count), summed over its other labels; `before` is subtracted. */
function buckets(after: readonly Sample[], before: readonly Sample[], histogram: string): [number, number][] {
  const byBound = new Map<number, number>();
  for (const [samples, sign] of [[after, 1], [before, -1]] as const) {
    for (const s of samples) {
      if (s.name !== `${histogram}_bucket`) continue;
      const bound = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
      byBound.set(bound, (byBound.get(bound) ?? 0) + sign * s.value);
    }
  }
  return [...byBound].sort(([a], [b]) => a - b);
}

/**
 * The q-quantile of what a histogram observed between two scrapes, in the
 * histogram's unit, interpolated within its bucket as Prometheus's
 * histogram_quantile does; null when nothing was observed.
 */
export function quantile(q: number, histogram: string, after: readonly Sample[], before: readonly Sample[] = []): number | null {
  const cumulative = buckets(after, before, histogram);
  const count = cumulative.at(-1)?.[1] ?? 0;
  if (count <= 0) return null;
  const rank = q * count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, seen] of cumulative) {
    if (seen >= rank) {
      if (bound === Infinity) return lowerBound;
      return lowerBound + (bound - lowerBound) * ((rank - lowerCount) / Math.max(seen - lowerCount, 1));
    }
    lowerBound = bound;
    lowerCount = seen;
  }
  return lowerBound;
}

export interface InstanceStatus {
  instance: string;
  up: boolean;
  version: string;
  schemaHash: string;
  requestsPerSecond: number | null;
  p99Ms: number | null;
  errors: number | null;
  eventLagP99Ms: number | null;
}

const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1000));

/** One instance's line of the status table, from two scrapes `seconds` apart (null scrapes: the instance is down). */
export function instanceStatus(instance: string, before: readonly Sample[] | null, after: readonly Sample[] | null, seconds: number): InstanceStatus {
  if (!before || !after) return { instance, up: false, version: "", schemaHash: "", requestsPerSecond: null, p99Ms: null, errors: null, eventLagP99Ms: null };
  const build = after.find((s) => s.name === METRIC.build)?.labels ?? {};
  const failed = (labels: Record<string, string>) => labels.outcome !== OK;
  return {
    instance,
    up: true,
    version: build.version ?? "",
    schemaHash: build.schema_hash ?? "",
    requestsPerSecond: Math.round(((total(after, METRIC.requests) - total(before, METRIC.requests)) / seconds) * 10) / 10,
    p99Ms: ms(quantile(0.99, METRIC.requestDuration, after, before)),
    errors: total(after, METRIC.requests, failed) - total(before, METRIC.requests, failed),
    eventLagP99Ms: ms(quantile(0.99, METRIC.eventLag, after, before)),
  };
}
