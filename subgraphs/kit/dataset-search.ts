/**
 * Text search over datasets' titles and descriptions, in Chinese as in
 * English: a dataset matches when the query is a substring of its title or
 * description (case-insensitive). A bigram index narrows the rows; ILIKE
 * confirms. Queries of one character are answered by ILIKE alone. The
 * catalogue's shards and metrics' index (one table for every agency) search
 * alike: same function, same index expression, same filter.
 *
 * Why not pg_trgm or the built-in full-text search: PostgreSQL's parser does
 * not segment Chinese, and pg_trgm finds no trigrams in CJK text under the C
 * locale (GovGraph's databases use it, so keys sort byte-wise). Character
 * bigrams do neither: every two-character substring of the title and
 * description, in a GIN index; a query's bigrams must all be present.
 */
import { sql, SqlFragment } from "./sql";

const CONTENT = "title || ' ' || description";
const CONTENT_SQL = new SqlFragment(CONTENT, []);

/** The SQL function the bigram index is built on (one per database: the migrations create it). */
export const DATASET_BIGRAMS_FUNCTION = `
  create function dataset_bigrams(content text) returns text[] language sql immutable parallel safe as $$
    select coalesce(array_agg(distinct substr(lower(content), i, 2)), '{}')
    from generate_series(1, greatest(char_length(content) - 1, 0)) as i
  $$;`;

/** The GIN index over `table`'s titles and descriptions. */
export const datasetSearchIndex = (name: string, table: string) => `create index ${name} on ${table} using gin (dataset_bigrams(${CONTENT}));`;

/** Escapes LIKE's wildcards, so a query is taken literally. */
export function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The condition over a table with the title and description columns. */
export function searchFilter(query: string): SqlFragment {
  const term = query.trim();
  return sql`dataset_bigrams(${CONTENT_SQL}) @> dataset_bigrams(${term}) and (${CONTENT_SQL}) ilike ${likePattern(term)}`;
}
