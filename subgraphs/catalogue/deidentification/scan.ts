/**
 * Scanning a structured file for personal data, streamed: each cell goes
 * through the rules (rules.ts) and is forgotten; what is kept per column is
 * a count per kind and a few masked samples, so a file of any size scans in
 * the memory of one chunk and one record.
 */
import { cells, decodeText, type StructuredFormat } from "../structured/read";
import { birthDateColumns, findPersonalData, isCalendarDay, mask, PersonalDataKind, type ColumnProfile } from "./rules";

const SAMPLES = 3;
/** Columns profiled at most (a JSON file may name a new property in every record); later ones are folded into the last. */
const MAX_COLUMNS = 1000;

/** Personal data of one kind in one column: how many values, and a few of them masked. */
export interface ColumnFinding {
  column: string;
  kind: PersonalDataKind;
  count: number;
  samples: string[];
}

export interface ScanReport {
  encoding: "UTF-8" | "BIG-5";
  bytes: number;
  /** The file's SHA-256 (hex). */
  sha256: string;
  /** Values read (non-empty cells). */
  values: number;
  findings: ColumnFinding[];
}

interface ColumnState extends ColumnProfile {
  found: Map<PersonalDataKind, { count: number; samples: string[] }>;
  daySamples: string[];
}

function note(state: ColumnState, kind: PersonalDataKind, text: string): void {
  let entry = state.found.get(kind);
  if (!entry) state.found.set(kind, (entry = { count: 0, samples: [] }));
  entry.count += 1;
  if (entry.samples.length < SAMPLES) entry.samples.push(mask(kind, text));
}

/** Scans a byte stream of a structured file; the findings come per column, in column order. */
export async function scanStructured(source: AsyncIterable<Uint8Array>, format: StructuredFormat): Promise<ScanReport> {
  const decoded = await decodeText(source);
  const columns = new Map<string, ColumnState>();
  let values = 0;
  for await (const batch of cells(decoded.text, format)) {
    for (const { column, value } of batch) {
      let state = columns.get(column);
      if (!state) {
        if (columns.size >= MAX_COLUMNS) state = [...columns.values()].at(-1)!;
        else columns.set(column, (state = { position: columns.size, name: column, values: 0, days: 0, found: new Map(), daySamples: [] }));
      }
      values += 1;
      state.values += 1;
      for (const match of findPersonalData(value)) note(state, match.kind, match.text);
      if (isCalendarDay(value)) {
        state.days += 1;
        if (state.daySamples.length < SAMPLES) state.daySamples.push(mask(PersonalDataKind.BIRTH_DATE, value.trim()));
      }
    }
  }
  const profiles = [...columns.values()];
  for (const column of birthDateColumns(profiles)) {
    const state = column as ColumnState;
    state.found.set(PersonalDataKind.BIRTH_DATE, { count: state.days, samples: state.daySamples });
  }
  const findings = profiles.flatMap((state) => [...state.found].map(([kind, { count, samples }]) => ({ column: state.name, kind, count, samples })));
  return { encoding: decoded.encoding, bytes: decoded.bytesRead(), sha256: decoded.sha256(), values, findings };
}
