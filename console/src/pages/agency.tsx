/** One agency's page, opened from the dashboard's table: its own progress, replies and latest datasets. */
import { Errors, useQuery } from "../hooks";
import { useWords } from "../i18n";
import { formatDay } from "../time";
import ops from "../operations/dashboard.graphql";
import type { Progress } from "../figures";
import { LiveBadge, number, OpenedPerYear, share, StrategyTiles, useProgressChanges } from "./dashboard";

interface AgencyPageData {
  agency: {
    code: string;
    name: string;
    nameEn: string;
    oid: string;
    progress: Progress | null;
    feedbackStats: { received: number; answered: number; answeredOnTime: number; overdue: number } | null;
    datasets: { totalCount: number; edges: { node: { id: string; agencyCode: string; identifier: string; title: string; issued: string } }[] } | null;
  } | null;
}

export function AgencyPage({ code, asOf }: { code: string; asOf?: string }) {
  const words = useWords();
  const result = useQuery<AgencyPageData>(ops.AgencyPage, { code, ...(asOf ? { asOf } : {}) });
  const state = useProgressChanges(result.reload, [code]);
  const agency = result.data?.agency;
  return (
    <div>
      <div class="title-row">
        <h1>{agency ? (words.lang === "en" ? agency.nameEn : agency.name) : code}</h1>
        <LiveBadge state={state} />
      </div>
      <Errors errors={result.errors} />
      {agency && (
        <>
          <p class="muted">
            {agency.code} · OID {agency.oid}
          </p>
          {agency.progress && <StrategyTiles figures={agency.progress.figures ?? []} />}
          {agency.progress && <OpenedPerYear progress={agency.progress} />}
          {agency.progress && (
            <section class="card">
              <h2>{words.repliedOnTime}</h2>
              <p>
                {share(agency.progress.repliedWithinDeadlineShare, words.lang)} · {words.overdueNow} {number(agency.progress.overdueNow, words.lang)}
              </p>
            </section>
          )}
          {agency.datasets && (
            <section class="card">
              <h2>
                {words.datasets} ({words.total(agency.datasets.totalCount)})
              </h2>
              <ul>
                {agency.datasets.edges.map(({ node }) => (
                  <li key={node.id}>
                    <a href={`#/datasets/${node.agencyCode}/${node.id}`}>{node.title}</a> <span class="muted">{formatDay(node.issued, words.lang)}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </div>
  );
}
