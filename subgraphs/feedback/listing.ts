/**
 * An agency's comments as a list: the reply desk's queue (unanswered, most
 * urgent first) and a dataset page's public comments. Comments are public;
 * what is not (the email, drafts, the workflow history) is guarded on the
 * Feedback fields themselves, so every viewer may list.
 */
import { IsOptional } from "class-validator";
import { ArgsType, Args, Ctx, Field, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { EntityId } from "../kit/validation";
import type { SortOrder } from "../../contract/cursor";
import { AgencyPageArgs, ConnectionType, keysetPage, type Connection } from "../kit/connection";
import { ShardBy } from "../kit/shard";
import { isIn, joinSql, sql, type SqlFragment } from "../kit/sql";
import { Feedback } from "./entities";
import { availableActions, FeedbackAction, FeedbackState } from "./workflow";
import type { FeedbackContext } from "./context";

const FeedbackConnection = ConnectionType(Feedback, "Feedback");

/** By deadline, so overdue comments come first, then those due soonest. */
const DEADLINE_ORDER: SortOrder<Feedback> = {
  name: "DEADLINE",
  keys: [
    { property: "replyDueAt", direction: "asc" },
    { property: "id", direction: "asc" },
  ],
};

/** Waiting for the agency: not yet answered, nor closed. */
const UNANSWERED_STATES = [FeedbackState.RECEIVED, FeedbackState.REPLY_DRAFTED, FeedbackState.AWAITING_APPROVAL, FeedbackState.RETURNED];

@ArgsType()
class AgencyFeedbackArgs extends AgencyPageArgs {
  @Field(() => ID, { nullable: true, description: "Only comments on this dataset." })
  @IsOptional()
  @EntityId("a dataset")
  datasetId?: string;

  @Field({ defaultValue: false, description: "Only comments still waiting for the agency's approved reply." })
  unanswered!: boolean;
}

/** The shard holds its agency's comments only. */
function agencyFeedbackFilter(args: Pick<AgencyFeedbackArgs, "datasetId" | "unanswered">): SqlFragment {
  const filters = [sql`true`];
  if (args.datasetId) filters.push(sql`dataset_id = ${args.datasetId}`);
  if (args.unanswered) filters.push(isIn(sql`state`, UNANSWERED_STATES));
  return joinSql(filters, " and ");
}

@Resolver(() => Feedback)
export class FeedbackListResolver {
  @Query(() => FeedbackConnection, { description: "One agency's public comments by reply deadline, earliest first: the reply desk's queue, or a dataset's comments." })
  @ShardBy("agencyCode")
  agencyFeedback(@Args() args: AgencyFeedbackArgs, @Ctx() { em }: FeedbackContext): Promise<Connection<Feedback>> {
    return keysetPage(em, Feedback, agencyFeedbackFilter(args), DEADLINE_ORDER, args.first, args.after);
  }

  @FieldResolver(() => [FeedbackAction], { description: "The workflow actions you may take on this comment now (followUp, which needs the commenter's email, is never listed)." })
  availableActions(@Root() feedback: Feedback, @Ctx() { viewer }: FeedbackContext): FeedbackAction[] {
    return availableActions(feedback.state, { viewer, owner: feedback.agencyCode });
  }
}
