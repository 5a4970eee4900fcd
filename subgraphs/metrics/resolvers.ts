import { LockMode } from "@mikro-orm/postgresql";
import { Arg, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { AgencyCode, AgencyCodesArg } from "../kit/validation";
import { requireRole } from "../../contract/authorization";
import { Role } from "../../contract/claims";
import { badUserInput, forbidden } from "../../contract/errors";
import { appendEvent } from "../kit/outbox";
import { Agency, IndexedDataset, Indicator, Target, TargetChange } from "./entities";
import { mayReadTargetHistory, strategyOf, targetProblems } from "./domain";
import { todayInTaipei } from "../kit/days";
import { progressAnswers } from "./progress";
import { ANNOUNCEMENT } from "./store";
import type { MetricsContext } from "./context";

@InputType({ description: "Sets one agency's target for one indicator and year (replaces an earlier value)." })
class SetTargetInput {
  @Field(() => ID)
  @AgencyCode()
  agencyCode!: string;

  @Field(() => Indicator)
  indicator!: Indicator;

  @Field(() => Int, { description: "AD year (after 1911), at most 10 years ahead." })
  year!: number;

  @Field(() => Float)
  value!: number;
}

@ObjectType()
class SetTargetPayload {
  @Field(() => Target)
  target!: Target;
}

@Resolver(() => Agency)
export class AgencyResolver {
  @Query(() => [Agency], { description: "The ministry and its agencies (or those named), in directory order." })
  agencies(
    @AgencyCodesArg("codes") codes: string[] | undefined,
    @Ctx() { em }: MetricsContext,
  ): Promise<Agency[]> {
    return em.find(Agency, codes ? { code: { $in: codes } } : {}, { orderBy: { position: "asc" } });
  }

  @Query(() => Agency, { nullable: true })
  agency(@Arg("code", () => ID) code: string, @Ctx() { loaders }: MetricsContext): Promise<Agency | null> {
    return loaders.agency.load(code);
  }

  @FieldResolver(() => [Target], { description: "Performance targets, optionally of one year." })
  async targets(
    @Root() agency: Agency,
    @Arg("year", () => Int, { nullable: true }) year: number | undefined,
    @Ctx() { loaders }: MetricsContext,
  ): Promise<Target[]> {
    const targets = await loaders.targetsOfAgency.load(agency.code);
    return year === undefined ? targets : targets.filter((target) => target.year === year);
  }

  @Mutation(() => SetTargetPayload, { description: "MINISTRY_ADMIN sets a performance target (the panel's indicators for the ministry only); setting the value it has records nothing." })
  async setTarget(@Arg("input") input: SetTargetInput, @Ctx() { em, viewer }: MetricsContext): Promise<SetTargetPayload> {
    requireRole(viewer, [Role.MINISTRY_ADMIN], "set performance targets");
    const problems = targetProblems(input, todayInTaipei());
    if (problems.length > 0) throw badUserInput(problems);
    const payload = await em.transactional(async (tx) => {
      const existing = await tx.findOne(Target, { agencyCode: input.agencyCode, indicator: input.indicator, year: input.year }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      // Set again to the value it has: nothing changed, so nothing is recorded or announced.
      if (existing?.value === input.value) return { target: existing };
      const oldValue = existing?.value ?? null;
      const target = existing ?? tx.create(Target, { ...input, strategy: strategyOf[input.indicator] });
      const now = new Date();
      tx.assign(target, { value: input.value, updatedAt: now });
      // The change refers to the target by id only: the target row goes first.
      await tx.persist(target).flush();
      tx.persist(tx.create(TargetChange, { targetId: target.id, oldValue, newValue: input.value, changedBy: viewer.sub, changedAt: now }));
      appendEvent(tx, ANNOUNCEMENT.TARGET_SET, target.id, { ...input });
      return { target };
    });
    // This replica answers with the new target at once; the others when they read the TargetSet announcement.
    progressAnswers.invalidate(input.agencyCode);
    return payload;
  }
}

@Resolver(() => Target)
export class TargetResolver {
  @FieldResolver(() => [TargetChange], { nullable: true, description: "Every change of this target, oldest first (MINISTRY_ADMIN only; null with FORBIDDEN for others)." })
  history(@Root() target: Target, @Ctx() { loaders, viewer }: MetricsContext): Promise<TargetChange[]> {
    if (!mayReadTargetHistory(viewer)) throw forbidden("Only MINISTRY_ADMIN sees who changed a target.");
    return loaders.changesOfTarget.load(target.id);
  }
}

@Resolver(() => IndexedDataset)
export class IndexedDatasetResolver {
  @FieldResolver(() => String, { nullable: true, description: "The publisher's OID in the government registry (publisherOID), from the agency directory." })
  async publisherOid(@Root() dataset: IndexedDataset, @Ctx() { loaders }: MetricsContext): Promise<string | null> {
    return (await loaders.agency.load(dataset.agencyCode))?.oid ?? null;
  }
}
