/**
 * Dataset pages: every agency's datasets as one searchable list (the merged
 * connection, page by page), and a dataset with its metadata, resources,
 * quality badge with each indicator and its history, public comments with
 * the agency's published replies, and a form to comment on it.
 */
import { useEffect, useState } from "preact/hooks";
import { request, type ApiError } from "../api";
import { agencyName } from "../agencies";
import { COMMENT_TYPES } from "../../../contract/comment-types";
import { AgencySelect, Errors, useQuery, useSession, Field } from "../hooks";
import { useWords, type Lang } from "../i18n";
import { dayInTaipei, formatDay, formatPeriodicity } from "../time";
import { categoryName, commentTypeName } from "../vocabulary";
import ops from "../operations/datasets.graphql";

type Badge = "PLATINUM" | "GOLD" | "SILVER" | "BRONZE" | "NONE";
type Indicators = Record<"linkValidity" | "directDownload" | "structuredFormat" | "encodingMatch" | "fieldsMatch" | "timeliness" | "replyEfficiency", boolean | null>;

interface ListItem {
  id: string;
  agencyCode: string;
  identifier: string;
  title: string;
  category: string;
  issued: string;
  quality: { level: Badge } | null;
}

interface ListData {
  datasets: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: ListItem }[] };
}

export function BadgeMark({ level }: { level: Badge | undefined }) {
  const words = useWords();
  return <span class={`badge badge-${(level ?? "none").toLowerCase()}`}>{level ? words.badges[level] : words.notChecked}</span>;
}

export function DatasetList() {
  const words = useWords();
  const session = useSession();
  const [search, setSearch] = useState("");
  const [agency, setAgency] = useState("");
  const [pages, setPages] = useState<{ items: ListItem[]; total: number; next: string | null }>();
  const [errors, setErrors] = useState<ApiError[]>();

  const load = async (after: string | null, query = { search, agency }) => {
    const result = await request<ListData>(session, ops.DatasetList, {
      ...(query.search ? { search: query.search } : {}),
      ...(query.agency ? { agencyCodes: [query.agency] } : {}),
      after,
    });
    setErrors(result.errors);
    const connection = result.data?.datasets;
    if (!connection) return;
    setPages((earlier) => ({
      items: [...(after && earlier ? earlier.items : []), ...connection.edges.map((edge) => edge.node)],
      total: connection.totalCount,
      next: connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null,
    }));
  };
  useEffect(() => void load(null), []);

  return (
    <div>
      <h1>{words.navDatasets}</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          void load(null);
        }}
      >
        <Field label={words.search}>
          {(id) => (
            <input id={id} type="search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
          )}
        </Field>
        <AgencySelect label={words.filterAgency} value={agency} onChange={setAgency} anyLabel={words.all} />
        <button type="submit">{words.searchButton}</button>
      </form>
      <Errors errors={errors} />
      {pages && (
        <>
          <p data-total={pages.total}>{words.total(pages.total)}</p>
          <ul class="datasets">
            {pages.items.map((item) => (
              <li key={`${item.agencyCode}/${item.id}`}>
                <a href={`#/datasets/${item.agencyCode}/${item.id}`}>{item.title}</a>
                <span class="muted">
                  {" "}
                  {agencyName(item.agencyCode, words.lang)} · {categoryName(item.category, words.lang)} · {formatDay(item.issued, words.lang)}
                </span>{" "}
                <BadgeMark level={item.quality?.level} />
              </li>
            ))}
          </ul>
          {pages.next && (
            <button type="button" onClick={() => void load(pages.next)}>
              {words.nextPage}
            </button>
          )}
        </>
      )}
    </div>
  );
}

interface DatasetData {
  dataset: {
    id: string;
    agencyCode: string;
    identifier: string;
    title: string;
    description: string;
    category: string;
    type: string;
    license: string;
    accrualPeriodicity: string;
    issued: string;
    modified: string;
    organization: string | null;
    contactName: string | null;
    contactPhone: string | null;
    keywords: string[];
    lifecycleState: string;
    quality: { level: Badge; checkedAt: string; indicators: Indicators } | null;
    resources: {
      id: string;
      resourceId: string;
      description: string;
      format: string;
      encoding: string;
      downloadUrl: string;
      checks: { id: string; checkedAt: string; detail: string | null; indicators: Indicators }[];
    }[];
  } | null;
  agencyFeedback: {
    totalCount: number;
    edges: {
      node: {
        id: string;
        commentType: string;
        title: string;
        body: string;
        receivedAt: string;
        deadlineState: string;
        replies: { id: string; author: "AGENCY" | "CITIZEN"; body: string; publishedAt: string | null }[];
      };
    }[];
  } | null;
}

const INDICATORS = ["linkValidity", "directDownload", "structuredFormat", "encodingMatch", "fieldsMatch", "timeliness", "replyEfficiency"] as const;

function IndicatorList({ indicators }: { indicators: Indicators }) {
  const words = useWords();
  return (
    <ul class="indicators">
      {INDICATORS.map((name) => {
        const value = indicators[name];
        return (
          <li key={name} class={value === true ? "pass" : value === false ? "fail" : "unknown"}>
            <span aria-hidden="true">{value === true ? "✔" : value === false ? "✘" : "?"}</span> {words.qualityIndicators[name]}：
            {value === true ? words.pass : value === false ? words.fail : words.unknown}
          </li>
        );
      })}
    </ul>
  );
}

const when = (instant: string, lang: Lang) => formatDay(dayInTaipei(new Date(instant)), lang);

export function DatasetPage({ agencyCode, id }: { agencyCode: string; id: string }) {
  const words = useWords();
  const result = useQuery<DatasetData>(ops.DatasetPage, { agencyCode, id });
  const dataset = result.data?.dataset;
  const comments = result.data?.agencyFeedback?.edges.map((edge) => edge.node) ?? [];
  return (
    <div>
      <Errors errors={result.errors} />
      {result.loading && <p>{words.loading}</p>}
      {dataset && (
        <>
          <h1>{dataset.title}</h1>
          <p>
            <BadgeMark level={dataset.quality?.level} /> {agencyName(dataset.agencyCode, words.lang)}
          </p>
          <p>{dataset.description}</p>
          <section class="card">
            <h2>{words.metadata}</h2>
            <dl class="metadata">
              <dt>{words.identifier}</dt>
              <dd>{dataset.identifier}</dd>
              <dt>{words.category}</dt>
              <dd>{categoryName(dataset.category, words.lang)}</dd>
              <dt>{words.periodicity}</dt>
              <dd>{formatPeriodicity(dataset.accrualPeriodicity, words.lang)}</dd>
              <dt>{words.issued}</dt>
              <dd>{formatDay(dataset.issued, words.lang)}</dd>
              <dt>{words.license}</dt>
              <dd>{dataset.license}</dd>
              <dt>{words.contact}</dt>
              <dd>{[dataset.organization, dataset.contactName, dataset.contactPhone].filter(Boolean).join(" · ") || "—"}</dd>
            </dl>
          </section>
          <section class="card">
            <h2>{words.quality}</h2>
            {dataset.quality ? (
              <>
                <p>
                  <BadgeMark level={dataset.quality.level} /> {when(dataset.quality.checkedAt, words.lang)}
                </p>
                <IndicatorList indicators={dataset.quality.indicators} />
              </>
            ) : (
              <p>{words.notChecked}</p>
            )}
          </section>
          <section class="card">
            <h2>{words.resources}</h2>
            {dataset.resources.map((resource) => (
              <article key={resource.id} class="resource">
                <h3>
                  {resource.description} <span class="tag">{resource.format}</span> <span class="muted">{resource.encoding}</span>
                </h3>
                <p>
                  <a href={resource.downloadUrl} rel="noreferrer">
                    {resource.downloadUrl}
                  </a>
                </p>
                {resource.checks.length > 0 && (
                  <details>
                    <summary>{words.checkHistory}</summary>
                    {resource.checks.map((check) => (
                      <div key={check.id}>
                        <p>
                          {when(check.checkedAt, words.lang)} {check.detail ?? ""}
                        </p>
                        <IndicatorList indicators={check.indicators} />
                      </div>
                    ))}
                  </details>
                )}
              </article>
            ))}
          </section>
          <section class="card">
            <h2>
              {words.comments} ({comments.length})
            </h2>
            {comments.length === 0 && <p>{words.noDatasetComments}</p>}
            {comments.map((comment) => (
              <article key={comment.id} class="comment" data-feedback={comment.id}>
                <h3>{comment.title}</h3>
                <p class="muted">
                  {when(comment.receivedAt, words.lang)} · {commentTypeName(comment.commentType, words.lang)}
                </p>
                <p>{comment.body}</p>
                {comment.replies
                  .filter((reply) => reply.publishedAt)
                  .map((reply) => (
                    <blockquote key={reply.id} class={reply.author === "AGENCY" ? "reply agency" : "reply citizen"}>
                      <strong>{reply.author === "AGENCY" ? words.agencyReply : words.citizenReply}</strong> {when(reply.publishedAt!, words.lang)}
                      <p>{reply.body}</p>
                    </blockquote>
                  ))}
              </article>
            ))}
          </section>
          <CommentForm agencyCode={dataset.agencyCode} datasetId={dataset.id} onSubmitted={result.reload} />
        </>
      )}
    </div>
  );
}

/** The API's idempotencyKey: one per comment written, so that sending it again after a lost answer stores it once. */
const newCommentKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");

const EMPTY_COMMENT = { email: "", commentType: COMMENT_TYPES[0] as string, title: "", body: "" };

/**
 * Anyone may comment on a dataset (signed in or not). The form does not judge
 * the input itself: the API's reasons are shown in words. A changed comment
 * gets a new key; the same one sent again (the answer lost on the way) keeps
 * its key, so it is stored once.
 */
function CommentForm({ agencyCode, datasetId, onSubmitted }: { agencyCode: string; datasetId: string; onSubmitted(): void }) {
  const words = useWords();
  const session = useSession();
  const [comment, setComment] = useState(EMPTY_COMMENT);
  const [key, setKey] = useState(newCommentKey);
  const [errors, setErrors] = useState<ApiError[]>();
  const [busy, setBusy] = useState(false);
  const [lastReplyDay, setLastReplyDay] = useState<string>();
  const edit = (field: keyof typeof EMPTY_COMMENT) => (event: Event) => {
    setComment({ ...comment, [field]: (event.target as HTMLInputElement).value });
    setKey(newCommentKey());
    setLastReplyDay(undefined);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const result = await request<{ submitFeedback: { feedback: { id: string; lastReplyDay: string } } | null }>(session, ops.SubmitComment, {
      input: { agencyCode, datasetId, ...comment, idempotencyKey: key },
    });
    setBusy(false);
    setErrors(result.errors);
    const stored = result.data?.submitFeedback?.feedback;
    if (!stored) return;
    setLastReplyDay(stored.lastReplyDay);
    setComment({ ...EMPTY_COMMENT, email: comment.email });
    setKey(newCommentKey());
    onSubmitted();
  };

  return (
    <section class="card" aria-labelledby="comment-form">
      <h2 id="comment-form">{words.commentFormTitle}</h2>
      <p class="muted">{words.commentFormHelp}</p>
      <form class="comment-form" noValidate onSubmit={submit}>
        <Field label={words.email}>
          {(id) => <input id={id} type="email" autoComplete="email" value={comment.email} onInput={edit("email")} />}
        </Field>
        <Field label={words.commentType}>
          {(id) => (
            <select id={id} value={comment.commentType} onChange={edit("commentType")}>
              {COMMENT_TYPES.map((type) => (
                <option key={type} value={type}>
                  {commentTypeName(type, words.lang)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={words.commentTitle}>{(id) => <input id={id} value={comment.title} onInput={edit("title")} />}</Field>
        <Field label={words.commentBody}>
          {(id) => <textarea id={id} rows={5} value={comment.body} onInput={edit("body")} />}
        </Field>
        <Errors errors={errors} />
        {lastReplyDay && (
          <p class="note" role="status">
            {words.commentReceived(agencyName(agencyCode, words.lang), formatDay(lastReplyDay, words.lang))}
          </p>
        )}
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy}>
            {words.submitComment}
          </button>
        </div>
      </form>
    </section>
  );
}
