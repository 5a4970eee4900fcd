/**
 * Progress against targets, read from the projection: ministry-wide
 * (`ministryProgress`), per agency (`Agency.progress`), live
 * (`progressChanged`), as the evaluation report, and as a time series.
 */
import { filter, pipe } from "@graphql-yoga/subscription";
import type { EntityManager } from "@mikro-orm/postgresql";
import { Arg, Ctx, Directive, Field, FieldResolver, Float, ID, Int, InterfaceType, ObjectType, Query, Resolver, Root, Subscription } from "type-graphql";
import { assertAgencyCodes } from "../kit/validation";
import { badUserInput, ErrorCode, govError } from "../../contract/errors";
import { CalendarDate } from "../kit/scalars";
import { notYetProblem, rocYear, todayInTaipei } from "../kit/days";
import { BADGE_LEVELS, BadgeLevelEnum, PriorityBasis, type BadgeLevel } from "../kit/vocabulary";
import { AnswerCache } from "./answer-cache";
import { actualReadOn, asOfProblem, distinctDays, figuresAgainstTargets, indicatorAppliesTo, meetingCycle, MINISTRY, remarkOf, repliedWithinDeadlineShare, yearEnd, yearPeriod, yearProblem, type Period, type ProgressFigures } from "./domain";
import { Agency, Indicator, Strategy, Target } from "./entities";
import { panelReader, progressFeed, type ProgressChange } from "./live";
import { FIGURE } from "./projection";
import { readFigures } from "./store";
import type { MetricsContext } from "./context";

const READ_ON =
  "The day the actual is as of: asOf, or today for the figures that exist only as they stand now (COMMENTS_OVERDUE, INVENTORY_OPENED, STRUCTURED_RESOURCES_PASSING_PERCENT, CIVIL_PANEL_MEMBERS).";

@ObjectType({ description: "A figure beside its target (null when none is set) and the gap (actual − target; null without a target)." })
export class Figure {
  @Field(() => Indicator) indicator!: Indicator;
  @Field(() => Strategy) strategy!: Strategy;
  @Field(() => Float) actual!: number;
  @Field(() => CalendarDate, { description: READ_ON }) readOn!: string;
  @Field(() => Float, { nullable: true }) target!: number | null;
  @Field(() => Float, { nullable: true }) gap!: number | null;
  @Field(() => Boolean, {
    nullable: true,
    description: "Whether the actual meets the target: at or above it, or at or below it where fewer is better (COMMENTS_OVERDUE, so a positive gap is behind). Null without a target.",
  })
  met!: boolean | null;
}

@ObjectType({ description: "A count for one year, given as AD and ROC (民國) year." })
export class YearCount {
  @Field(() => Int) year!: number;
  @Field(() => Int) rocYear!: number;
  @Field(() => Int) count!: number;
}

@ObjectType()
export class BadgeCount {
  @Field(() => BadgeLevelEnum) level!: BadgeLevel;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: "Holdings of one priority basis decided openable (planned: published or not yet) and, of them, those opened (published as datasets). Agency.inventorySummary.byBasis counts as planned only those not yet published (planned − opened here)." })
export class BasisProgress {
  @Field(() => PriorityBasis) basis!: PriorityBasis;
  @Field(() => Int) planned!: number;
  @Field(() => Int) opened!: number;
}

@ObjectType({ description: "How far the ministry, or one agency, has come on a day, against its targets of a year." })
export class Progress implements ProgressFigures {
  @Field(() => CalendarDate, { description: "The day the figures are for (Asia/Taipei)." }) asOf!: string;
  @Field(() => Int, { description: "The year the per-year figures are for (default: asOf's year)." }) year!: number;
  @Field(() => Int) rocYear!: number;
  @Field(() => Int, { description: "Published and not retired on asOf." }) datasetsOnPlatform!: number;
  @Field(() => Int, { description: "Retired or merged by asOf." }) datasetsRetired!: number;
  @Field(() => [YearCount], { description: "Every year with openings up to asOf, oldest first." }) openedByYear!: YearCount[];
  @Field(() => Int) openedInYear!: number;
  @Field(() => Int, { description: "Holdings decided openable (planned: published or not yet), now; Agency.inventorySummary.byBasis counts as planned only those not yet published." }) inventoryPlanned!: number;
  @Field(() => Int, { description: "Of them, published as datasets, now." }) inventoryOpened!: number;
  @Field(() => [BasisProgress]) inventoryByBasis!: BasisProgress[];
  @Field(() => [BadgeCount], { description: "Quality badges of the datasets on the platform now (checked ones)." }) badgeDistribution!: BadgeCount[];
  @Field(() => Int, { description: "Resources in a structured format among the datasets on the platform now, as last checked." }) structuredResources!: number;
  @Field(() => Int, { description: "Of them, those whose every judged quality indicator holds." }) structuredResourcesPassing!: number;
  @Field(() => Int, { description: "Comments received in the year, up to asOf." }) commentsReceived!: number;
  @Field(() => Int, { description: "Of them, answered or past their 14-day reply deadline by asOf (a comment still within its 14 days is neither on time nor late yet)." }) commentsAnsweredOrDue!: number;
  @Field(() => Int, { description: "Of them, answered with a CIO-approved reply before the deadline, by asOf." }) repliedWithinDeadline!: number;
  @Field(() => Float, { nullable: true, description: "repliedWithinDeadline / commentsAnsweredOrDue in 0..1; null while none is answered or due." }) repliedWithinDeadlineShare!: number | null;
  @Field(() => Int, { description: "Comments past their deadline without an approved reply, now." }) overdueNow!: number;
  @Field(() => Float, { nullable: true, description: "Median days from receipt to the approved reply, of the year's answered comments." }) medianDaysToApprovedReply!: number | null;
  @Field(() => Int, { description: "Civil-society representatives on the current panel term (ministry-wide)." }) civilSocietyPanelMembers!: number;
  @Field(() => Int, { description: "Panel meetings held in the year up to asOf (ministry-wide)." }) panelMeetingsHeld!: number;
  @Field(() => [Figure], { description: "Every indicator of the year with target and gap, strategy by strategy." }) figures!: Figure[];
}

@ObjectType("ProgressChange", { description: "A change in the projected figures of one agency." })
export class ProgressChangeType implements ProgressChange {
  @Field(() => ID) agencyCode!: string;
  @Field(() => Date) at!: Date;
  @Field({ description: "The event type that changed it, e.g. DatasetPublished, ReplyApproved." }) cause!: string;
}

@ObjectType({ description: "One row of the evaluation report (績效評估): a strategy's indicator for one agency." })
export class EvaluationRow {
  @Field(() => Strategy) strategy!: Strategy;
  @Field(() => ID) agencyCode!: string;
  @Field(() => Indicator) indicator!: Indicator;
  @Field(() => Float, { nullable: true }) target!: number | null;
  @Field(() => Float) actual!: number;
  @Field(() => CalendarDate, { description: READ_ON }) readOn!: string;
  @Field(() => Float, { nullable: true }) gap!: number | null;
  @Field(() => String, { nullable: true }) remarks!: string | null;
}

@InterfaceType({ description: "What every evaluation (績效評估) holds: the rows of a period, read on its last day." })
export abstract class Evaluation {
  @Field(() => Int, { description: "The year whose targets the figures are set against." }) year!: number;
  @Field(() => Int) rocYear!: number;
  @Field(() => CalendarDate, { description: "The first day counted by the period's figures (openings, comments received, meetings held)." }) from!: string;
  @Field(() => CalendarDate, { description: "The day the figures are read on: the period's last day." }) asOf!: string;
  @Field(() => [EvaluationRow]) rows!: EvaluationRow[];
}

@ObjectType({ implements: Evaluation, description: "The evaluation report of a calendar year: every agency's indicators against their targets (read on its last day, or today while it runs)." })
@Directive('@key(fields: "year")')
export class EvaluationReport extends Evaluation {}

@ObjectType({
  implements: Evaluation,
  description: "The evaluation reported to the Executive Yuan after a panel meeting (報院備查): the cycle from the day after the previous meeting to this one, against the targets of this meeting's year.",
})
export class MeetingCycleReport extends Evaluation {
  @Field(() => CalendarDate) meetingHeldOn!: string;
  @Field(() => CalendarDate, { nullable: true, description: "The meeting before it; null for the first (its cycle starts on 1 January)." }) previousMeetingHeldOn!: string | null;
}

/** A progress question: a scope (null: every agency), whose targets, as of a day, over a period, against the targets of a year. */
interface ProgressQuestion {
  agencyCodes: readonly string[] | null;
  targetsOf: string;
  asOf: string;
  period: Period;
  year: number;
}

/**
 * Answers kept until the projection or a target changes (answer-cache.ts,
 * invalidated by watchProgress), at most a second: overdue comments and
 * today move with the clock alone.
 */
export const progressAnswers = new AnswerCache<Progress>(1000);

/** Progress of a scope as of a day (default today) over a calendar year (default asOf's), against that year's targets. */
export async function progressOf(em: EntityManager, agencyCodes: readonly string[] | null, targetsOf: string, asOf: string | undefined, year: number | undefined): Promise<Progress> {
  const today = todayInTaipei();
  const day = asOf ?? today;
  const dayProblem = asOfProblem(day, today);
  if (dayProblem) throw badUserInput([{ path: "asOf", reason: dayProblem }]);
  const forYear = year ?? Number(day.slice(0, 4));
  const forYearProblem = yearProblem(forYear, day);
  if (forYearProblem) throw badUserInput([{ path: "year", reason: forYearProblem }]);
  return progressIn(em, { agencyCodes, targetsOf, asOf: day, period: yearPeriod(forYear, day), year: forYear });
}

function progressIn(em: EntityManager, question: ProgressQuestion): Promise<Progress> {
  // A fresh EntityManager: the answer outlives the request that first asked for it.
  return progressAnswers.get(JSON.stringify(question), question.agencyCodes, () => readProgress(em.fork(), question));
}

/** Reads the projection for a question and sets it beside the targets. */
async function readProgress(em: EntityManager, { agencyCodes, targetsOf, asOf, period, year }: ProgressQuestion): Promise<Progress> {
  const [figures, panel, targets] = await Promise.all([
    readFigures(em, agencyCodes, asOf, period),
    panelReader.figures(period),
    em.find(Target, { agencyCode: targetsOf, year }),
  ]);
  const opened = figures.byYear.get(FIGURE.OPENED) ?? new Map<number, number>();
  const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
  const now = (name: string) => figures.now.get(name) ?? 0;
  const openedTotal = sum(opened.values());
  const retired = sum((figures.byYear.get(FIGURE.RETIRED) ?? new Map()).values());
  const inventoryByBasis = Object.values(PriorityBasis).map((basis) => ({ basis, planned: now(FIGURE.planned(basis)), opened: now(FIGURE.inventoryOpened(basis)) }));
  const values: ProgressFigures & Omit<Progress, "figures" | "repliedWithinDeadlineShare" | keyof ProgressFigures> = {
    asOf,
    year,
    rocYear: rocYear(year),
    datasetsOnPlatform: openedTotal - retired,
    datasetsRetired: retired,
    openedByYear: [...opened].filter(([, count]) => count !== 0).sort(([a], [b]) => a - b).map(([y, count]) => ({ year: y, rocYear: rocYear(y), count })),
    openedInYear: figures.inPeriod.get(FIGURE.OPENED) ?? 0,
    inventoryPlanned: sum([...figures.now].filter(([name]) => name.startsWith("inventoryPlanned:")).map(([, value]) => value)),
    inventoryOpened: sum([...figures.now].filter(([name]) => name.startsWith("inventoryOpened:")).map(([, value]) => value)),
    inventoryByBasis,
    badgeDistribution: [...BADGE_LEVELS, "NONE" as const].map((level) => ({ level, count: now(FIGURE.badge(level)) })),
    structuredResources: now(FIGURE.STRUCTURED),
    structuredResourcesPassing: now(FIGURE.STRUCTURED_PASSING),
    commentsReceived: figures.comments.received,
    commentsAnsweredOrDue: figures.comments.answeredOrDue,
    repliedWithinDeadline: figures.comments.answeredOnTime,
    overdueNow: figures.comments.overdueNow,
    medianDaysToApprovedReply: figures.comments.medianDaysToReply,
    ...panel,
  };
  const indicators = Object.values(Indicator).filter((indicator) => indicatorAppliesTo(indicator, targetsOf));
  const today = todayInTaipei();
  const against = figuresAgainstTargets(values, new Map(targets.map((target) => [target.indicator, target.value])), indicators);
  return { ...values, repliedWithinDeadlineShare: repliedWithinDeadlineShare(values), figures: against.map((figure) => ({ ...figure, readOn: actualReadOn(figure.indicator, asOf, today) })) };
}

@Resolver(() => Agency)
export class AgencyProgressResolver {
  @FieldResolver(() => Progress, { nullable: true, description: "This agency's progress from the projection of its shards' events, against its targets." })
  progress(
    @Root() agency: Agency,
    @Arg("asOf", () => CalendarDate, { nullable: true }) asOf: string | undefined,
    @Arg("year", () => Int, { nullable: true }) year: number | undefined,
    @Ctx() { em }: MetricsContext,
  ): Promise<Progress> {
    return progressOf(em, [agency.code], agency.code, asOf, year);
  }
}

@Resolver(() => Progress)
export class ProgressResolver {
  @Query(() => Progress, { description: "The ministry's progress, every agency together, from the projection; its targets are the ministry's (MOJ's)." })
  ministryProgress(
    @Arg("asOf", () => CalendarDate, { nullable: true }) asOf: string | undefined,
    @Arg("year", () => Int, { nullable: true }) year: number | undefined,
    @Ctx() { em }: MetricsContext,
  ): Promise<Progress> {
    return progressOf(em, null, MINISTRY, asOf, year);
  }

  @Subscription(() => ProgressChangeType, {
    description: "Every change of an agency's figures (or of those named), as soon as the projection commits it.",
    subscribe: ({ args }) => {
      const codes = args.agencyCodes as string[] | undefined;
      // Checked here, once, where a subscription is refused: its resolver's arguments are read with each event.
      assertAgencyCodes(codes, "agencyCodes");
      return pipe(progressFeed.subscribe("progressChanged"), filter((change: ProgressChange) => !codes || codes.includes(change.agencyCode)));
    },
  })
  progressChanged(@Root() change: ProgressChange, @Arg("agencyCodes", () => [ID], { nullable: true }) _agencyCodes?: string[]): ProgressChange {
    return change;
  }
}

/** The evaluation rows of a period: strategy by strategy, agency by agency (directory order), indicator by indicator. */
async function evaluationRows(em: EntityManager, asOf: string, period: Period, year: number): Promise<EvaluationRow[]> {
  const agencies = await em.find(Agency, {}, { orderBy: { position: "asc" } });
  const perAgency = await Promise.all(agencies.map((agency) => progressIn(em, { agencyCodes: [agency.code], targetsOf: agency.code, asOf, period, year })));
  const rows = agencies.flatMap((agency, i) =>
    perAgency[i].figures.map((figure) => ({ ...figure, agencyCode: agency.code, remarks: remarkOf(figure) })),
  );
  return rows.sort((a, b) => a.strategy - b.strategy);
}

/** The evaluation of a calendar year, read on its last day (today while it runs). */
export async function evaluationReport(em: EntityManager, year: number): Promise<EvaluationReport> {
  const asOf = yearEnd(year, todayInTaipei());
  const problem = yearProblem(year, asOf);
  if (problem) throw badUserInput([{ path: "year", reason: problem }]);
  const period = yearPeriod(year, asOf);
  return { year, rocYear: rocYear(year), from: period.from, asOf, rows: await evaluationRows(em, asOf, period, year) };
}

/** The evaluation of the meeting cycle closed by the panel meeting held on `heldOn`, against the targets of that meeting's year. */
export async function meetingCycleReport(em: EntityManager, heldOn: string): Promise<MeetingCycleReport> {
  const notYet = notYetProblem(heldOn, todayInTaipei());
  if (notYet) throw badUserInput([{ path: "heldOn", reason: `${notYet}: a cycle is reported once its meeting has been held` }]);
  const days = await panelReader.meetingDays().catch((error: unknown) => {
    throw govError(ErrorCode.SHARD_UNAVAILABLE, `The advisory panel's meetings could not be read (${error instanceof Error ? error.message : String(error)}); try again shortly.`);
  });
  const cycle = meetingCycle(days, heldOn);
  if (!cycle) {
    throw govError(ErrorCode.NOT_FOUND, `No panel meeting was held on ${heldOn}. Meetings were held on: ${distinctDays(days).join(", ") || "none yet"}.`);
  }
  const year = Number(heldOn.slice(0, 4));
  return {
    year,
    rocYear: rocYear(year),
    from: cycle.from,
    asOf: heldOn,
    meetingHeldOn: heldOn,
    previousMeetingHeldOn: cycle.previousMeetingHeldOn,
    rows: await evaluationRows(em, heldOn, cycle, year),
  };
}

@Resolver(() => EvaluationReport)
export class EvaluationReportResolver {
  @Query(() => EvaluationReport, { name: "evaluationReport", description: "The evaluation report (績效評估) of a year, as `npm run metrics:report` prints it." })
  report(@Arg("year", () => Int) year: number, @Ctx() { em }: MetricsContext): Promise<EvaluationReport> {
    return evaluationReport(em, year);
  }

  @Query(() => MeetingCycleReport, { description: "The evaluation of the meeting cycle closed by the panel meeting held that day, as `npm run metrics:report -- --meeting <day>` prints it." })
  meetingCycleReport(@Arg("heldOn", () => CalendarDate) heldOn: string, @Ctx() { em }: MetricsContext): Promise<MeetingCycleReport> {
    return meetingCycleReport(em, heldOn);
  }
}
