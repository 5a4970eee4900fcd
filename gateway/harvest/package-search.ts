/**
 * package_search over a keyset connection. CKAN pages by offset (start,
 * rows); the catalogue pages by cursor. A harvester asks for start=0, 100,
 * 200… in turn, so each answer leaves a bookmark (the cursor where it ended,
 * kept a while) and the next page starts from there: sequential paging
 * reads each dataset once, and datasets published meanwhile shift no page
 * (keyset, not offset). A start with no bookmark is reached by walking from
 * the beginning. A metadata_modified filter walks newest first and stops at
 * the first older dataset.
 */
import { CatalogueReader, MAX_PAGE, type HarvestDataset } from "./catalogue";
import type { PackageSearch } from "./ckan";

/** Bookmarks kept: enough for many harvesters paging at once; each is one cursor string. */
const MAX_BOOKMARKS = 2000;
/** A bookmark older than this is dropped: a harvest run reads its pages within minutes. */
const BOOKMARK_TTL_MS = 15 * 60_000;

export interface SearchResult {
  count: number;
  results: HarvestDataset[];
}

export class PackageSearcher {
  private readonly bookmarks = new Map<string, { cursor: string; at: number }>();

  constructor(
    private readonly reader: CatalogueReader,
    private readonly now: () => number = Date.now,
  ) {}

  async search(search: PackageSearch): Promise<SearchResult> {
    if (search.query.agencyCodes?.length === 0) return { count: 0, results: [] };
    return search.modifiedSince ? this.modifiedSince(search, search.modifiedSince) : this.window(search);
  }

  private key(search: PackageSearch, offset: number): string {
    return `${JSON.stringify(search.query)}@${offset}`;
  }

  private bookmark(search: PackageSearch, offset: number): string | null {
    const key = this.key(search, offset);
    const found = this.bookmarks.get(key);
    if (!found || this.now() - found.at > BOOKMARK_TTL_MS) return null;
    return found.cursor;
  }

  private remember(search: PackageSearch, offset: number, cursor: string): void {
    const key = this.key(search, offset);
    this.bookmarks.delete(key);
    this.bookmarks.set(key, { cursor, at: this.now() });
    // Maps keep insertion order: the first key is the oldest.
    while (this.bookmarks.size > MAX_BOOKMARKS) this.bookmarks.delete(this.bookmarks.keys().next().value!);
  }

  private async window(search: PackageSearch): Promise<SearchResult> {
    const bookmarked = search.start > 0 ? this.bookmark(search, search.start) : null;
    let offset = bookmarked ? search.start : 0;
    let cursor = bookmarked;
    let count = 0;
    let ended = false;
    const results: HarvestDataset[] = [];
    // Pages sized so one ends exactly at `start`, then pages of the window; at least one read, for the count.
    do {
      const wanted = offset < search.start ? search.start - offset : search.rows - results.length;
      const page = await this.reader.page(search.query, Math.max(1, Math.min(MAX_PAGE, wanted)), cursor);
      count = page.totalCount;
      if (offset >= search.start) results.push(...page.datasets.slice(0, search.rows - results.length));
      offset += page.datasets.length;
      cursor = page.endCursor ?? cursor;
      ended = !page.hasNextPage;
    } while (!ended && offset < search.start + search.rows);
    if (cursor && offset === search.start + results.length) {
      this.remember(search, offset, cursor);
      // The page after the last: a harvester asks for it to learn it is empty.
      if (ended) this.remember(search, search.start + search.rows, cursor);
    }
    return { count, results };
  }

  private async modifiedSince(search: PackageSearch, since: string): Promise<SearchResult> {
    const from = Date.parse(since);
    let count = 0;
    const results: HarvestDataset[] = [];
    for await (const page of this.reader.pages(search.query)) {
      for (const dataset of page.datasets) {
        if (Date.parse(dataset.modified) < from) return { count, results };
        if (count >= search.start && results.length < search.rows) results.push(dataset);
        count += 1;
      }
    }
    return { count, results };
  }
}
