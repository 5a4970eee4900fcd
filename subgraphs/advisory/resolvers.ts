import { LockMode } from "@mikro-orm/postgresql";
import { IsIn, IsOptional, Length } from "class-validator";
import { Arg, Ctx, Directive, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { AGENCY_CODES } from "../../contract/agencies";
import { requireRole } from "../../contract/authorization";
import { Role } from "../../contract/claims";
import { badUserInput, notFound } from "../../contract/errors";
import { appendEvent } from "../kit/outbox";
import { CalendarDate, taipeiDate } from "../kit/scalars";
import { appointmentProblem, compositionOf, compositionProblems, PanelRole } from "./composition";
import { PanelMember, PanelTerm } from "./entities";
import type { AdvisoryContext } from "./context";

/** The advisory subgraph's view of an agency: who represents it on the current panel. */
@ObjectType("Agency")
@Directive('@key(fields: "code")')
export class AdvisoryAgency {
  @Field(() => ID)
  code!: string;
}

@ObjectType({ description: "The panel's make-up against the rule: 1 convener + 11 members, 7 agency and at least 4 civil-society representatives." })
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

  @Field(() => [String])
  problems!: string[];
}

@InputType()
class AppointPanelMemberInput {
  @Field(() => ID)
  termId!: string;

  @Field()
  @Length(1, 100)
  name!: string;

  @Field(() => PanelRole)
  role!: PanelRole;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(AGENCY_CODES, { message: "must be the code of an agency in the directory" })
  agencyCode?: string;

  @Field()
  @Length(1, 200)
  affiliation!: string;

  @Field(() => CalendarDate, { nullable: true, description: "Default: today in Asia/Taipei." })
  appointedOn?: string;
}

@ObjectType()
class AppointPanelMemberPayload {
  @Field(() => PanelMember)
  member!: PanelMember;

  @Field(() => PanelTerm)
  term!: PanelTerm;
}

@Resolver(() => PanelTerm)
export class PanelTermResolver {
  @Query(() => [PanelTerm], { description: "Every term of the panel, oldest first." })
  panelTerms(@Ctx() { em }: AdvisoryContext): Promise<PanelTerm[]> {
    return em.find(PanelTerm, {}, { orderBy: { startsOn: "asc" } });
  }

  @Query(() => PanelTerm, { nullable: true, description: "The term in force today (Asia/Taipei), else the latest." })
  async currentPanelTerm(@Ctx() { loaders }: AdvisoryContext): Promise<PanelTerm | null> {
    return loaders.currentTerm.load("current");
  }

  @FieldResolver(() => [PanelMember])
  members(@Root() term: PanelTerm, @Ctx() { loaders }: AdvisoryContext): Promise<PanelMember[]> {
    return loaders.membersOfTerm.load(term.id);
  }

  @FieldResolver(() => PanelComposition)
  async composition(@Root() term: PanelTerm, @Ctx() { loaders }: AdvisoryContext): Promise<PanelComposition> {
    const composition = compositionOf(await loaders.membersOfTerm.load(term.id));
    const problems = compositionProblems(composition);
    return { ...composition, compliant: problems.length === 0, problems };
  }

  @Mutation(() => AppointPanelMemberPayload, { description: "MINISTRY_ADMIN appoints a member; refused when it would break the composition rule." })
  async appointPanelMember(
    @Arg("input") input: AppointPanelMemberInput,
    @Ctx() { em, viewer }: AdvisoryContext,
  ): Promise<AppointPanelMemberPayload> {
    requireRole(viewer, [Role.MINISTRY_ADMIN], "appoint panel members");
    return em.transactional(async (tx) => {
      // The lock serialises appointments to one term, so two cannot both take the last seat.
      const term = await tx.findOne(PanelTerm, { id: input.termId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!term) throw notFound(`Panel term ${input.termId}`);
      const current = await tx.find(PanelMember, { term });
      const problem = appointmentProblem(current, input);
      if (problem) throw badUserInput([{ path: "input.role", reason: problem }]);
      const { termId: _termId, ...fields } = input;
      const member = tx.create(PanelMember, { ...fields, term, appointedOn: input.appointedOn ?? taipeiDate(new Date()) });
      tx.persist(member);
      appendEvent(tx, "PanelMemberAppointed", member.id, { termId: term.id, role: member.role, agencyCode: member.agencyCode ?? null });
      return { member, term };
    });
  }
}

@Resolver(() => AdvisoryAgency)
export class AdvisoryAgencyResolver {
  @FieldResolver(() => [PanelMember], { description: "Members of the current term who represent this agency." })
  async panelRepresentatives(@Root() agency: AdvisoryAgency, @Ctx() { loaders }: AdvisoryContext): Promise<PanelMember[]> {
    const term = await loaders.currentTerm.load("current");
    if (!term) return [];
    const members = await loaders.membersOfTerm.load(term.id);
    return members.filter((member) => member.agencyCode === agency.code);
  }
}
