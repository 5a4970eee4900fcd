import { Entity, Enum, ManyToOne, PrimaryKey, Property, type Rel } from "@mikro-orm/postgresql";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { newId } from "../kit/ids";
import { CalendarDate } from "../kit/scalars";
import { PanelRole } from "./composition";

registerEnumType(PanelRole, { name: "PanelRole" });

/** One term of the open-data advisory panel (資料開放諮詢小組). */
@ObjectType({ description: "A term of the open-data advisory panel (資料開放諮詢小組)." })
@Entity({ tableName: "panel_term" })
export class PanelTerm {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Field({ description: "e.g. 第1屆." })
  @Property({ type: "text" })
  name!: string;

  @Field(() => CalendarDate)
  @Property({ type: "string", columnType: "date" })
  startsOn!: string;

  @Field(() => CalendarDate)
  @Property({ type: "string", columnType: "date" })
  endsOn!: string;
}

@ObjectType({ description: "A member of the panel in one term." })
@Entity({ tableName: "panel_member" })
export class PanelMember {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @ManyToOne(() => PanelTerm)
  term!: Rel<PanelTerm>;

  @Field()
  @Property({ type: "text" })
  name!: string;

  @Field(() => PanelRole)
  @Enum({ items: () => PanelRole, type: "text" })
  role!: PanelRole;

  @Field(() => String, { nullable: true, description: "The agency an agency representative represents." })
  @Property({ type: "text", nullable: true })
  agencyCode?: string;

  @Field({ description: "Title and organisation, e.g. 法務部政務次長 or a university." })
  @Property({ type: "text" })
  affiliation!: string;

  @Field(() => CalendarDate)
  @Property({ type: "string", columnType: "date" })
  appointedOn!: string;
}
