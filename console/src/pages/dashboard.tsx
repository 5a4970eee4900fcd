/**
 * The ministry dashboard: the four strategies against their targets, datasets
 * opened per year, the agencies side by side and the panel's agenda. Every
 * figure comes from the metrics projection; a progressChanged event makes the
 * page read them again (no polling, no reload).
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { openLive, type ConnectionState } from "../api";
import { OpenedPerYearChart } from "../chart";
import { Errors, useQuery, useSession } from "../hooks";
import { useWords } from "../i18n";
import { agencyName } from "../agencies";
import { formatDay, formatYear } from "../time";
import { badgeCounts, cumulative, sortAgencies, type AgencyRow, type Figure, type Progress, type SortKey } from "../figures";
import ops from "../operations/dashboard.graphql";

const STRATEGIES = ["EXPAND_OPEN_DATA", "IMPROVE_QUALITY", "COLLABORATE", "EVALUATE"] as const;

export const number = (value: number | null | undefined, lang: string, digits = 0) =>
  value === null || value === undefined ? "—" : value.toLocaleString(lang, { maximumFractionDigits: digits });
export const share = (value: number | null | undefined, lang: string) =>
  value === null || value === undefined ? "—" : value.toLocaleString(lang, { style: "percent", maximumFractionDigits: 1 });

/** Re-reads when the projection changes: one subscription, shared by the page's queries. */
export function useProgressChanges(reload: () => void, agencyCodes?: string[]): ConnectionState {
  const session = useSession();
  const [state, setState] = useState<ConnectionState>("connecting");
  useEffect(
    () =>
      openLive(
        session,
        [
          {
            operation: ops.ProgressChanged,
            variables: agencyCodes ? { agencyCodes } : {},
            next: () => {
              reload();
              return undefined;
            },
            // Changes made while it was away are not replayed: read everything again.
            resumed: reload,
          },
        ],
        setState,
      ),
    [session.token, JSON.stringify(agencyCodes)],
  );
  return state;
}

export function LiveBadge({ state }: { state: ConnectionState }) {
  const words = useWords();
  return (
    <span class={`live live-${state}`} role="status">
      {state === "live" ? words.live : state === "connecting" ? words.connecting : words.reconnecting}
    </span>
  );
}

export function StrategyTiles({ figures }: { figures: Figure[] }) {
  const words = useWords();
  return (
    <section class="tiles" aria-label={words.target}>
      {STRATEGIES.map((strategy, i) => {
        const ofStrategy = figures.filter((figure) => figure.strategy === strategy);
        return (
          <article class="tile" key={strategy} data-strategy={strategy}>
            <h2>
              {i + 1}. {words.strategies[strategy]}
            </h2>
            {/* An agency's page has no figure for the strategies measured ministry-wide (the advisory panel's). */}
            {ofStrategy.length === 0 && <p class="muted">{words.ministryWide}</p>}
            {ofStrategy.map((figure) => (
              <dl key={figure.indicator} data-indicator={figure.indicator}>
                <dt>{words.indicators[figure.indicator] ?? figure.indicator}</dt>
                <dd>
                  <span class="big">{number(figure.actual, words.lang, 1)}</span>
                  <span>{figure.target === null ? words.noTarget : `${words.target} ${number(figure.target, words.lang, 1)}`}</span>
                  {figure.gap !== null && (
                    <span class={figure.met ? "gap ahead" : "gap behind"}>
                      {words.gap} {figure.gap > 0 ? "+" : ""}
                      {number(figure.gap, words.lang, 1)}
                    </span>
                  )}
                </dd>
              </dl>
            ))}
          </article>
        );
      })}
    </section>
  );
}

export function OpenedPerYear({ progress }: { progress: Progress }) {
  const words = useWords();
  const counts = progress.openedByYear ?? [];
  const runningTotal = cumulative(counts);
  return (
    <section class="card">
      <h2>{words.openedPerYear}</h2>
      <p class="headline">
        {words.onPlatform} <strong data-figure="datasetsOnPlatform">{number(progress.datasetsOnPlatform, words.lang)}</strong>
        <span>
          {" "}
          ({words.asOf} {formatDay(progress.asOf, words.lang)}; {words.retired} {number(progress.datasetsRetired, words.lang)})
        </span>
      </p>
      <OpenedPerYearChart counts={counts} labels={{ year: words.year, opened: words.opened, cumulative: words.cumulative }} lang={words.lang} />
      <table class="years">
        <caption class="visually-hidden">{words.openedPerYear}</caption>
        <thead>
          <tr>
            <th scope="col">{words.year}</th>
            <th scope="col">{words.opened}</th>
            <th scope="col">{words.cumulative}</th>
          </tr>
        </thead>
        <tbody>
          {counts.map((entry, i) => (
            <tr key={entry.year} data-year={entry.year}>
              <th scope="row">{formatYear(entry.year, words.lang)}</th>
              <td>{number(entry.count, words.lang)}</td>
              <td>{number(runningTotal[i], words.lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function AgencyTable({ rows, asOf }: { rows: AgencyRow[]; asOf?: string }) {
  const words = useWords();
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: "name", descending: false });
  const sorted = useMemo(() => sortAgencies(rows, sort.key, sort.descending), [rows, sort]);
  const columns: [SortKey, string][] = [
    ["name", words.agency],
    ["datasets", words.datasets],
    ["badges", words.badgeDistribution],
    ["onTime", words.repliedOnTime],
    ["overdue", words.overdueNow],
    ["inventory", words.inventory],
  ];
  const open = (code: string) => (location.hash = `#/agencies/${code}${asOf ? `?asOf=${asOf}` : ""}`);
  return (
    <section class="card wide">
      <h2>{words.agenciesTable}</h2>
      <div class="scroll">
        <table class="agencies">
          <thead>
            <tr>
              {columns.map(([key, label]) => (
                <th key={key} scope="col" aria-sort={sort.key === key ? (sort.descending ? "descending" : "ascending") : "none"}>
                  <button type="button" onClick={() => setSort({ key, descending: sort.key === key ? !sort.descending : key !== "name" })}>
                    {label}
                    <span aria-hidden="true">{sort.key === key ? (sort.descending ? " ▼" : " ▲") : ""}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sorted.map((row) => (
              <tr key={row.code} data-agency={row.code} onClick={() => open(row.code)} class="clickable">
                <th scope="row">
                  <a href={`#/agencies/${row.code}${asOf ? `?asOf=${asOf}` : ""}`}>{words.lang === "en" ? row.nameEn : row.name}</a>
                </th>
                {row.progress ? (
                  <>
                    <td>{number(row.progress.datasetsOnPlatform, words.lang)}</td>
                    <td>
                      {badgeCounts(row.progress)
                        .map((badge) => `${badge.level === "UNCHECKED" ? words.notChecked : words.badges[badge.level]} ${number(badge.count, words.lang)}`)
                        .join("・") || "—"}
                    </td>
                    <td>{share(row.progress.repliedWithinDeadlineShare, words.lang)}</td>
                    <td class={row.progress.overdueNow > 0 ? "behind" : undefined}>{number(row.progress.overdueNow, words.lang)}</td>
                    <td>
                      {number(row.progress.inventoryPlanned, words.lang)} / {number(row.progress.inventoryOpened, words.lang)}
                    </td>
                  </>
                ) : (
                  <td colSpan={5}>{words.unavailable}</td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface PanelAgendaData {
  nextPanelMeeting: { id: string; heldOn: string; title: string } | null;
  panelResolutions: { id: string; text: string; dueOn: string | null; status: string; ownerAgency: { code: string } | null }[];
}

function PanelAgenda({ data }: { data: PanelAgendaData }) {
  const words = useWords();
  return (
    <section class="card">
      <h2>{words.panel}</h2>
      <h3>{words.nextMeeting}</h3>
      <p data-panel="next-meeting">
        {data.nextPanelMeeting ? `${formatDay(data.nextPanelMeeting.heldOn, words.lang)} ${data.nextPanelMeeting.title}` : words.noMeeting}
      </p>
      <h3>{words.openResolutions}</h3>
      {data.panelResolutions.length === 0 ? (
        <p>{words.none}</p>
      ) : (
        <ul class="resolutions">
          {data.panelResolutions.map((resolution) => (
            <li key={resolution.id}>
              {resolution.text}
              {resolution.ownerAgency && <span class="muted"> — {agencyName(resolution.ownerAgency.code, words.lang)}</span>}
              {resolution.dueOn && (
                <span class="muted">
                  {" "}
                  ({words.due} {formatDay(resolution.dueOn, words.lang)})
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Dashboard({ asOf }: { asOf?: string }) {
  const words = useWords();
  const variables = asOf ? { asOf } : {};
  const progress = useQuery<{ ministryProgress: Progress }>(ops.MinistryProgress, variables);
  const agencies = useQuery<{ agencies: AgencyRow[] }>(ops.AgencyTable, variables);
  const panel = useQuery<PanelAgendaData>(ops.PanelAgenda, {});
  const state = useProgressChanges(() => {
    progress.reload();
    agencies.reload();
    panel.reload();
  });
  const figures = progress.data?.ministryProgress;
  return (
    <div class="dashboard">
      <div class="title-row">
        <h1>{words.navDashboard}</h1>
        <LiveBadge state={state} />
      </div>
      <Errors errors={progress.errors} />
      {progress.loading && !figures && <p>{words.loading}</p>}
      {figures && (
        <>
          <StrategyTiles figures={figures.figures ?? []} />
          <OpenedPerYear progress={figures} />
        </>
      )}
      <Errors errors={agencies.errors} />
      {agencies.data?.agencies && <AgencyTable rows={agencies.data.agencies} asOf={asOf} />}
      <Errors errors={panel.errors} />
      {panel.data && <PanelAgenda data={panel.data} />}
    </div>
  );
}
