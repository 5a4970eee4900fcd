/**
 * The panel's record: meetings (attendance, quorum, agenda, minutes),
 * resolutions followed up across meetings, reviews of each agency with its
 * live evidence (fields the agency's shards contribute to Agency), the action
 * strategy's versions and the reports to the Executive Yuan. Who sees what is
 * decided in access.ts.
 */
import { LockMode } from "@mikro-orm/postgresql";
import { ArrayMaxSize, IsOptional, Max, Min, ValidateNested } from "class-validator";
import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { AgencyCode, EntityId, EntityIdArg, TextLength } from "../kit/validation";
import { badUserInput, ErrorCode, forbidden, govError, notFound } from "../../contract/errors";
import { appendEvent } from "../kit/outbox";
import { assertDayRange, todayInTaipei } from "../kit/days";
import { CalendarDate } from "../kit/scalars";
import {
  canSeeMinutes,
  canSeeResolution,
  canSeeReview,
  requirePanelManager,
  requirePanelReader,
  requireRemarker,
  requireResolutionOwner,
  requireReviewReader,
} from "./access";
import { seatedOn, TermStatus } from "./composition";
import {
  AgencyReview,
  AgendaItem,
  AgendaItemKind,
  AgendaSubject,
  AgendaSubjectKind,
  ExecutiveYuanReport,
  PanelAttendance,
  PanelMeeting,
  PanelMember,
  PanelResolution,
  PanelTerm,
  ReviewOutcome,
  ReviewRemark,
  StrategyVersion,
} from "./entities";
import type { AdvisoryContext } from "./context";
import { consultedItemOf, followUpsAt, meetingDayProblem, minutesChangeProblem, notYetHeldProblem, quorumOf, resolutionStatusOn, ResolutionStatus, type Quorum } from "./meetings";
import { approvalProblem, strategyTargetProblems } from "./strategy";
import { DatasetRef, DatasetRequestRef, EvaluationReportRef, FeedbackRef, InventoryItemRef } from "./references";
import { AdvisoryAgency } from "./resolvers";

type Tx = AdvisoryContext["em"];

@ObjectType("Quorum", { description: "More than half of the members seated on the meeting's day (the convener included) must attend." })
class QuorumType implements Quorum {
  @Field(() => Int)
  seated!: number;

  @Field(() => Int)
  required!: number;

  @Field(() => Int)
  present!: number;

  @Field()
  met!: boolean;
}

@ObjectType({ description: "A resolution of an earlier meeting as it stood at a later one." })
class ResolutionFollowUp {
  @Field(() => PanelResolution)
  resolution!: PanelResolution;

  @Field(() => ResolutionStatus, { description: "Its status on the day of this meeting." })
  status!: ResolutionStatus;
}

@InputType()
class SchedulePanelMeetingInput {
  @Field(() => CalendarDate)
  heldOn!: string;

  @Field()
  @TextLength(1, 200)
  title!: string;
}

@InputType()
class RecordAttendanceInput {
  @Field(() => ID)
  @EntityId("a meeting")
  meetingId!: string;

  @Field(() => [ID], { description: "Every member present (replaces what was recorded)." })
  @ArrayMaxSize(50)
  @EntityId("a panel member", { each: true })
  memberIds!: string[];
}

@InputType({ description: "An entity an agenda item concerns, by key: the owning agency and, except for an agency itself, the entity's id." })
class AgendaSubjectInput {
  @Field(() => AgendaSubjectKind)
  kind!: AgendaSubjectKind;

  @Field(() => ID)
  @AgencyCode()
  agencyCode!: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @EntityId("the subject's")
  id?: string;
}

@InputType()
class AddAgendaItemInput {
  @Field(() => ID)
  @EntityId("a meeting")
  meetingId!: string;

  @Field()
  @TextLength(1, 500)
  title!: string;

  @Field(() => AgendaItemKind)
  kind!: AgendaItemKind;

  @Field(() => [AgendaSubjectInput], { defaultValue: [] })
  @ValidateNested()
  @ArrayMaxSize(50)
  subjects!: AgendaSubjectInput[];
}

@InputType()
class RecordMinutesInput {
  @Field(() => ID)
  @EntityId("a meeting")
  meetingId!: string;

  @Field()
  @TextLength(1, 100_000)
  minutes!: string;

  @Field({ defaultValue: false, description: "Publish them: the public then reads them and the meeting's resolutions." })
  publish!: boolean;
}

@InputType()
class AdoptResolutionInput {
  @Field(() => ID)
  @EntityId("a meeting")
  meetingId!: string;

  @Field(() => ID, { nullable: true, description: "The agenda item it resolves; a CONSULTATION's resolution becomes the basis of its inventory item's openness decision." })
  @IsOptional()
  @EntityId("an agenda item")
  agendaItemId?: string;

  @Field()
  @TextLength(1, 5000)
  text!: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @AgencyCode()
  ownerAgencyCode?: string;

  @Field(() => CalendarDate, { nullable: true, description: "Not before the meeting." })
  dueOn?: string;
}

@InputType()
class UpdateResolutionStatusInput {
  @Field(() => ID)
  @EntityId("a panel resolution")
  resolutionId!: string;

  @Field(() => ResolutionStatus, { description: "DONE, or OPEN to reopen; OVERDUE follows from the due day." })
  status!: ResolutionStatus;

  @Field(() => CalendarDate, { nullable: true, description: "The day it was done: not before its meeting, not after today. Default: today in Asia/Taipei." })
  on?: string;
}

@InputType()
class RecordReviewInput {
  @Field(() => ID)
  @EntityId("a meeting")
  meetingId!: string;

  @Field(() => ID)
  @AgencyCode()
  agencyCode!: string;

  @Field(() => ReviewOutcome)
  outcome!: ReviewOutcome;

  @Field()
  @TextLength(1, 5000)
  requests!: string;
}

@InputType()
class AddReviewRemarkInput {
  @Field(() => ID)
  @EntityId("an agency review")
  reviewId!: string;

  @Field()
  @TextLength(1, 5000)
  text!: string;
}

@InputType()
class StrategyTargetInput {
  @Field(() => Int)
  @Min(1)
  @Max(4)
  strategy!: number;

  @Field()
  @TextLength(1, 1000)
  goal!: string;
}

@InputType()
class ApproveStrategyVersionInput {
  @Field(() => ID)
  @EntityId("a meeting")
  meetingId!: string;

  @Field()
  @TextLength(1, 20_000)
  summary!: string;

  @Field(() => [StrategyTargetInput])
  @ValidateNested()
  @ArrayMaxSize(100)
  targets!: StrategyTargetInput[];
}

@InputType()
class RecordExecutiveYuanReportInput {
  @Field(() => ID)
  @EntityId("a meeting")
  meetingId!: string;

  @Field(() => Int)
  @Min(2012)
  @Max(2100)
  year!: number;

  @Field(() => CalendarDate)
  sentOn!: string;

  @Field()
  @TextLength(1, 20_000)
  summary!: string;
}

@ObjectType()
class PanelMeetingPayload {
  @Field(() => PanelMeeting)
  meeting!: PanelMeeting;
}

@ObjectType()
class AgendaItemPayload {
  @Field(() => AgendaItem)
  item!: AgendaItem;
}

@ObjectType()
class PanelResolutionPayload {
  @Field(() => PanelResolution)
  resolution!: PanelResolution;
}

@ObjectType()
class AgencyReviewPayload {
  @Field(() => AgencyReview)
  review!: AgencyReview;
}

@ObjectType()
class ReviewRemarkPayload {
  @Field(() => ReviewRemark)
  remark!: ReviewRemark;
}

@ObjectType()
class StrategyVersionPayload {
  @Field(() => StrategyVersion)
  version!: StrategyVersion;
}

@ObjectType()
class ExecutiveYuanReportPayload {
  @Field(() => ExecutiveYuanReport)
  report!: ExecutiveYuanReport;
}

/** The meeting, locked for the write. */
async function meetingOf(tx: Tx, meetingId: string): Promise<PanelMeeting> {
  const meeting = await tx.findOne(PanelMeeting, { id: meetingId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!meeting) throw notFound(`Panel meeting ${meetingId}`);
  return meeting;
}

/** One transaction per write, refused before anything is written unless the viewer manages the panel. */
function managed<T>({ em, viewer }: AdvisoryContext, action: string, write: (tx: Tx) => Promise<T>): Promise<T> {
  requirePanelManager(viewer, action);
  return em.transactional(write);
}

/**
 * A record of what happened at a meeting (attendance, minutes, resolutions, reviews, the strategy approved, the
 * report sent), written as `managed` writes, with the meeting locked, once its day (Asia/Taipei) has come.
 */
function recordAtMeeting<T>(context: AdvisoryContext, action: string, meetingId: string, write: (tx: Tx, meeting: PanelMeeting) => Promise<T>): Promise<T> {
  return managed(context, action, async (tx) => {
    const meeting = await meetingOf(tx, meetingId);
    const problem = notYetHeldProblem(meeting.heldOn, todayInTaipei());
    if (problem) throw govError(ErrorCode.CONFLICT, `Cannot ${action}: ${problem}.`);
    return write(tx, meeting);
  });
}

@Resolver(() => PanelMeeting)
export class PanelMeetingResolver {
  @Query(() => [PanelMeeting], { description: "Held (or scheduled) meetings in the range, oldest first." })
  panelMeetings(
    @Arg("from", () => CalendarDate, { nullable: true }) from: string | undefined,
    @Arg("to", () => CalendarDate, { nullable: true }) to: string | undefined,
    @Ctx() { em }: AdvisoryContext,
  ): Promise<PanelMeeting[]> {
    assertDayRange(from, to);
    const heldOn = { ...(from ? { $gte: from } : {}), ...(to ? { $lte: to } : {}) };
    return em.find(PanelMeeting, from || to ? { heldOn } : {}, { orderBy: { heldOn: "asc", title: "asc" } });
  }

  @Query(() => PanelMeeting, { nullable: true })
  panelMeeting(@EntityIdArg("id", "a meeting") id: string, @Ctx() { loaders }: AdvisoryContext): Promise<PanelMeeting | null> {
    return loaders.meeting.load(id);
  }

  @Query(() => PanelMeeting, { nullable: true, description: "The first meeting on or after today (Asia/Taipei)." })
  nextPanelMeeting(@Ctx() { em }: AdvisoryContext): Promise<PanelMeeting | null> {
    return em.findOne(PanelMeeting, { heldOn: { $gte: todayInTaipei() } }, { orderBy: { heldOn: "asc" } });
  }

  @FieldResolver(() => PanelTerm)
  async term(@Root() meeting: PanelMeeting, @Ctx() { loaders }: AdvisoryContext): Promise<PanelTerm> {
    return (await loaders.term.load(meeting.termId))!;
  }

  @FieldResolver(() => String, { nullable: true, description: "Public once published; before that, for the ministry and the panel." })
  minutes(@Root() meeting: PanelMeeting, @Ctx() { viewer }: AdvisoryContext): string | null {
    if (!canSeeMinutes(viewer, meeting)) throw forbidden("The minutes of this meeting are not published yet.");
    return meeting.minutes ?? null;
  }

  @FieldResolver(() => [PanelMember], { nullable: true, description: "Members present; for the ministry and the panel." })
  async attendees(@Root() meeting: PanelMeeting, @Ctx() { viewer, loaders }: AdvisoryContext): Promise<PanelMember[]> {
    requirePanelReader(viewer, "Attendance");
    const present = new Set((await loaders.attendanceOfMeeting.load(meeting.id)).map((row) => row.memberId));
    return (await loaders.membersOfTerm.load(meeting.termId)).filter((member) => present.has(member.id));
  }

  @FieldResolver(() => QuorumType, { nullable: true, description: "For the ministry and the panel." })
  async quorum(@Root() meeting: PanelMeeting, @Ctx() { viewer, loaders }: AdvisoryContext): Promise<Quorum> {
    requirePanelReader(viewer, "Attendance");
    const members = await loaders.membersOfTerm.load(meeting.termId);
    const attendance = await loaders.attendanceOfMeeting.load(meeting.id);
    return quorumOf(seatedOn(members, meeting.heldOn).length, attendance.length);
  }

  @FieldResolver(() => [AgendaItem], { nullable: true, description: "For the ministry and the panel." })
  agenda(@Root() meeting: PanelMeeting, @Ctx() { viewer, loaders }: AdvisoryContext): Promise<AgendaItem[]> {
    requirePanelReader(viewer, "The agenda");
    return loaders.agendaOfMeeting.load(meeting.id);
  }

  @FieldResolver(() => [PanelResolution], { description: "Those the viewer may read: all once the minutes are published; before, the panel's and each owning agency's." })
  async resolutions(@Root() meeting: PanelMeeting, @Ctx() { viewer, loaders }: AdvisoryContext): Promise<PanelResolution[]> {
    return (await loaders.resolutionsOfMeeting.load(meeting.id)).filter((resolution) => canSeeResolution(viewer, resolution, meeting));
  }

  @FieldResolver(() => [AgencyReview], { nullable: true, description: "Reviews of agencies at this meeting: all for the panel and the ministry, its own for an agency." })
  async reviews(@Root() meeting: PanelMeeting, @Ctx() { viewer, loaders }: AdvisoryContext): Promise<AgencyReview[]> {
    requireReviewReader(viewer);
    return (await loaders.reviewsOfMeeting.load(meeting.id)).filter((review) => canSeeReview(viewer, review));
  }

  @FieldResolver(() => [ResolutionFollowUp], { nullable: true, description: "Resolutions of earlier meetings not done before this one, with their status on its day; for the ministry and the panel." })
  async followUps(@Root() meeting: PanelMeeting, @Ctx() { viewer, em }: AdvisoryContext): Promise<ResolutionFollowUp[]> {
    requirePanelReader(viewer, "The follow-up of resolutions");
    const earlier = await em.find(PanelMeeting, { heldOn: { $lt: meeting.heldOn } });
    const heldOn = new Map(earlier.map((m) => [m.id, m.heldOn]));
    const resolutions = await em.find(PanelResolution, { meetingId: { $in: [...heldOn.keys()] } }, { orderBy: { dueOn: "asc", id: "asc" } });
    return followUpsAt(resolutions, (resolution) => heldOn.get(resolution.meetingId)!, meeting.heldOn);
  }

  @FieldResolver(() => StrategyVersion, { nullable: true, description: "The version of the action strategy approved at this meeting." })
  async strategyVersion(@Root() meeting: PanelMeeting, @Ctx() { em }: AdvisoryContext): Promise<StrategyVersion | null> {
    return em.findOne(StrategyVersion, { meetingId: meeting.id });
  }

  @FieldResolver(() => [ExecutiveYuanReport], { nullable: true, description: "Reports to the Executive Yuan after this meeting; for the ministry and the panel." })
  reports(@Root() meeting: PanelMeeting, @Ctx() { viewer, em }: AdvisoryContext): Promise<ExecutiveYuanReport[]> {
    requirePanelReader(viewer, "Reports to the Executive Yuan");
    return em.find(ExecutiveYuanReport, { meetingId: meeting.id }, { orderBy: { sentOn: "asc" } });
  }

  @Mutation(() => PanelMeetingPayload, { description: "MINISTRY_ADMIN schedules (or records) a meeting of the activated term in force on its day." })
  schedulePanelMeeting(@Arg("input") input: SchedulePanelMeetingInput, @Ctx() context: AdvisoryContext): Promise<PanelMeetingPayload> {
    return managed(context, "schedule panel meetings", async (tx) => {
      const term = await tx.findOne(PanelTerm, { startsOn: { $lte: input.heldOn }, endsOn: { $gte: input.heldOn }, status: { $ne: TermStatus.DRAFT } });
      if (!term) throw badUserInput([{ path: "input.heldOn", reason: "no activated panel term is in force on that day" }]);
      const meeting = tx.create(PanelMeeting, { ...input, termId: term.id });
      tx.persist(meeting);
      appendEvent(tx, "PanelMeetingScheduled", meeting.id, { heldOn: meeting.heldOn, termId: term.id });
      return { meeting };
    });
  }

  @Mutation(() => PanelMeetingPayload, { description: "MINISTRY_ADMIN records who attended; every one must be a member seated on the meeting's day." })
  recordAttendance(@Arg("input") input: RecordAttendanceInput, @Ctx() context: AdvisoryContext): Promise<PanelMeetingPayload> {
    return recordAtMeeting(context, "record attendance", input.meetingId, async (tx, meeting) => {
      const members = await tx.find(PanelMember, { id: { $in: input.memberIds }, term: meeting.termId });
      const seatedIds = new Set(seatedOn(members, meeting.heldOn).map((member) => member.id));
      const problems = input.memberIds
        .map((id, i) => ({ id, path: `input.memberIds.${i}` }))
        .filter(({ id }) => !seatedIds.has(id))
        .map(({ path }) => ({ path, reason: `is not a member of the panel seated on ${meeting.heldOn}` }));
      if (problems.length > 0) throw badUserInput(problems);
      await tx.nativeDelete(PanelAttendance, { meetingId: meeting.id });
      for (const memberId of new Set(input.memberIds)) tx.persist(tx.create(PanelAttendance, { meetingId: meeting.id, memberId }));
      appendEvent(tx, "PanelAttendanceRecorded", meeting.id, { present: seatedIds.size });
      return { meeting };
    });
  }

  @Mutation(() => AgendaItemPayload, { description: "MINISTRY_ADMIN adds an item to a meeting's agenda, with the entities it concerns by key." })
  addAgendaItem(@Arg("input") input: AddAgendaItemInput, @Ctx() context: AdvisoryContext): Promise<AgendaItemPayload> {
    return managed(context, "set meeting agendas", async (tx) => {
      const problems = input.subjects.flatMap((subject, i) =>
        (subject.kind === AgendaSubjectKind.AGENCY) === Boolean(subject.id)
          ? [{ path: `input.subjects.${i}.id`, reason: subject.kind === AgendaSubjectKind.AGENCY ? "an agency is named by its code only" : "names the entity's id" }]
          : [],
      );
      if (input.kind === AgendaItemKind.CONSULTATION && input.subjects.filter((s) => s.kind === AgendaSubjectKind.INVENTORY_ITEM).length !== 1) {
        problems.push({ path: "input.subjects", reason: "a consultation concerns exactly one inventory item" });
      }
      if (problems.length > 0) throw badUserInput(problems);
      const meeting = await meetingOf(tx, input.meetingId);
      const last = await tx.findOne(AgendaItem, { meetingId: meeting.id }, { orderBy: { position: "desc" } });
      const item = tx.create(AgendaItem, { meetingId: meeting.id, position: (last?.position ?? 0) + 1, title: input.title, kind: input.kind });
      tx.persist(item);
      for (const subject of input.subjects) {
        tx.persist(tx.create(AgendaSubject, { agendaItemId: item.id, kind: subject.kind, agencyCode: subject.agencyCode, entityId: subject.id }));
      }
      appendEvent(tx, "AgendaItemAdded", item.id, { meetingId: meeting.id, kind: item.kind });
      return { item };
    });
  }

  @Mutation(() => PanelMeetingPayload, { description: "MINISTRY_ADMIN records (and may publish) a meeting's minutes; once published they are not changed." })
  recordMinutes(@Arg("input") input: RecordMinutesInput, @Ctx() context: AdvisoryContext): Promise<PanelMeetingPayload> {
    return recordAtMeeting(context, "record minutes", input.meetingId, async (tx, meeting) => {
      const problem = minutesChangeProblem(meeting, input.minutes);
      if (problem) throw govError(ErrorCode.CONFLICT, `Cannot record minutes: ${problem}.`);
      if (meeting.minutesPublished) return { meeting };
      meeting.minutes = input.minutes;
      meeting.minutesPublished = meeting.minutesPublished || input.publish;
      appendEvent(tx, input.publish ? "PanelMinutesPublished" : "PanelMinutesRecorded", meeting.id, { heldOn: meeting.heldOn });
      return { meeting };
    });
  }
}

@Resolver(() => AgendaItem)
export class AgendaItemResolver {
  private async subjects(item: AgendaItem, kind: AgendaSubjectKind, loaders: AdvisoryContext["loaders"]) {
    return (await loaders.subjectsOfItem.load(item.id)).filter((subject) => subject.kind === kind).map((s) => ({ agencyCode: s.agencyCode, id: s.entityId! }));
  }

  @FieldResolver(() => [DatasetRef], { nullable: "items", description: "From the owning agencies' catalogue shards; null where the viewer may not see one." })
  datasets(@Root() item: AgendaItem, @Ctx() { loaders }: AdvisoryContext) {
    return this.subjects(item, AgendaSubjectKind.DATASET, loaders);
  }

  @FieldResolver(() => [InventoryItemRef], { nullable: "items", description: "From the owning agencies' catalogue shards." })
  inventoryItems(@Root() item: AgendaItem, @Ctx() { loaders }: AdvisoryContext) {
    return this.subjects(item, AgendaSubjectKind.INVENTORY_ITEM, loaders);
  }

  @FieldResolver(() => [FeedbackRef], { nullable: "items", description: "Public comments, from the owning agencies' feedback shards." })
  feedback(@Root() item: AgendaItem, @Ctx() { loaders }: AdvisoryContext) {
    return this.subjects(item, AgendaSubjectKind.FEEDBACK, loaders);
  }

  @FieldResolver(() => [DatasetRequestRef], { nullable: "items", description: "From the owning agencies' feedback shards." })
  datasetRequests(@Root() item: AgendaItem, @Ctx() { loaders }: AdvisoryContext) {
    return this.subjects(item, AgendaSubjectKind.DATASET_REQUEST, loaders);
  }

  @FieldResolver(() => [AdvisoryAgency])
  async agencies(@Root() item: AgendaItem, @Ctx() { loaders }: AdvisoryContext): Promise<AdvisoryAgency[]> {
    return (await loaders.subjectsOfItem.load(item.id)).filter((s) => s.kind === AgendaSubjectKind.AGENCY).map((s) => ({ code: s.agencyCode }));
  }

  @FieldResolver(() => [PanelResolution], { description: "Resolutions adopted on this item that the viewer may read." })
  async resolutions(@Root() item: AgendaItem, @Ctx() { viewer, loaders }: AdvisoryContext): Promise<PanelResolution[]> {
    const meeting = (await loaders.meeting.load(item.meetingId))!;
    return (await loaders.resolutionsOfMeeting.load(item.meetingId)).filter((r) => r.agendaItemId === item.id && canSeeResolution(viewer, r, meeting));
  }
}

@Resolver(() => PanelResolution)
export class PanelResolutionResolver {
  @Query(() => [PanelResolution], { description: "Resolutions the viewer may read, oldest meeting first; optionally only those with this status today." })
  async panelResolutions(
    @Arg("status", () => ResolutionStatus, { nullable: true }) status: ResolutionStatus | undefined,
    @Ctx() { em, viewer }: AdvisoryContext,
  ): Promise<PanelResolution[]> {
    const meetings = new Map((await em.find(PanelMeeting, {})).map((meeting) => [meeting.id, meeting]));
    const day = todayInTaipei();
    return (await em.find(PanelResolution, {}, { orderBy: { id: "asc" } }))
      .filter((resolution) => canSeeResolution(viewer, resolution, meetings.get(resolution.meetingId)!))
      .filter((resolution) => !status || resolutionStatusOn(resolution, day) === status)
      .sort((a, b) => meetings.get(a.meetingId)!.heldOn.localeCompare(meetings.get(b.meetingId)!.heldOn));
  }

  @FieldResolver(() => ResolutionStatus, { description: "Today (Asia/Taipei): DONE once done, OVERDUE past its due day, else OPEN." })
  status(@Root() resolution: PanelResolution): ResolutionStatus {
    return resolutionStatusOn(resolution, todayInTaipei());
  }

  @FieldResolver(() => AdvisoryAgency, { nullable: true, description: "The agency that owns carrying it out." })
  ownerAgency(@Root() resolution: PanelResolution): AdvisoryAgency | null {
    return resolution.ownerAgencyCode ? { code: resolution.ownerAgencyCode } : null;
  }

  @FieldResolver(() => PanelMeeting)
  async meeting(@Root() resolution: PanelResolution, @Ctx() { loaders }: AdvisoryContext): Promise<PanelMeeting> {
    return (await loaders.meeting.load(resolution.meetingId))!;
  }

  @FieldResolver(() => InventoryItemRef, { nullable: true, description: "For a consultation (strategy 3): the inventory item whose openness decision rests on this resolution." })
  consultedItem(@Root() resolution: PanelResolution): InventoryItemRef | null {
    return resolution.consultedItemId ? { agencyCode: resolution.consultedAgencyCode!, id: resolution.consultedItemId } : null;
  }

  @Mutation(() => PanelResolutionPayload, { description: "MINISTRY_ADMIN records a resolution adopted at a meeting." })
  adoptResolution(@Arg("input") input: AdoptResolutionInput, @Ctx() context: AdvisoryContext): Promise<PanelResolutionPayload> {
    return recordAtMeeting(context, "record resolutions", input.meetingId, async (tx, meeting) => {
      const dueProblem = input.dueOn && meetingDayProblem(input.dueOn, meeting.heldOn);
      if (dueProblem) throw badUserInput([{ path: "input.dueOn", reason: dueProblem }]);
      let consulted: { agencyCode: string; id: string } | null = null;
      if (input.agendaItemId) {
        const item = await tx.findOne(AgendaItem, { id: input.agendaItemId, meetingId: meeting.id });
        if (!item) throw badUserInput([{ path: "input.agendaItemId", reason: "is not an item of this meeting's agenda" }]);
        consulted = consultedItemOf(item, await tx.find(AgendaSubject, { agendaItemId: item.id }));
      }
      const resolution = tx.create(PanelResolution, {
        meetingId: meeting.id,
        agendaItemId: input.agendaItemId,
        text: input.text,
        ownerAgencyCode: input.ownerAgencyCode,
        dueOn: input.dueOn,
        consultedAgencyCode: consulted?.agencyCode,
        consultedItemId: consulted?.id,
      });
      tx.persist(resolution);
      appendEvent(tx, "PanelResolutionAdopted", resolution.id, { meetingId: meeting.id, ownerAgencyCode: input.ownerAgencyCode ?? null });
      return { resolution };
    });
  }

  @Mutation(() => PanelResolutionPayload, { description: "The owning agency (or the ministry) marks a resolution done, or reopens it." })
  updateResolutionStatus(@Arg("input") input: UpdateResolutionStatusInput, @Ctx() { em, viewer }: AdvisoryContext): Promise<PanelResolutionPayload> {
    return em.transactional(async (tx) => {
      const resolution = await tx.findOne(PanelResolution, { id: input.resolutionId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!resolution) throw notFound(`Panel resolution ${input.resolutionId}`);
      const meeting = (await tx.findOne(PanelMeeting, { id: resolution.meetingId }))!;
      requireResolutionOwner(viewer, resolution, meeting);
      if (input.status === ResolutionStatus.OVERDUE) throw badUserInput([{ path: "input.status", reason: "OVERDUE follows from the due day; set DONE or OPEN" }]);
      const today = todayInTaipei();
      const doneOn = input.status === ResolutionStatus.DONE ? (input.on ?? today) : null;
      const doneProblem = doneOn && meetingDayProblem(doneOn, meeting.heldOn, today);
      if (doneProblem) throw badUserInput([{ path: "input.on", reason: doneProblem }]);
      tx.assign(resolution, { doneOn });
      appendEvent(tx, "PanelResolutionStatusUpdated", resolution.id, { status: input.status, ownerAgencyCode: resolution.ownerAgencyCode ?? null });
      return { resolution };
    });
  }
}

@Resolver(() => AgencyReview)
export class AgencyReviewResolver {
  @FieldResolver(() => AdvisoryAgency, { description: "The agency reviewed, with its live evidence from its own shards (inventorySummary, feedbackStats)." })
  agency(@Root() review: AgencyReview): AdvisoryAgency {
    return { code: review.agencyCode };
  }

  @FieldResolver(() => PanelMeeting)
  async meeting(@Root() review: AgencyReview, @Ctx() { loaders }: AdvisoryContext): Promise<PanelMeeting> {
    return (await loaders.meeting.load(review.meetingId))!;
  }

  @FieldResolver(() => [ReviewRemark], { description: "Panel members' remarks, oldest first." })
  remarks(@Root() review: AgencyReview, @Ctx() { loaders }: AdvisoryContext): Promise<ReviewRemark[]> {
    return loaders.remarksOfReview.load(review.id);
  }

  @Mutation(() => AgencyReviewPayload, { description: "MINISTRY_ADMIN records the panel's review of an agency at a meeting (again: replaces it)." })
  recordReview(@Arg("input") input: RecordReviewInput, @Ctx() context: AdvisoryContext): Promise<AgencyReviewPayload> {
    return recordAtMeeting(context, "record reviews", input.meetingId, async (tx, meeting) => {
      const review = (await tx.findOne(AgencyReview, { meetingId: meeting.id, agencyCode: input.agencyCode })) ?? tx.create(AgencyReview, { ...input });
      tx.assign(review, { outcome: input.outcome, requests: input.requests });
      tx.persist(review);
      appendEvent(tx, "AgencyReviewed", review.id, { meetingId: meeting.id, agencyCode: review.agencyCode, outcome: review.outcome });
      return { review };
    });
  }

  @Mutation(() => ReviewRemarkPayload, { description: "A panel member records a remark on a review." })
  addReviewRemark(@Arg("input") input: AddReviewRemarkInput, @Ctx() { em, viewer }: AdvisoryContext): Promise<ReviewRemarkPayload> {
    requireRemarker(viewer);
    return em.transactional(async (tx) => {
      const review = await tx.findOne(AgencyReview, { id: input.reviewId });
      if (!review) throw notFound(`Review ${input.reviewId}`);
      const remark = tx.create(ReviewRemark, { reviewId: review.id, author: viewer.sub, text: input.text, at: new Date() });
      tx.persist(remark);
      appendEvent(tx, "ReviewRemarkAdded", remark.id, { reviewId: review.id, agencyCode: review.agencyCode });
      return { remark };
    });
  }
}

@Resolver(() => StrategyVersion)
export class StrategyVersionResolver {
  @Query(() => [StrategyVersion], { description: "Every version of the action strategy, oldest first (versions are numbered in the order of their approval)." })
  strategyVersions(@Ctx() { em }: AdvisoryContext): Promise<StrategyVersion[]> {
    return em.find(StrategyVersion, {}, { orderBy: { version: "asc" } });
  }

  @FieldResolver(() => PanelMeeting, { description: "The meeting that approved it." })
  async approvedAt(@Root() version: StrategyVersion, @Ctx() { loaders }: AdvisoryContext): Promise<PanelMeeting> {
    return (await loaders.meeting.load(version.meetingId))!;
  }

  @Mutation(() => StrategyVersionPayload, {
    description: "MINISTRY_ADMIN records a new version of the strategy, approved at a meeting (on its day) no earlier than the latest version's, with one target for each strategy it sets.",
  })
  approveStrategyVersion(@Arg("input") input: ApproveStrategyVersionInput, @Ctx() context: AdvisoryContext): Promise<StrategyVersionPayload> {
    return recordAtMeeting(context, "record strategy versions", input.meetingId, async (tx, meeting) => {
      const problems = strategyTargetProblems(input.targets, "input.targets");
      if (problems.length > 0) throw badUserInput(problems);
      // The table lock numbers versions one after another even when two meetings approve at once.
      await tx.execute("lock table strategy_version in exclusive mode");
      if (await tx.count(StrategyVersion, { meetingId: meeting.id })) {
        throw govError(ErrorCode.CONFLICT, `The meeting of ${meeting.heldOn} already approved a version of the strategy.`);
      }
      const [last] = await tx.find(StrategyVersion, {}, { orderBy: { version: "desc" }, limit: 1 });
      const problem = approvalProblem(last ?? null, meeting.heldOn);
      if (problem) throw govError(ErrorCode.CONFLICT, `Cannot record a strategy version at the meeting of ${meeting.heldOn}: ${problem}.`);
      const version = tx.create(StrategyVersion, {
        version: (last?.version ?? 0) + 1,
        approvedOn: meeting.heldOn,
        meetingId: meeting.id,
        summary: input.summary,
        targets: input.targets.map(({ strategy, goal }) => ({ strategy, goal })),
      });
      tx.persist(version);
      appendEvent(tx, "StrategyVersionApproved", version.id, { version: version.version, approvedOn: version.approvedOn });
      return { version };
    });
  }
}

@Resolver(() => ExecutiveYuanReport)
export class ExecutiveYuanReportResolver {
  @Query(() => [ExecutiveYuanReport], { nullable: true, description: "Reports to the Executive Yuan, oldest first; for the ministry and the panel." })
  executiveYuanReports(@Ctx() { em, viewer }: AdvisoryContext): Promise<ExecutiveYuanReport[]> {
    requirePanelReader(viewer, "Reports to the Executive Yuan");
    return em.find(ExecutiveYuanReport, {}, { orderBy: { sentOn: "asc" } });
  }

  @FieldResolver(() => PanelMeeting)
  async meeting(@Root() report: ExecutiveYuanReport, @Ctx() { loaders }: AdvisoryContext): Promise<PanelMeeting> {
    return (await loaders.meeting.load(report.meetingId))!;
  }

  @FieldResolver(() => EvaluationReportRef, { description: "The figures, from the metrics subgraph's evaluation of the year." })
  evaluation(@Root() report: ExecutiveYuanReport): EvaluationReportRef {
    return { year: report.year };
  }

  @Mutation(() => ExecutiveYuanReportPayload, { description: "MINISTRY_ADMIN records a report of a year's results sent to the Executive Yuan after a meeting." })
  recordExecutiveYuanReport(@Arg("input") input: RecordExecutiveYuanReportInput, @Ctx() context: AdvisoryContext): Promise<ExecutiveYuanReportPayload> {
    return recordAtMeeting(context, "record reports to the Executive Yuan", input.meetingId, async (tx, meeting) => {
      const sentProblem = meetingDayProblem(input.sentOn, meeting.heldOn);
      if (sentProblem) throw badUserInput([{ path: "input.sentOn", reason: sentProblem }]);
      const report = tx.create(ExecutiveYuanReport, input);
      tx.persist(report);
      appendEvent(tx, "ExecutiveYuanReportSent", report.id, { meetingId: meeting.id, year: report.year, sentOn: report.sentOn });
      return { report };
    });
  }
}
