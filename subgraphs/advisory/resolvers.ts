import { LockMode } from "@mikro-orm/postgresql";
import { IsOptional, ValidateNested } from "class-validator";
import { Arg, Ctx, Directive, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { AgencyCode, EntityId, TextLength } from "../kit/validation";
import { badUserInput, ErrorCode, govError, notFound } from "../../contract/errors";
import { appendEvent } from "../kit/outbox";
import { CalendarDate } from "../kit/scalars";
import { todayInTaipei } from "../kit/days";
import { requirePanelManager } from "./access";
import {
  activationProblems,
  appointeeProblem,
  compositionDayOf,
  compositionOf,
  compositionProblems,
  membershipChangeProblems,
  membershipDayBy,
  membershipDayProblem,
  overlapProblems,
  PanelRole,
  PanelRule,
  seatedOn,
  termTransitionProblem,
  TermStatus,
  type RuleViolation,
} from "./composition";
import { PanelMember, PanelTerm } from "./entities";
import type { AdvisoryContext } from "./context";

/** The advisory subgraph's view of an agency: who represents it on the current panel. */
@ObjectType("Agency")
@Directive('@key(fields: "code")')
export class AdvisoryAgency {
  @Field(() => ID)
  code!: string;
}

@ObjectType({ description: "A rule of the panel's composition that is broken, by name." })
class PanelRuleViolation {
  @Field(() => PanelRule)
  rule!: PanelRule;

  @Field()
  problem!: string;
}

@ObjectType({ description: "The seated panel's make-up against the composition rule (by default 1 convener + 11 members, 7 agency and at least 4 civil-society representatives)." })
class PanelComposition {
  @Field(() => Int)
  conveners!: number;

  @Field(() => Int)
  agencyRepresentatives!: number;

  @Field(() => Int)
  civilSocietyRepresentatives!: number;

  @Field(() => Int, { description: "Members besides the convener." })
  members!: number;

  @Field()
  compliant!: boolean;

  @Field(() => [PanelRuleViolation])
  violations!: RuleViolation[];
}

/** Who is appointed: an agency representative names the agency, a civil-society representative their organisation and expertise. */
@InputType()
class AppointeeInput {
  @Field()
  @TextLength(1, 100)
  name!: string;

  @Field(() => PanelRole)
  role!: PanelRole;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @AgencyCode()
  agencyCode?: string;

  @Field()
  @TextLength(1, 200)
  affiliation!: string;

  @Field(() => String, { nullable: true, description: "Required of a civil-society representative." })
  @IsOptional()
  @TextLength(1, 200)
  organisation?: string;

  @Field(() => String, { nullable: true, description: "Required of a civil-society representative." })
  @IsOptional()
  @TextLength(1, 200)
  expertise?: string;
}

@InputType()
class AppointPanelMemberInput extends AppointeeInput {
  @Field(() => ID)
  @EntityId("a panel term")
  termId!: string;

  @Field(() => CalendarDate, { nullable: true, description: "Within the term. Default: today in Asia/Taipei, or the term's first day if later." })
  appointedOn?: string;
}

@InputType()
class ResignPanelMemberInput {
  @Field(() => ID)
  @EntityId("a panel member")
  memberId!: string;

  @Field(() => CalendarDate, { nullable: true, description: "Within the term, not before the appointment. Default: today in Asia/Taipei, or the appointment day if later." })
  leftOn?: string;
}

@InputType()
class ReplacePanelMemberInput {
  @Field(() => ID)
  @EntityId("a panel member")
  memberId!: string;

  @Field(() => AppointeeInput)
  @ValidateNested()
  replacement!: AppointeeInput;

  @Field(() => CalendarDate, { nullable: true, description: "The day of the change: within the term, not before the member's appointment. Default: today in Asia/Taipei, or the appointment day if later." })
  on?: string;
}

@InputType()
class DraftPanelTermInput {
  @Field()
  @TextLength(1, 50)
  name!: string;

  @Field(() => CalendarDate)
  startsOn!: string;

  @Field(() => CalendarDate)
  endsOn!: string;
}

@InputType()
class ActivatePanelTermInput {
  @Field(() => ID)
  @EntityId("a panel term")
  termId!: string;
}

@InputType()
class EndPanelTermInput extends ActivatePanelTermInput {}

@ObjectType()
class PanelTermPayload {
  @Field(() => PanelTerm)
  term!: PanelTerm;
}

@ObjectType()
class PanelMemberPayload {
  @Field(() => PanelMember)
  member!: PanelMember;

  @Field(() => PanelTerm)
  term!: PanelTerm;
}

/** The one refusal of a term change that breaks the panel's rules: every violation, each with its rule. */
function ruleRefusal(term: Pick<PanelTerm, "name" | "status">, action: string, violations: RuleViolation[]) {
  const list = violations.map((v) => `${v.rule}: ${v.problem}`).join("; ");
  return govError(ErrorCode.CONFLICT, `Cannot ${action} (${term.name}, ${term.status}): ${list}.`, { violations });
}

function appointeeFieldProblems(appointee: AppointeeInput, prefix: string) {
  const problems: { path: string; reason: string }[] = [];
  const problem = appointeeProblem(appointee);
  if (problem) problems.push({ path: `${prefix}.agencyCode`, reason: problem });
  if (appointee.role === PanelRole.CIVIL_SOCIETY_REPRESENTATIVE) {
    if (!appointee.organisation) problems.push({ path: `${prefix}.organisation`, reason: "a civil-society representative names their organisation" });
    if (!appointee.expertise) problems.push({ path: `${prefix}.expertise`, reason: "a civil-society representative names their field of expertise" });
  }
  return problems;
}

/** A change of a term's membership as asked: the term joined or the member leaving (whose term it is), who joins, and the day asked for, each with its input path. */
interface MembershipRequest {
  termId?: string;
  leavingId?: string;
  joining?: { appointee: AppointeeInput; path: string };
  day: { on?: string; path: string };
}

/**
 * Every change of a term's membership goes through here: the viewer's right
 * first (so a refusal tells nothing of the input), then the term is locked
 * (so two changes cannot both take the last seat), an ended term refuses, the
 * day must suit the term and the member, and the change is checked against
 * the rules before anything is written.
 */
async function changeMembership<T>(
  context: AdvisoryContext,
  action: string,
  request: MembershipRequest,
  write: (tx: AdvisoryContext["em"], term: PanelTerm, on: string, leaving?: PanelMember) => T,
): Promise<T> {
  requirePanelManager(context.viewer, action);
  const problems = request.joining ? appointeeFieldProblems(request.joining.appointee, request.joining.path) : [];
  if (problems.length > 0) throw badUserInput(problems);
  return context.em.transactional(async (tx) => {
    const leaving = request.leavingId ? await memberOf(tx, request.leavingId) : undefined;
    const id = request.termId ?? leaving!.term.id;
    const term = await tx.findOne(PanelTerm, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!term) throw notFound(`Panel term ${id}`);
    if (term.status === TermStatus.ENDED) throw govError(ErrorCode.CONFLICT, `Cannot ${action}: ${term.name} has ended.`);
    const on = request.day.on ?? membershipDayBy(leaving?.appointedOn ?? term.startsOn, todayInTaipei());
    const dayProblem = membershipDayProblem(term, on, leaving);
    if (dayProblem) throw badUserInput([{ path: request.day.path, reason: dayProblem }]);
    const change = { on, leaving: leaving ? [leaving.id] : [], joining: request.joining ? [request.joining.appointee] : [] };
    const violations = membershipChangeProblems(term.status, await tx.find(PanelMember, { term }), change, context.settings.panelRules);
    if (violations.length > 0) throw ruleRefusal(term, action, violations);
    return write(tx, term, on, leaving);
  });
}

async function memberOf(tx: AdvisoryContext["em"], memberId: string): Promise<PanelMember> {
  const member = await tx.findOne(PanelMember, { id: memberId });
  if (!member) throw notFound(`Panel member ${memberId}`);
  if (member.leftOn) throw govError(ErrorCode.CONFLICT, `${member.name} left the panel on ${member.leftOn}.`);
  return member;
}

@Resolver(() => PanelTerm)
export class PanelTermResolver {
  @Query(() => [PanelTerm], { description: "Every term of the panel, oldest first." })
  panelTerms(@Ctx() { em }: AdvisoryContext): Promise<PanelTerm[]> {
    return em.find(PanelTerm, {}, { orderBy: { startsOn: "asc" } });
  }

  @Query(() => PanelTerm, { nullable: true, description: "The active term, else the latest." })
  async currentPanelTerm(@Ctx() { loaders }: AdvisoryContext): Promise<PanelTerm | null> {
    return loaders.currentTerm.load("current");
  }

  @FieldResolver(() => [PanelMember], { description: "Everyone appointed in this term, including those who left (see leftOn)." })
  members(@Root() term: PanelTerm, @Ctx() { loaders }: AdvisoryContext): Promise<PanelMember[]> {
    return loaders.membersOfTerm.load(term.id);
  }

  @FieldResolver(() => PanelComposition, {
    description: "The members seated today (Asia/Taipei) against the composition rule; for a term not yet begun, on its first day; for one past its end, on its last.",
  })
  async composition(@Root() term: PanelTerm, @Ctx() { loaders, settings }: AdvisoryContext): Promise<PanelComposition> {
    const composition = compositionOf(seatedOn(await loaders.membersOfTerm.load(term.id), compositionDayOf(term, todayInTaipei())));
    const violations = compositionProblems(composition, settings.panelRules);
    return { ...composition, compliant: violations.length === 0, violations };
  }

  @Mutation(() => PanelTermPayload, { description: "MINISTRY_ADMIN drafts a new term; members are appointed to it before it is activated. Refused when its days overlap another term's." })
  draftPanelTerm(@Arg("input") input: DraftPanelTermInput, @Ctx() { em, viewer }: AdvisoryContext): Promise<PanelTermPayload> {
    requirePanelManager(viewer, "draft panel terms");
    if (input.endsOn <= input.startsOn) throw badUserInput([{ path: "input.endsOn", reason: "must be after startsOn" }]);
    return em.transactional(async (tx) => {
      // Two drafts at once would each find the other's days free; this mode lets the terms' rows still be locked for changes.
      await tx.execute("lock table panel_term in share row exclusive mode");
      const violations = overlapProblems(input, await tx.find(PanelTerm, {}, { orderBy: { startsOn: "asc" } }));
      if (violations.length > 0) throw ruleRefusal({ name: input.name, status: TermStatus.DRAFT }, "draft the term", violations);
      const term = tx.create(PanelTerm, input);
      tx.persist(term);
      appendEvent(tx, "PanelTermDrafted", term.id, { name: term.name });
      return { term };
    });
  }

  @Mutation(() => PanelTermPayload, { description: "MINISTRY_ADMIN activates a drafted term; refused, naming every broken rule, unless its members meet the composition rule and no other term is active." })
  activatePanelTerm(@Arg("input") input: ActivatePanelTermInput, @Ctx() context: AdvisoryContext): Promise<PanelTermPayload> {
    return this.moveTerm(context, input.termId, TermStatus.ACTIVE, "PanelTermActivated");
  }

  @Mutation(() => PanelTermPayload, { description: "MINISTRY_ADMIN ends the active term." })
  endPanelTerm(@Arg("input") input: EndPanelTermInput, @Ctx() context: AdvisoryContext): Promise<PanelTermPayload> {
    return this.moveTerm(context, input.termId, TermStatus.ENDED, "PanelTermEnded");
  }

  private moveTerm({ em, viewer, settings }: AdvisoryContext, termId: string, to: TermStatus, event: string): Promise<PanelTermPayload> {
    const action = to === TermStatus.ACTIVE ? "activate the term" : "end the term";
    requirePanelManager(viewer, to === TermStatus.ACTIVE ? "activate panel terms" : "end panel terms");
    return em.transactional(async (tx) => {
      const term = await tx.findOne(PanelTerm, { id: termId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!term) throw notFound(`Panel term ${termId}`);
      const problem = termTransitionProblem(term.status, to);
      if (problem) throw govError(ErrorCode.CONFLICT, `Cannot ${action} ${term.name}: ${problem}.`);
      if (to === TermStatus.ACTIVE) {
        const active = await tx.findOne(PanelTerm, { status: TermStatus.ACTIVE }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const violations = activationProblems(term, await tx.find(PanelMember, { term }), active, settings.panelRules, todayInTaipei());
        if (violations.length > 0) throw ruleRefusal(term, action, violations);
      }
      term.status = to;
      appendEvent(tx, event, term.id, { name: term.name });
      return { term };
    });
  }

  @Mutation(() => PanelMemberPayload, { description: "MINISTRY_ADMIN appoints a member; refused when a draft could no longer be completed, or an active term would break the composition rule." })
  async appointPanelMember(@Arg("input") input: AppointPanelMemberInput, @Ctx() context: AdvisoryContext): Promise<PanelMemberPayload> {
    const { termId, appointedOn, ...appointee } = input;
    const request = { termId, joining: { appointee, path: "input" }, day: { on: appointedOn, path: "input.appointedOn" } };
    return changeMembership(context, "appoint a panel member", request, (tx, term, on) => {
      const member = tx.create(PanelMember, { ...appointee, term, appointedOn: on });
      tx.persist(member);
      appendEvent(tx, "PanelMemberAppointed", member.id, { termId: term.id, role: member.role, agencyCode: member.agencyCode ?? null });
      return { member, term };
    });
  }

  @Mutation(() => PanelMemberPayload, { description: "MINISTRY_ADMIN records a resignation; refused when it would leave an active term breaking the composition rule (replace the member instead)." })
  async resignPanelMember(@Arg("input") input: ResignPanelMemberInput, @Ctx() context: AdvisoryContext): Promise<PanelMemberPayload> {
    const request = { leavingId: input.memberId, day: { on: input.leftOn, path: "input.leftOn" } };
    return changeMembership(context, "record the resignation", request, (tx, term, on, member) => {
      member!.leftOn = on;
      appendEvent(tx, "PanelMemberResigned", member!.id, { termId: term.id, role: member!.role });
      return { member: member!, term };
    });
  }

  @Mutation(() => PanelMemberPayload, { description: "MINISTRY_ADMIN replaces a member with a new one in one step; returns the new member." })
  async replacePanelMember(@Arg("input") input: ReplacePanelMemberInput, @Ctx() context: AdvisoryContext): Promise<PanelMemberPayload> {
    const request = { leavingId: input.memberId, joining: { appointee: input.replacement, path: "input.replacement" }, day: { on: input.on, path: "input.on" } };
    return changeMembership(context, "replace the member", request, (tx, term, on, leaving) => {
      leaving!.leftOn = on;
      const member = tx.create(PanelMember, { ...input.replacement, term, appointedOn: on });
      tx.persist(member);
      appendEvent(tx, "PanelMemberReplaced", member.id, { termId: term.id, replaces: leaving!.id, role: member.role });
      return { member, term };
    });
  }
}

@Resolver(() => AdvisoryAgency)
export class AdvisoryAgencyResolver {
  @FieldResolver(() => [PanelMember], { description: "Members of the current term who represent this agency, seated on the day its composition is read (see PanelTerm.composition)." })
  async panelRepresentatives(@Root() agency: AdvisoryAgency, @Ctx() { loaders }: AdvisoryContext): Promise<PanelMember[]> {
    const term = await loaders.currentTerm.load("current");
    if (!term) return [];
    const members = seatedOn(await loaders.membersOfTerm.load(term.id), compositionDayOf(term, todayInTaipei()));
    return members.filter((member) => member.agencyCode === agency.code);
  }
}
