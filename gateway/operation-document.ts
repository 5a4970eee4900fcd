/**
 * Reading an operation's document: its fragments by name, and the fields a
 * selection set selects through them. The shard router's plans, the
 * operation limits, the event hub, the engine's choice of executor and null
 * propagation read documents through these.
 */
import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionNode } from "graphql";

export type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])));
}

/** Every field `selections` select, through inline fragments and fragment spreads, whatever their type conditions. */
export function fieldsOf(selections: readonly SelectionNode[], fragments: Fragments): FieldNode[] {
  return selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return fieldsOf(selection.selectionSet.selections, fragments);
    return fieldsOf(fragments.get(selection.name.value)?.selectionSet.selections ?? [], fragments);
  });
}
