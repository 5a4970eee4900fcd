/**
 * The agency reply desk: the agency's unanswered comments, those the viewer
 * can act on now first (a CIO finds the replies awaiting approval at the top,
 * not below comments waiting on staff), then the rest by deadline (overdue,
 * due soon, on time), each with the days left in Asia/Taipei; staff draft
 * and submit, the CIO approves or returns with a reason. The buttons are the
 * API's `availableActions` (the workflow's one rule); whatever the API still
 * refuses (the comment changed meanwhile) is shown in words.
 */
import { useEffect, useState } from "preact/hooks";
import { agencyName } from "../agencies";
import { openLive, request, type ApiError, type ConnectionState } from "../api";
import { Errors, useQuery, useSession, Field } from "../hooks";
import { useWords } from "../i18n";
import { AGENCY_ROLES } from "../session";
import { daysLeft, formatDay, dayInTaipei } from "../time";
import { commentTypeName } from "../vocabulary";
import ops from "../operations/desk.graphql";
import events from "../operations/events.graphql";
import { LiveBadge } from "./dashboard";

type Action = "DRAFT_REPLY" | "SUBMIT_REPLY_FOR_APPROVAL" | "APPROVE_REPLY" | "RETURN_REPLY" | "FOLLOW_UP" | "CLOSE";
type State = "RECEIVED" | "REPLY_DRAFTED" | "AWAITING_APPROVAL" | "RETURNED" | "ANSWERED" | "CLOSED";

interface Comment {
  id: string;
  agencyCode: string;
  commentType: string;
  title: string;
  body: string;
  receivedAt: string;
  /** The last day (Asia/Taipei, inclusive) to publish an approved reply, YYYY-MM-DD. */
  lastReplyDay: string;
  state: State;
  deadlineState: "OVERDUE" | "DUE_SOON" | "ON_TIME" | "ANSWERED_ON_TIME" | "ANSWERED_LATE";
  availableActions: Action[];
  dataset: { id: string; title: string } | null;
  replies: { id: string; author: "AGENCY" | "CITIZEN"; body: string; createdAt: string; publishedAt: string | null }[];
  transitions: { id: string; action: Action; fromState: State; toState: State; actor: string; actorRole: string; reason: string | null; at: string }[];
}

interface DeskData {
  agencyFeedback: { totalCount: number; edges: { node: Comment }[] };
}

const GROUPS = ["YOUR_TURN", "OVERDUE", "DUE_SOON", "ON_TIME"] as const;

/** A comment's section of the desk: the viewer's turn when the API offers them an action, else its deadline's (the desk lists unanswered comments only). */
function groupOf(comment: Comment): (typeof GROUPS)[number] {
  return comment.availableActions.length > 0 ? "YOUR_TURN" : (comment.deadlineState as "OVERDUE" | "DUE_SOON" | "ON_TIME");
}

function CommentCard({ comment, onChanged }: { comment: Comment; onChanged(): void }) {
  const words = useWords();
  const session = useSession();
  const draft = comment.replies.filter((reply) => reply.author === "AGENCY" && !reply.publishedAt).at(-1);
  const [body, setBody] = useState(draft?.body ?? "");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<ApiError[]>();
  const [busy, setBusy] = useState(false);
  const actions = comment.availableActions;
  const left = daysLeft(comment.lastReplyDay, new Date());
  const lastReturn = comment.transitions.filter((step) => step.action === "RETURN_REPLY").at(-1);

  const act = async (operation: TrustedOperation, extra: Record<string, unknown> = {}) => {
    setBusy(true);
    const result = await request(session, operation, { input: { agencyCode: comment.agencyCode, feedbackId: comment.id, ...extra } });
    setBusy(false);
    setErrors(result.errors);
    if (!result.errors?.length) onChanged();
  };

  const id = `comment-${comment.id}`;
  return (
    <article class="card comment" data-feedback={comment.id} data-state={comment.state} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{comment.title}</h3>
      <p class="meta">
        <span class={`deadline ${comment.deadlineState.toLowerCase()}`}>{words.daysLeft(left)}</span> · {words.due} {formatDay(comment.lastReplyDay, words.lang)} ·{" "}
        {words.received} {formatDay(dayInTaipei(new Date(comment.receivedAt)), words.lang)} · {commentTypeName(comment.commentType, words.lang)} ·{" "}
        <span data-role="state">{words.states[comment.state]}</span>
      </p>
      <p>{comment.body}</p>
      {comment.dataset && (
        <p>
          <a href={`#/datasets/${comment.agencyCode}/${comment.dataset.id}`}>{comment.dataset.title}</a>
        </p>
      )}
      {lastReturn && comment.state === "RETURNED" && (
        <p class="note">
          {words.returnReason}: {lastReturn.reason}
        </p>
      )}
      {draft && !actions.includes("DRAFT_REPLY") && <blockquote class="draft">{draft.body}</blockquote>}
      <Errors errors={errors} />
      {actions.includes("DRAFT_REPLY") && (
        <Field label={words.replyDraft}>
          {(id) => (
            <textarea id={id} rows={4} value={body} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
          )}
        </Field>
      )}
      <div class="buttons">
        {actions.includes("DRAFT_REPLY") && (
          <button type="button" disabled={busy} onClick={() => act(ops.DraftReply, { body })}>
            {words.saveDraft}
          </button>
        )}
        {actions.includes("SUBMIT_REPLY_FOR_APPROVAL") && (
          <button type="button" disabled={busy} onClick={() => act(ops.SubmitReplyForApproval)}>
            {words.submitForApproval}
          </button>
        )}
        {actions.includes("APPROVE_REPLY") && (
          <button type="button" class="primary" disabled={busy} onClick={() => act(ops.ApproveReply)}>
            {words.approve}
          </button>
        )}
      </div>
      {actions.includes("RETURN_REPLY") && (
        <div class="buttons">
          <Field label={words.returnReason}>
            {(id) => (
              <input id={id} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
            )}
          </Field>
          <button type="button" disabled={busy} onClick={() => act(ops.ReturnReply, { reason })}>
            {words.returnReply}
          </button>
        </div>
      )}
      <details>
        <summary>
          {words.history} ({comment.transitions.length})
        </summary>
        <ol class="history">
          {comment.transitions.map((step) => (
            <li key={step.id}>
              {new Date(step.at).toLocaleString(words.lang, { timeZone: "Asia/Taipei" })} · {words.actions[step.action]} · {words.roles[step.actorRole as "PUBLIC"] ?? step.actorRole}{" "}
              ({step.actor}) · {words.states[step.fromState]} → {words.states[step.toState]}
              {step.reason ? ` · ${step.reason}` : ""}
            </li>
          ))}
        </ol>
      </details>
    </article>
  );
}

export function ReplyDesk() {
  const words = useWords();
  const session = useSession();
  const isAgency = AGENCY_ROLES.has(session.role) && session.agencyCode;
  const result = useQuery<DeskData>(ops.ReplyDesk, { agencyCode: session.agencyCode }, !isAgency);
  const [state, setState] = useState<ConnectionState>("connecting");
  // What a colleague does (a draft submitted, a reply approved) shows up here as it happens.
  useEffect(() => {
    if (!isAgency) return;
    const reload = () => {
      result.reload();
      return undefined;
    };
    return openLive(session, [{ operation: events.FeedbackEvents, variables: { agencyCodes: [session.agencyCode] }, next: reload }], setState);
  }, [session.token]);
  if (!isAgency) {
    return (
      <div>
        <h1>{words.deskTitle}</h1>
        <p>{words.deskSignIn}</p>
      </div>
    );
  }
  const comments = result.data?.agencyFeedback.edges.map((edge) => edge.node) ?? [];
  const titles = { YOUR_TURN: words.yourTurn, OVERDUE: words.overdue, DUE_SOON: words.dueSoon, ON_TIME: words.onTime };
  return (
    <div>
      <div class="title-row">
        <h1>
          {words.deskTitle} · {agencyName(session.agencyCode, words.lang)}
        </h1>
        <LiveBadge state={state} />
      </div>
      <Errors errors={result.errors} />
      {result.loading && <p>{words.loading}</p>}
      {!result.loading && comments.length === 0 && <p>{words.noComments}</p>}
      {GROUPS.map((group) => {
        const inGroup = comments.filter((comment) => groupOf(comment) === group);
        return inGroup.length === 0 ? null : (
          <section key={group} data-group={group}>
            <h2>
              {titles[group]} ({inGroup.length})
            </h2>
            {inGroup.map((comment) => (
              <CommentCard key={`${comment.id}:${comment.state}`} comment={comment} onChanged={result.reload} />
            ))}
          </section>
        );
      })}
    </div>
  );
}
