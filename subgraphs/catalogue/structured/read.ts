/**
 * Reading a structured resource (CSV, JSON, XML) as a stream, whatever its
 * size: bytes are decoded as they come (UTF-8 or Big5, told apart from the
 * first 64 KB), then parsed by a streaming parser, so memory holds a chunk
 * and what it parsed into, never the file. The de-identification scan reads
 * cells; the datastore reads records.
 *
 * Both come in batches, one per chunk of text: a file holds millions of
 * cells, and one asynchronous step per cell cost more than the parsing
 * itself (a 100 MB CSV scanned at 0.3–1.4 MB/s; the steps are per chunk now).
 */
import { createHash } from "node:crypto";
import { JSONParser } from "@streamparser/json";
import { parse as parseCsv } from "csv-parse";
import iconv from "iconv-lite";
import { SaxesParser } from "saxes";
import { completeLines, detectEncoding } from "../quality/indicators";

export type StructuredFormat = "CSV" | "JSON" | "XML";

/** The structured format a format in the platform's spelling (canonicalFormat) is read as, or null for formats not read here (PDF, XLSX, …). */
export function structuredFormat(format: string): StructuredFormat | null {
  if (format === "CSV") return "CSV";
  if (format === "JSON" || format === "GEOJSON") return "JSON";
  if (format === "XML" || format === "KML") return "XML";
  return null;
}

const HEAD_BYTES = 64 * 1024;

export interface DecodedText {
  /** UTF-8, or BIG-5 when the first bytes are not UTF-8 but are Big5. */
  encoding: "UTF-8" | "BIG-5";
  text: AsyncIterable<string>;
  /** Bytes read so far (all of them once `text` is consumed). */
  bytesRead(): number;
  /** The SHA-256 of every byte, hex, once `text` is consumed: what tells a changed file from the one loaded. */
  sha256(): string;
}

/** Decodes a byte stream, choosing the encoding from its first 64 KB (a BOM is dropped). */
export async function decodeText(source: AsyncIterable<Uint8Array>): Promise<DecodedText> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLength = 0;
  let done = false;
  while (headLength < HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(Buffer.from(next.value));
    headLength += next.value.length;
  }
  const first = Buffer.concat(head);
  const detected = detectEncoding(done ? first : completeLines(first));
  const encoding = detected === "BIG-5" ? "BIG-5" : "UTF-8";
  let bytes = first.length;
  const digest = createHash("sha256").update(first);
  let sha256: string | null = null;
  async function* text(): AsyncGenerator<string> {
    const decoder = iconv.getDecoder(encoding === "BIG-5" ? "big5" : "utf8");
    yield decoder.write(first);
    while (!done) {
      const next = await iterator.next();
      if (next.done) break;
      bytes += next.value.length;
      digest.update(next.value);
      yield decoder.write(Buffer.from(next.value));
    }
    sha256 = digest.digest("hex");
    const rest = decoder.end();
    if (rest) yield rest;
  }
  return {
    encoding,
    text: text(),
    bytesRead: () => bytes,
    sha256: () => {
      if (sha256 === null) throw new Error("the file has not been read to its end");
      return sha256;
    },
  };
}

/** One value of a file under the name of its column (CSV header, JSON key, XML element or @attribute). */
export interface Cell {
  column: string;
  value: string;
}

/** A CSV file's rows as records keyed by its header (the first row, names trimmed), a batch per chunk of text. */
export async function* csvRecords(text: AsyncIterable<string>): AsyncGenerator<Record<string, string>[]> {
  const parser = parseCsv({ columns: (header: string[]) => header.map((name) => name.trim()), relax_column_count: true, skip_empty_lines: true, bom: true });
  let failure: Error | null = null;
  parser.on("error", (error) => (failure = error));
  // The parser parses a whole chunk inside write() and buffers the records; read() hands them over at once.
  const parsed = () => {
    const batch: Record<string, string>[] = [];
    for (let record = parser.read(); record !== null; record = parser.read()) batch.push(record);
    if (failure) throw failure;
    return batch;
  };
  for await (const chunk of text) {
    parser.write(chunk);
    yield parsed();
  }
  parser.end();
  // What the parser holds back at the end (a last line without a newline) comes after end() returns.
  const rest: Record<string, string>[] = [];
  for await (const record of parser) rest.push(record);
  yield rest;
}

/**
 * Feeds text to a callback parser (JSON, XML) and yields what it produced for
 * each chunk: the parsers call back synchronously, so at most one chunk's
 * worth is held.
 */
async function* pushParsed<T>(text: AsyncIterable<string>, parser: { write(chunk: string): unknown; end(): unknown }, produced: T[]): AsyncGenerator<T[]> {
  for await (const chunk of text) {
    parser.write(chunk);
    yield produced.splice(0);
  }
  parser.end();
  yield produced.splice(0);
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const scalarText = (value: Json): string | null => (value === null || typeof value === "object" ? null : String(value));

/** A JSON file's records: the elements of its top-level array (objects; their scalar members become strings), a batch per chunk. */
export function jsonRecords(text: AsyncIterable<string>): AsyncGenerator<Record<string, string | null>[]> {
  const parser = new JSONParser({ paths: ["$.*"], keepStack: false });
  const records: Record<string, string | null>[] = [];
  parser.onValue = ({ value }) => {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      records.push(Object.fromEntries(Object.entries(value as Record<string, Json>).map(([key, member]) => [key, scalarText(member)])));
    }
  };
  return pushParsed(text, jsonFeed(parser), records);
}

/** Every scalar of a JSON file of any shape, under its nearest property name (array elements under their array's). */
function jsonCells(text: AsyncIterable<string>): AsyncGenerator<Cell[]> {
  const parser = new JSONParser({ keepStack: false });
  const cells: Cell[] = [];
  parser.onValue = ({ value, key, stack }) => {
    const scalar = value === undefined ? null : scalarText(value as Json);
    if (scalar === null) return;
    const named = typeof key === "string" ? key : [...stack].reverse().find((element) => typeof element.key === "string")?.key;
    cells.push({ column: typeof named === "string" ? named : "(value)", value: scalar });
  };
  return pushParsed(text, jsonFeed(parser), cells);
}

/** The parser ends by itself once the top-level value closes; ending it again would throw. */
const jsonFeed = (parser: JSONParser) => ({ write: (chunk: string) => parser.write(chunk), end: () => parser.isEnded || parser.end() });

/** Every text of an XML file under its element's name, and every attribute under @name. */
function xmlCells(text: AsyncIterable<string>): AsyncGenerator<Cell[]> {
  const parser = new SaxesParser();
  const cells: Cell[] = [];
  const open: string[] = [];
  parser.on("opentag", (tag) => {
    open.push(tag.name);
    for (const [name, value] of Object.entries(tag.attributes)) cells.push({ column: `@${name}`, value: String(value) });
  });
  parser.on("closetag", () => void open.pop());
  const onText = (value: string) => {
    if (open.length > 0 && value.trim()) cells.push({ column: open[open.length - 1], value: value.trim() });
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  return pushParsed(text, { write: (chunk: string) => parser.write(chunk), end: () => parser.close() }, cells);
}

/** Every non-empty cell of a structured file, in file order, a batch per chunk. */
export async function* cells(text: AsyncIterable<string>, format: StructuredFormat): AsyncGenerator<Cell[]> {
  if (format === "JSON") return yield* jsonCells(text);
  if (format === "XML") return yield* xmlCells(text);
  for await (const records of csvRecords(text)) {
    const batch: Cell[] = [];
    for (const record of records) for (const column in record) if (record[column]) batch.push({ column, value: record[column] });
    yield batch;
  }
}
