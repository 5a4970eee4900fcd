/**
 * Requests for new datasets (我想要更多): a citizen asks, the request is
 * assigned to an agency, and may be reassigned to another agency — which
 * moves it to that agency's shard.
 *
 * A move is a transfer in three idempotent steps, each one transaction:
 *   1. reassignDatasetRequest (source shard): OPEN → TRANSFERRING, naming the target;
 *   2. acceptDatasetRequest (target shard): the request inserted under the
 *      same id, or, back at an agency that held it before, its tombstone
 *      reopened — a second acceptance of the same move is a no-op;
 *   3. completeDatasetRequestTransfer (source shard): TRANSFERRING → TRANSFERRED,
 *      a tombstone that says where the request went.
 * The gateway's transfer relay (gateway/transfers.ts) drives steps 2 and 3
 * for every request in step 1, and retries until both are done, so a process
 * dying between steps delays a move but never loses or duplicates a request.
 */
import { Entity, Enum, LockMode, OptionalProps, PrimaryKey, Property } from "@mikro-orm/postgresql";
import { IsEmail, IsOptional } from "class-validator";
import { Arg, Args, ArgsType, Ctx, Directive, Field, ID, InputType, Mutation, ObjectType, Query, registerEnumType, Resolver } from "type-graphql";
import { AgencyCode, EntityId, EntityIdArg, TextLength } from "../kit/validation";
import type { SortOrder } from "../../contract/cursor";
import { AgencyPageArgs, ConnectionType, keysetPage, type Connection } from "../kit/connection";
import { isIn, sql } from "../kit/sql";
import { requireAgencyWriter, requireRole } from "../../contract/authorization";
import { Role, SYSTEM_SUBJECTS } from "../../contract/claims";
import { ErrorCode, govError, notFound } from "../../contract/errors";
import { newId } from "../kit/ids";
import { aboutSubject, appendAgencyEvent } from "../kit/outbox";
import { isRequested, ShardBy } from "../kit/shard";
import type { FeedbackContext } from "./context";
import { takeSubmissionQuota } from "./quota";
import { HELD_STATES, RequestAction, requestArrival, RequestState, requestTransition } from "./request-workflow";

registerEnumType(RequestState, { name: "RequestState" });

/** How a request was closed (結案回覆類型), as the national platform lists them. */
export enum RequestReplyType {
  /** 已開放或依申請提供 */
  OPENED_OR_AVAILABLE_ON_APPLICATION = "OPENED_OR_AVAILABLE_ON_APPLICATION",
  /** 規劃開放 */
  PLANNED = "PLANNED",
  /** 無法提供（依法不得公開或未持有） */
  CANNOT_PROVIDE = "CANNOT_PROVIDE",
}
registerEnumType(RequestReplyType, { name: "RequestReplyType", description: "How a request was closed (結案回覆類型)." });

@ObjectType({ description: "A request for a new dataset (我想要更多), assigned to an agency." })
@Directive('@key(fields: "agencyCode id")')
@Directive('@shardKey(field: "agencyCode")')
@Entity({ tableName: "dataset_request" })
export class DatasetRequest {
  [OptionalProps]?: "state" | "assignedAgencies";

  @Field(() => ID, { description: "Kept when the request moves to another agency." })
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Field(() => ID, { description: "The agency this row belongs to (the shard key)." })
  @Property({ type: "text" })
  agencyCode!: string;

  /** Shown to the assigned agency and the ministry only. */
  @Property({ type: "text" })
  email!: string;

  @Field()
  @Property({ type: "text" })
  title!: string;

  @Field()
  @Property({ type: "text" })
  body!: string;

  @Field(() => Date)
  @Property({ type: "datetime" })
  receivedAt!: Date;

  @Field(() => RequestState)
  @Enum({ items: () => RequestState, type: "text" })
  state: RequestState = RequestState.OPEN;

  @Field(() => ID, { nullable: true, description: "While TRANSFERRING or once TRANSFERRED: the agency it moves to." })
  @Property({ type: "text", nullable: true })
  transferredTo?: string;

  @Field(() => String, { nullable: true, description: "Why it was reassigned." })
  @Property({ type: "text", nullable: true })
  transferReason?: string;

  @Field(() => [ID], { description: "Every agency it was assigned to, first to last (分派紀錄)." })
  @Property({ type: "json" })
  assignedAgencies: string[] = [];

  @Field(() => RequestReplyType, { nullable: true })
  @Enum({ items: () => RequestReplyType, type: "text", nullable: true })
  replyType?: RequestReplyType;

  @Field(() => String, { nullable: true, description: "The agency's answer, published when the request is closed." })
  @Property({ type: "text", nullable: true })
  reply?: string;

  @Field(() => Date, { nullable: true })
  @Property({ type: "datetime", nullable: true })
  closedAt?: Date;
}

const DatasetRequestConnection = ConnectionType(DatasetRequest, "DatasetRequest");

/** Newest first; requests received in one instant by id, so each has one place between pages. */
const RECEIPT_ORDER: SortOrder<DatasetRequest> = {
  name: "RECEIPT",
  keys: [
    { property: "receivedAt", direction: "desc" },
    { property: "id", direction: "desc" },
  ],
};

@ArgsType()
class AgencyDatasetRequestsArgs extends AgencyPageArgs {
  @Field(() => RequestState, { nullable: true, description: "Only requests in this state; without it, those the agency holds (all but TRANSFERRED: moved away)." })
  @IsOptional()
  state?: RequestState;
}

@InputType()
class SubmitDatasetRequestInput {
  @Field(() => ID, { description: "The agency asked (建議派發機關): the shard the request is written to." })
  agencyCode!: string;

  @Field()
  @IsEmail({}, { message: "must be an email address" })
  email!: string;

  @Field()
  @TextLength(1, 255)
  title!: string;

  @Field()
  @TextLength(1, 5000)
  body!: string;
}

@InputType()
class ReassignDatasetRequestInput {
  @Field(() => ID, { description: "The agency the request is assigned to now (its shard)." })
  agencyCode!: string;

  @Field(() => ID)
  @EntityId("a request")
  requestId!: string;

  @Field(() => ID)
  @AgencyCode()
  toAgencyCode!: string;

  @Field()
  @TextLength(1, 1000)
  reason!: string;
}

@InputType({ description: "A request moving in from another agency's shard (sent by the gateway's transfer relay)." })
class AcceptDatasetRequestInput {
  @Field(() => ID, { description: "The receiving agency (this shard)." })
  agencyCode!: string;

  @Field(() => ID)
  @EntityId("a request")
  id!: string;

  @Field(() => ID)
  fromAgencyCode!: string;

  @Field()
  email!: string;

  @Field()
  title!: string;

  @Field()
  body!: string;

  @Field(() => Date)
  receivedAt!: Date;

  @Field(() => [ID])
  assignedAgencies!: string[];

  @Field(() => String, { nullable: true })
  @IsOptional()
  transferReason?: string;
}

@InputType()
class CompleteDatasetRequestTransferInput {
  @Field(() => ID, { description: "The agency the request moved from (this shard)." })
  agencyCode!: string;

  @Field(() => ID)
  @EntityId("a request")
  requestId!: string;
}

@InputType()
class CloseDatasetRequestInput {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  @EntityId("a request")
  requestId!: string;

  @Field(() => RequestReplyType)
  replyType!: RequestReplyType;

  @Field()
  @TextLength(1, 5000)
  reply!: string;
}

@ObjectType()
class DatasetRequestPayload {
  @Field(() => DatasetRequest)
  request!: DatasetRequest;
}

@ObjectType({ description: "A request waiting to move to another agency's shard, with all it carries." })
class PendingTransfer {
  @Field(() => DatasetRequest)
  request!: DatasetRequest;

  @Field()
  email!: string;
}

/** Only the gateway's transfer relay moves requests between shards. */
function requireRelay(context: FeedbackContext): void {
  requireRole(context.viewer, [Role.MINISTRY_ADMIN], "move dataset requests between shards");
  if (context.viewer.sub !== SYSTEM_SUBJECTS.TRANSFER_RELAY) {
    throw govError(ErrorCode.FORBIDDEN, "Only the gateway's transfer relay moves dataset requests between shards.");
  }
}

@Resolver(() => DatasetRequest)
export class DatasetRequestResolver {
  @Query(() => DatasetRequest, { nullable: true })
  @ShardBy("agencyCode")
  datasetRequest(
    @Arg("agencyCode", () => ID) _agencyCode: string,
    @EntityIdArg("id", "a request") id: string,
    @Ctx() { em }: FeedbackContext,
  ): Promise<DatasetRequest | null> {
    return em.findOne(DatasetRequest, { id });
  }

  @Query(() => DatasetRequestConnection, { description: "One agency's dataset requests (public records), newest first." })
  @ShardBy("agencyCode")
  agencyDatasetRequests(@Args() args: AgencyDatasetRequestsArgs, @Ctx() { em }: FeedbackContext): Promise<Connection<DatasetRequest>> {
    return keysetPage(em, DatasetRequest, isIn(sql`state`, args.state ? [args.state] : HELD_STATES), RECEIPT_ORDER, args.first, args.after);
  }

  @Query(() => [PendingTransfer], { nullable: true, description: "Requests reassigned away and not yet moved; for the gateway's transfer relay (null with FORBIDDEN for others)." })
  @Directive('@shardFanOut(merge: "LIST", subset: "agencyCodes")')
  async pendingDatasetRequestTransfers(
    @Arg("agencyCodes", () => [ID], { nullable: true }) agencyCodes: string[] | undefined,
    @Ctx() context: FeedbackContext,
  ): Promise<PendingTransfer[]> {
    requireRelay(context);
    if (!isRequested(context.instance, agencyCodes)) return [];
    const pending = await context.em.find(DatasetRequest, { state: RequestState.TRANSFERRING }, { orderBy: { receivedAt: "asc" } });
    return pending.map((request) => ({ request, email: request.email }));
  }

  @Mutation(() => DatasetRequestPayload, { description: "Anyone asks for a dataset; the request goes to the agency named." })
  @ShardBy("input.agencyCode")
  async submitDatasetRequest(@Arg("input") input: SubmitDatasetRequestInput, @Ctx() { em, viewer, settings }: FeedbackContext): Promise<DatasetRequestPayload> {
    return em.transactional(async (tx) => {
      const receivedAt = new Date();
      await takeSubmissionQuota(tx, viewer.client ?? viewer.sub, receivedAt, settings.submissionsPerHour);
      const request = tx.create(DatasetRequest, { ...input, receivedAt, assignedAgencies: [input.agencyCode] });
      tx.persist(request);
      appendAgencyEvent(tx, "DatasetRequestReceived", request.id, aboutSubject(request));
      await tx.flush();
      return { request };
    });
  }

  @Mutation(() => DatasetRequestPayload, { description: "The assigned agency or the ministry reassigns a request to another agency; it moves to that agency's shard." })
  @ShardBy("input.agencyCode")
  async reassignDatasetRequest(@Arg("input") input: ReassignDatasetRequestInput, @Ctx() { em, viewer }: FeedbackContext): Promise<DatasetRequestPayload> {
    requireAgencyWriter(viewer, input.agencyCode, "reassign dataset requests");
    if (input.toAgencyCode === input.agencyCode) {
      throw govError(ErrorCode.BAD_USER_INPUT, "The request is already assigned to that agency.", { fields: [{ path: "input.toAgencyCode", reason: "is the current agency" }] });
    }
    return em.transactional(async (tx) => {
      const request = await tx.findOne(DatasetRequest, { id: input.requestId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!request) throw notFound(`Dataset request ${input.requestId} of ${input.agencyCode}`);
      const next = requestTransition(RequestAction.REASSIGN, request.state);
      if (!next.ok) throw govError(ErrorCode.CONFLICT, next.reason);
      tx.assign(request, { state: next.to, transferredTo: input.toAgencyCode, transferReason: input.reason });
      appendAgencyEvent(tx, "DatasetRequestReassigned", request.id, { ...aboutSubject(request), to: input.toAgencyCode, reason: input.reason });
      return { request };
    });
  }

  @Mutation(() => DatasetRequestPayload, { description: "The assigned agency closes a request with its answer (結案)." })
  @ShardBy("input.agencyCode")
  async closeDatasetRequest(@Arg("input") input: CloseDatasetRequestInput, @Ctx() { em, viewer }: FeedbackContext): Promise<DatasetRequestPayload> {
    requireAgencyWriter(viewer, input.agencyCode, "close dataset requests");
    return em.transactional(async (tx) => {
      const request = await tx.findOne(DatasetRequest, { id: input.requestId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!request) throw notFound(`Dataset request ${input.requestId} of ${input.agencyCode}`);
      const next = requestTransition(RequestAction.CLOSE, request.state);
      if (!next.ok) throw govError(ErrorCode.CONFLICT, next.reason);
      tx.assign(request, { state: next.to, replyType: input.replyType, reply: input.reply, closedAt: new Date() });
      appendAgencyEvent(tx, "DatasetRequestClosed", request.id, { ...aboutSubject(request), replyType: input.replyType });
      return { request };
    });
  }

  @Mutation(() => DatasetRequestPayload, { description: "Step 2 of a move, by the transfer relay: the request arrives here. Idempotent." })
  @ShardBy("input.agencyCode")
  async acceptDatasetRequest(@Arg("input") input: AcceptDatasetRequestInput, @Ctx() context: FeedbackContext): Promise<DatasetRequestPayload> {
    requireRelay(context);
    return context.em.transactional(async (tx) => {
      const here = await tx.findOne(DatasetRequest, { id: input.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const arrival = requestArrival(here, input.assignedAgencies, input.agencyCode);
      if (!arrival.ok) throw govError(ErrorCode.CONFLICT, arrival.reason);
      if (arrival.repeated) return { request: arrival.request };
      const { fromAgencyCode, ...fields } = input;
      const arrived = { ...fields, state: RequestState.OPEN, assignedAgencies: arrival.assignedAgencies, transferredTo: null };
      const request = here ? tx.assign(here, arrived) : tx.create(DatasetRequest, arrived);
      tx.persist(request);
      appendAgencyEvent(tx, "DatasetRequestAssigned", request.id, { ...aboutSubject(request), from: fromAgencyCode });
      return { request };
    });
  }

  @Mutation(() => DatasetRequestPayload, { description: "Step 3 of a move, by the transfer relay: the request leaves a tombstone here. Idempotent." })
  @ShardBy("input.agencyCode")
  async completeDatasetRequestTransfer(@Arg("input") input: CompleteDatasetRequestTransferInput, @Ctx() context: FeedbackContext): Promise<DatasetRequestPayload> {
    requireRelay(context);
    return context.em.transactional(async (tx) => {
      const request = await tx.findOne(DatasetRequest, { id: input.requestId });
      if (!request) throw notFound(`Dataset request ${input.requestId} of ${input.agencyCode}`);
      const next = requestTransition(RequestAction.COMPLETE_TRANSFER, request.state);
      if (!next.ok) throw govError(ErrorCode.CONFLICT, next.reason);
      if (next.repeated) return { request };
      request.state = next.to;
      appendAgencyEvent(tx, "DatasetRequestTransferred", request.id, { ...aboutSubject(request), to: request.transferredTo });
      return { request };
    });
  }
}
