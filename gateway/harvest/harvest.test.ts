import type { CatalogueReader, DatasetPage, DatasetQuery, HarvestDataset } from "./catalogue";
import { CkanError, ckanTimestamp, identifiersFor, packageName, readPackageSearch } from "./ckan";
import { PackageSearcher } from "./package-search";
import { formatIris, frequencyIri, languageIri } from "./vocabularies";

const EU = "http://publications.europa.eu/resource/authority";

describe("the metadata standard's words in shared vocabularies", () => {
  test.each([
    ["每1年", `${EU}/frequency/ANNUAL`],
    ["每1月", `${EU}/frequency/MONTHLY`],
    ["每3月", `${EU}/frequency/QUARTERLY`],
    ["每6月", `${EU}/frequency/ANNUAL_2`],
    ["每1週", `${EU}/frequency/WEEKLY`],
    ["每1日", `${EU}/frequency/DAILY`],
    ["每1時", `${EU}/frequency/HOURLY`],
    ["不定期更新", `${EU}/frequency/IRREG`],
  ])("update frequency %s is %s", (periodicity, iri) => {
    expect(frequencyIri(periodicity)).toBe(iri);
  });

  test.each(["每3分", "每7年", "每週", "weekly"])("%s has no EU code (a local concept keeps its words)", (periodicity) => {
    expect(frequencyIri(periodicity)).toBeUndefined();
  });

  test("formats in any spelling map to the EU file type and the IANA media type; unknown ones to nothing", () => {
    expect(formatIris("csv")).toEqual({ fileType: `${EU}/file-type/CSV`, mediaType: "https://www.iana.org/assignments/media-types/text/csv", mimeType: "text/csv" });
    expect(formatIris("JSON-LD")?.fileType).toBe(`${EU}/file-type/JSON_LD`);
    expect(formatIris("GeoJSON")?.mimeType).toBe("application/geo+json");
    expect(formatIris("SHAPEFILE")).toBeUndefined();
  });

  test("languages: Chinese in any region or script, English; others unknown", () => {
    expect(languageIri("zh-TW")).toBe(`${EU}/language/ZHO`);
    expect(languageIri("zh_Hant")).toBe(`${EU}/language/ZHO`);
    expect(languageIri("en")).toBe(`${EU}/language/ENG`);
    expect(languageIri("ja")).toBeUndefined();
    expect(languageIri(null)).toBeUndefined();
  });
});

describe("CKAN's words", () => {
  test("names are identifiers in lower case; a name leads back to its identifier", () => {
    expect(packageName("A41000000G-000001")).toBe("a41000000g-000001");
    expect(packageName("ACA 統計/1")).toBe("aca----1");
    expect(identifiersFor("a41000000g-000001")).toEqual(["a41000000g-000001", "A41000000G-000001"]);
    expect(identifiersFor("ACA-000001")).toEqual(["ACA-000001"]);
  });

  test("instants as CKAN writes them: UTC, no zone, microseconds", () => {
    expect(ckanTimestamp("2018-01-15T00:00:00Z")).toBe("2018-01-15T00:00:00.000000");
    expect(ckanTimestamp("2018-01-15T08:30:00+08:00")).toBe("2018-01-15T00:30:00.000000");
  });

  const every = ["MOJ", "ACA", "AAC"];

  test("package_search's defaults: all agencies, 10 rows from the start, CKAN's default sort", () => {
    expect(readPackageSearch({}, every)).toEqual({ query: { orderBy: "MODIFIED_DESC" }, rows: 10, start: 0, sort: "score desc, metadata_modified desc" });
    expect(readPackageSearch({ q: "*:*", rows: "100", start: "200", sort: "id asc" }, every)).toMatchObject({ query: { orderBy: "PUBLISHED_ASC" }, rows: 100, start: 200 });
    expect(readPackageSearch({ q: " 收容人數 " }, every).query.search).toBe("收容人數");
  });

  test("fq as ckanext-harvest sends it: organizations included (OR) or excluded, changes since an instant, a format", () => {
    expect(readPackageSearch({ fq: "organization:aca OR organization:aac" }, every).query.agencyCodes).toEqual(["ACA", "AAC"]);
    expect(readPackageSearch({ fq: "-organization:aca -organization:aac" }, every).query.agencyCodes).toEqual(["MOJ"]);
    expect(readPackageSearch({ fq: "organization:nobody" }, every).query.agencyCodes).toEqual([]);
    expect(readPackageSearch({ fq: "owner_org:2.16.886.101.20003.20006.20137" }, every).query.agencyCodes).toEqual(["ACA"]);
    const since = readPackageSearch({ fq: "metadata_modified:[2026-12-01T01:00:00.123456Z TO *] +dataset_type:dataset", sort: "id asc" }, every);
    expect(since).toMatchObject({ modifiedSince: "2026-12-01T01:00:00.123Z", query: { orderBy: "MODIFIED_DESC" } });
    expect(readPackageSearch({ fq: "res_format:CSV" }, every).query.format).toBe("CSV");
  });

  test.each([
    [{ fq: "groups:justice" }, 400, "Search Query Error"],
    [{ fq: "metadata_modified:[yesterday TO *]" }, 400, "Search Query Error"],
    [{ fq: "justice" }, 400, "Search Query Error"],
    [{ rows: 1001 }, 409, "Validation Error"],
    [{ start: -1 }, 409, "Validation Error"],
    [{ rows: "ten" }, 409, "Validation Error"],
    [{ sort: "views_recent desc" }, 409, "Validation Error"],
  ])("refuses %p with HTTP %d (%s), never answering a wider question", (params, status, type) => {
    let refusal: unknown;
    try {
      readPackageSearch(params, every);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(CkanError);
    expect(refusal).toMatchObject({ status, type });
  });
});

describe("package_search over keyset pages", () => {
  /** A catalogue of n datasets whose cursor is the position; it counts the datasets it reads. */
  function fakeReader(n: number) {
    const all = Array.from({ length: n }, (_, i) => ({ id: `d${i}`, modified: new Date(Date.UTC(2026, 0, 1) - i * 86_400_000).toISOString() }) as HarvestDataset);
    const reads = { datasets: 0 };
    const page = async (_query: DatasetQuery, first: number, after: string | null): Promise<DatasetPage> => {
      const from = after ? Number(after) : 0;
      const datasets = all.slice(from, from + first);
      reads.datasets += datasets.length;
      return { totalCount: n, datasets, hasNextPage: from + first < n, endCursor: datasets.length ? String(from + datasets.length) : null };
    };
    const reader = {
      page,
      async *pages(query: DatasetQuery) {
        for (let cursor: string | null = null; ; ) {
          const next = await page(query, 100, cursor);
          yield next;
          if (!next.hasNextPage) return;
          cursor = next.endCursor;
        }
      },
    } as unknown as CatalogueReader;
    return { reader, reads };
  }
  const search = (start: number, rows: number, extra: object = {}) => ({ query: { orderBy: "PUBLISHED_ASC" as const }, rows, start, sort: "id asc", ...extra });

  test("a harvester paging start += rows reads each dataset once, and the page after the last costs one empty read", async () => {
    const { reader, reads } = fakeReader(250);
    const searcher = new PackageSearcher(reader);
    const seen: string[] = [];
    for (let start = 0; ; start += 100) {
      const { count, results } = await searcher.search(search(start, 100));
      expect(count).toBe(250);
      if (results.length === 0) break;
      seen.push(...results.map((dataset) => dataset.id));
    }
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => `d${i}`));
    expect(reads.datasets).toBe(250);
  });

  test("a start with no bookmark walks to it and answers exactly that window", async () => {
    const { reader } = fakeReader(250);
    const { results } = await new PackageSearcher(reader).search(search(137, 5));
    expect(results.map((dataset) => dataset.id)).toEqual(["d137", "d138", "d139", "d140", "d141"]);
  });

  test("bookmarks expire", async () => {
    const { reader, reads } = fakeReader(250);
    let now = 0;
    const searcher = new PackageSearcher(reader, () => now);
    await searcher.search(search(0, 100));
    now = 16 * 60_000;
    reads.datasets = 0;
    await searcher.search(search(100, 100));
    expect(reads.datasets).toBe(200);
  });

  test("changes since an instant: newest first, stopping at the first older dataset", async () => {
    const { reader, reads } = fakeReader(250);
    const since = new Date(Date.UTC(2026, 0, 1) - 9.5 * 86_400_000).toISOString();
    const { count, results } = await new PackageSearcher(reader).search(search(2, 3, { modifiedSince: since }));
    expect(count).toBe(10);
    expect(results.map((dataset) => dataset.id)).toEqual(["d2", "d3", "d4"]);
    expect(reads.datasets).toBe(100);
  });

  test("no agency asked: nothing read", async () => {
    const { reader, reads } = fakeReader(5);
    expect(await new PackageSearcher(reader).search({ ...search(0, 10), query: { orderBy: "PUBLISHED_ASC", agencyCodes: [] } })).toEqual({ count: 0, results: [] });
    expect(reads.datasets).toBe(0);
  });
});
