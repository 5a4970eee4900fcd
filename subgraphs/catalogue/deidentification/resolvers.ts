import { IsUrl } from "class-validator";
import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Resolver, Root } from "type-graphql";
import { TextLength } from "../../kit/validation";
import { requireAgencyCio } from "../../../contract/authorization";
import { insiders } from "../../../contract/visibility";
import { badUserInput, forbidden } from "../../../contract/errors";
import { appendAgencyEvent } from "../../kit/outbox";
import { ShardBy } from "../../kit/shard";
import type { CatalogueContext } from "../context";
import { canonicalFormat } from "../../kit/vocabulary";
import { Resource } from "../entities";
import { structuredFormat } from "../structured/read";
import { PersonalDataExemption, PersonalDataFinding, PersonalDataScan } from "./entities";
import { judgeFindings, scanResource } from "./gate";

@InputType()
class ExemptPersonalDataInput {
  @Field(() => ID)
  agencyCode!: string;

  @Field({ description: "The file, as a resource's downloadUrl will name it." })
  @IsUrl({ protocols: ["http", "https"], require_tld: false, require_protocol: true }, { message: "must be an http or https URL" })
  downloadUrl!: string;

  @Field({ description: "CSV, JSON or XML, in any common spelling (csv, .CSV, ＣＳＶ, json檔…)." })
  format!: string;

  @Field({ description: "Why this personal data may be published (e.g. the agency's own service phone)." })
  @TextLength(5, 2000)
  reason!: string;
}

@ObjectType()
class ExemptPersonalDataPayload {
  @Field(() => PersonalDataExemption)
  exemption!: PersonalDataExemption;

  @Field(() => [PersonalDataFinding], { description: "What the file holds now, all of it exempted by this decision." })
  findings!: PersonalDataFinding[];
}

@Resolver(() => PersonalDataExemption)
export class PersonalDataExemptionResolver {
  @Mutation(() => ExemptPersonalDataPayload, {
    description: "The agency's CIO lets a file be published with the personal data it holds now, for a reason; the file is scanned again and what it holds is recorded.",
  })
  @ShardBy("input.agencyCode")
  async exemptPersonalData(@Arg("input") input: ExemptPersonalDataInput, @Ctx() { em, viewer, settings }: CatalogueContext): Promise<ExemptPersonalDataPayload> {
    requireAgencyCio(viewer, input.agencyCode, "exempt a file from de-identification");
    const format = canonicalFormat(input.format);
    if (!structuredFormat(format)) throw badUserInput([{ path: "input.format", reason: "only CSV, JSON and XML files are scanned" }]);
    const scan = await scanResource({ downloadUrl: input.downloadUrl, format }, settings.scan);
    if (!scan?.report) throw badUserInput([{ path: "input.downloadUrl", reason: `the file could not be scanned (${scan?.error}); nothing to exempt` }]);
    if (scan.report.findings.length === 0) throw badUserInput([{ path: "input.downloadUrl", reason: "the file holds no personal data the scan recognises; nothing to exempt" }]);
    return em.transactional(async (tx) => {
      const exemption = tx.create(PersonalDataExemption, {
        agencyCode: input.agencyCode,
        downloadUrl: input.downloadUrl,
        reason: input.reason,
        columns: scan.report!.findings.map(({ column, kind }) => ({ column, kind })),
        recordedBy: viewer.sub,
        recordedAt: new Date(),
      });
      tx.persist(exemption);
      appendAgencyEvent(tx, "PersonalDataExempted", exemption.id, { agencyCode: input.agencyCode, title: exemption.downloadUrl, columns: exemption.columns.length });
      return { exemption, findings: judgeFindings(scan.report, exemption) };
    });
  }
}

@Resolver(() => Resource)
export class ResourcePersonalDataResolver {
  @FieldResolver(() => PersonalDataScan, {
    nullable: true,
    description: "The latest de-identification scan of this file (on publishing, and on every quality check); for the agency and the ministry.",
  })
  async personalData(@Root() resource: Resource, @Ctx() { loaders, viewer, instance }: CatalogueContext): Promise<PersonalDataScan | null> {
    if (!insiders(viewer, instance.agencyCode!)) throw forbidden("De-identification scans are shown to the owning agency and the ministry.");
    return loaders.latestScan.load(resource.id);
  }
}
