/**
 * Example comments per agency: answered on time, answered late (each with its
 * CIO-approved reply), and open ones received in the last weeks (some already
 * past their deadline), so dashboards show every state on a fresh start.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { hashString, pick, seededRandom } from "../kit/random";
import { DAY_MS } from "../kit/scalars";
import type { InstanceInfo } from "../kit/instance";
import { ANONYMOUS, Role } from "../../contract/claims";
import { COMMENT_TYPES } from "../../contract/comment-types";
import { appendAgencyEvent } from "../kit/outbox";
import type { FeedbackSettings } from "./context";
import { replyDueAt } from "./deadline";
import { feedbackReceived } from "./submission";
import { Feedback, Reply, ReplyAuthor } from "./entities";
import { commentFacts, EVENT_OF, receipt } from "./history";
import { scheduleReminders } from "./reminders";
import { FeedbackAction, FeedbackState } from "./workflow";

const IDENTITIES = ["一般民眾", "學生", "企業", "研究人員", "公務人員"];
const INDUSTRIES = ["資訊服務業", "學術研究", "法律服務", "媒體", "其他"];

export async function seedFeedback(em: EntityManager, instance: InstanceInfo, settings: FeedbackSettings): Promise<void> {
  const code = instance.agencyCode!;
  const random = seededRandom(hashString(`feedback:${code}`));
  const now = Date.now();
  const count = 12 + Math.floor(random() * 12);
  const open: Feedback[] = [];
  const all: Feedback[] = [];
  for (let i = 0; i < count; i++) {
    const isOpen = i < 4;
    const receivedAt = new Date(now - (isOpen ? 2 + random() * 28 : 40 + random() * 2000) * DAY_MS);
    const due = replyDueAt(receivedAt, settings.deadline);
    const commentType = pick(random, COMMENT_TYPES);
    const answeredAt = isOpen ? undefined : new Date(receivedAt.getTime() + (random() < 0.85 ? 1 + random() * 12 : 15 + random() * 20) * DAY_MS);
    const feedback = em.create(Feedback, {
      agencyCode: code,
      email: `citizen${i + 1}@example.org`,
      commentType,
      commenterIdentity: pick(random, IDENTITIES),
      industry: pick(random, INDUSTRIES),
      title: `${commentType}（${code}-${i + 1}）`,
      body: `關於${code}所提供資料集的意見：${commentType}，請協助確認。`,
      receivedAt,
      replyDueAt: due,
      state: answeredAt ? FeedbackState.ANSWERED : FeedbackState.RECEIVED,
      answeredAt,
    });
    em.persist(feedback);
    em.persist(receipt(feedback, ANONYMOUS));
    all.push(feedback);
    if (!answeredAt) open.push(feedback);
    if (answeredAt) {
      const reply = { author: ReplyAuthor.AGENCY, body: "感謝您的意見，已依您的建議修正資料。", createdAt: answeredAt, publishedAt: answeredAt };
      em.persist(em.create(Reply, { ...reply, feedback, draftedBy: `${code}-staff`, approvedBy: `${code}-cio` }));
    }
  }
  await em.flush();
  // The history tells what the rows tell (metrics rebuilds its figures from it): each comment received,
  // then each approved reply, as the workflow would have appended them.
  all.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  for (const feedback of all) em.persist(feedbackReceived(feedback));
  for (const feedback of all.filter((f) => f.answeredAt)) {
    appendAgencyEvent(em, EVENT_OF[FeedbackAction.APPROVE_REPLY], feedback.id, {
      ...commentFacts(feedback),
      action: FeedbackAction.APPROVE_REPLY,
      from: FeedbackState.AWAITING_APPROVAL,
      to: FeedbackState.ANSWERED,
      actorRole: Role.AGENCY_CIO,
    });
  }
  await em.flush();
  for (const feedback of open) await scheduleReminders(em, feedback.id, feedback.replyDueAt, settings.deadline);
}
