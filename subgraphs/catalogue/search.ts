/**
 * Text search over titles and descriptions, in Chinese as in English: a
 * dataset matches when the query is a substring of its title or description
 * (case-insensitive). The bigram index (migrations.ts) narrows the rows;
 * ILIKE confirms. Queries of one character are answered by ILIKE alone.
 */
import { raw, type FilterQuery } from "@mikro-orm/postgresql";
import type { Dataset } from "./entities";

const CONTENT = "title || ' ' || description";

/** Escapes LIKE's wildcards, so a query is taken literally. */
export function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

export function searchFilter(query: string): FilterQuery<Dataset> {
  const term = query.trim();
  return {
    $and: [
      { [raw(`dataset_bigrams(${CONTENT}) @> dataset_bigrams(?)`, [term])]: true },
      { [raw(`(${CONTENT}) ilike ?`, [likePattern(term)])]: true },
    ],
  } as FilterQuery<Dataset>;
}
