/**
 * The national open data platform's dataset list (CSV, UTF-8 with BOM, the
 * 22 columns of ../shared/design/DOMAIN.md in this order; multi-resource fields joined with
 * ";" in resource order), read into registerDataset inputs and written from
 * datasets. Plain functions: no database here.
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { RegisterDatasetInput, ResourceInput } from "./inputs";
import type { Dataset, Resource } from "./entities";

/** The header, exactly (the doubled 資 of column 9 is in the real header). */
export const PLATFORM_COLUMNS = [
  "資料集識別碼", "資料集名稱", "資料提供屬性", "服務分類", "品質檢測", "檔案格式", "資料下載網址",
  "編碼格式", "資資料集上架方式", "資料集描述", "主要欄位說明", "提供機關", "更新頻率", "授權方式",
  "相關網址", "計費方式", "提供機關聯絡人姓名", "提供機關聯絡人電話", "上架日期",
  "詮釋資料更新時間", "備註", "資料量",
] as const;

const BOM = "\uFEFF";
const RESOURCE_SEPARATOR = ";";

export interface PlatformRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  cells: string[];
}

/** Splits a file into rows; throws when the header is not the platform's. */
export function readPlatformCsv(text: string): PlatformRow[] {
  const records = parse(text, { bom: true, relax_column_count: true, info: true, skip_empty_lines: true }) as unknown as { record: string[]; info: { lines: number } }[];
  const [header, ...rows] = records;
  const expected = PLATFORM_COLUMNS.join(",");
  if (!header || header.record.map((cell) => cell.trim()).join(",") !== expected) {
    throw new Error(`The first line must be the platform's 22-column header:\n${expected}\nfound:\n${header?.record.join(",") ?? "(empty file)"}`);
  }
  return rows.map(({ record, info }) => ({ line: info.lines - countLineBreaks(record), cells: record }));
}

/** A record spanning several lines (a quoted cell with line breaks) started that many lines before its last. */
function countLineBreaks(record: string[]): number {
  return record.reduce((sum, cell) => sum + (cell.match(/\n/g)?.length ?? 0), 0);
}

/** Taipei wall-clock time, as the platform writes 詮釋資料更新時間. */
function formatTaipei(instant: Date): string {
  return instant.toLocaleString("sv-SE", { timeZone: "Asia/Taipei" });
}

function parseTaipei(text: string): Date | null {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2})?)$/.exec(text.trim());
  if (!match) return null;
  return new Date(`${match[1]}T${match[2].length === 5 ? `${match[2]}:00` : match[2]}+08:00`);
}

const optional = (cell: string | undefined) => (cell === undefined || cell.trim() === "" ? undefined : cell);

/**
 * A row as a registerDataset input of `agencyCode`, or the reasons it cannot
 * be one (a wrong number of cells, resource lists of different lengths, a
 * date that is not a date). Field validation is the input's own.
 */
export function rowToInput(row: PlatformRow, agencyCode: string): { input: RegisterDatasetInput } | { problems: string[] } {
  const cell = (column: (typeof PLATFORM_COLUMNS)[number]) => row.cells[PLATFORM_COLUMNS.indexOf(column)];
  if (row.cells.length !== PLATFORM_COLUMNS.length) return { problems: [`has ${row.cells.length} cells; the list has ${PLATFORM_COLUMNS.length} columns`] };
  const problems: string[] = [];
  const split = (column: (typeof PLATFORM_COLUMNS)[number]) => (optional(cell(column)) ? cell(column).split(RESOURCE_SEPARATOR) : []);
  const formats = split("檔案格式");
  const urls = split("資料下載網址");
  const encodings = split("編碼格式");
  const sizes = split("資料量");
  if (urls.length !== formats.length || encodings.length !== formats.length || (sizes.length > 0 && sizes.length !== formats.length)) {
    problems.push(`檔案格式, 資料下載網址, 編碼格式 and 資料量 list ${formats.length}, ${urls.length}, ${encodings.length} and ${sizes.length} resources: they must list the same resources`);
  }
  const issued = cell("上架日期").trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(issued)) problems.push(`上架日期 "${issued}" is not a day YYYY-MM-DD`);
  const modifiedText = optional(cell("詮釋資料更新時間"));
  const modified = modifiedText ? parseTaipei(modifiedText) : undefined;
  if (modified === null) problems.push(`詮釋資料更新時間 "${modifiedText}" is not a time YYYY-MM-DD HH:mm:ss`);
  if (problems.length > 0) return { problems };

  const title = cell("資料集名稱");
  const input = Object.assign(new RegisterDatasetInput(), {
    agencyCode,
    identifier: cell("資料集識別碼"),
    title,
    description: cell("資料集描述"),
    category: cell("服務分類"),
    accrualPeriodicity: cell("更新頻率"),
    issued,
    modified: modified ?? undefined,
    providerAttribute: optional(cell("資料提供屬性")),
    qualityBadge: optional(cell("品質檢測")),
    listingMethod: optional(cell("資資料集上架方式")),
    fieldDescription: optional(cell("主要欄位說明")),
    organization: optional(cell("提供機關")),
    license: optional(cell("授權方式")),
    landingPage: optional(cell("相關網址")),
    cost: optional(cell("計費方式")),
    contactName: optional(cell("提供機關聯絡人姓名")),
    contactPhone: optional(cell("提供機關聯絡人電話")),
    notes: optional(cell("備註")),
    resources: formats.map((format, i) =>
      Object.assign(new ResourceInput(), { description: title, format, downloadUrl: urls[i], encoding: encodings[i], size: optional(sizes[i]) }),
    ),
  });
  return { input };
}

/** The platform's CSV of these datasets (each with its resources in order), BOM and header included. */
export function formatPlatformCsv(datasets: readonly { dataset: Dataset; resources: readonly Resource[] }[]): string {
  const rows = datasets.map(({ dataset, resources }) => {
    const join = (pick: (resource: Resource) => string | undefined) => resources.map((resource) => pick(resource) ?? "").join(RESOURCE_SEPARATOR);
    const values: Record<(typeof PLATFORM_COLUMNS)[number], string | undefined> = {
      資料集識別碼: dataset.identifier,
      資料集名稱: dataset.title,
      資料提供屬性: dataset.providerAttribute,
      服務分類: dataset.category,
      品質檢測: dataset.qualityBadge,
      檔案格式: join((r) => r.format),
      資料下載網址: join((r) => r.downloadUrl),
      編碼格式: join((r) => r.encoding),
      資資料集上架方式: dataset.listingMethod,
      資料集描述: dataset.description,
      主要欄位說明: dataset.fieldDescription,
      提供機關: dataset.organization,
      更新頻率: dataset.accrualPeriodicity,
      授權方式: dataset.license,
      相關網址: dataset.landingPage,
      計費方式: dataset.cost,
      提供機關聯絡人姓名: dataset.contactName,
      提供機關聯絡人電話: dataset.contactPhone,
      上架日期: dataset.issued,
      詮釋資料更新時間: formatTaipei(dataset.modified),
      備註: dataset.notes,
      資料量: resources.some((r) => r.size) ? join((r) => r.size) : "",
    };
    return PLATFORM_COLUMNS.map((column) => values[column] ?? "");
  });
  return BOM + stringify([[...PLATFORM_COLUMNS], ...rows], { record_delimiter: "\r\n" });
}
