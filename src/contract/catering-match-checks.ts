/**
 * The match's messages checked against their schemas (messages.ts), by clients before they send and by the workflow
 * when they arrive, so that both name the same field.
 */
import * as messages from './messages';
import { problemsIn } from './messages';
import type { CatererConfirmedMenu, CatererDeclinedMenu, CustomerConfirmedMenu } from './messages';

export const menuEventKinds = [
  'CustomerConfirmedMenu',
  'CatererConfirmedMenu',
  'CatererDeclinedMenu',
] as const;
export type MenuEventKind = (typeof menuEventKinds)[number];

export interface MenuEventByKind {
  CustomerConfirmedMenu: CustomerConfirmedMenu;
  CatererConfirmedMenu: CatererConfirmedMenu;
  CatererDeclinedMenu: CatererDeclinedMenu;
}
export type MenuEvent = MenuEventByKind[MenuEventKind];

export interface InputProblem {
  field: string;
  message: string;
}

/**
 * The first problem the message's schema (`messages.ts`) finds, its message led by `name` (`CatererConfirmedMenu.
 * catererId is missing`); a payload that is no object at all is named `whole`.
 */
function firstProblem(
  schema: Parameters<typeof problemsIn>[0],
  value: unknown,
  name: string | undefined,
  whole: string,
): InputProblem | undefined {
  const [problem] = problemsIn(schema, value);
  if (problem === undefined) return undefined;
  if (problem.field === '') return { field: whole, message: `${name ?? whole} ${problem.message}` };
  return { field: problem.field, message: name ? `${name}.${problem.message}` : problem.message };
}

/** The first thing wrong with a CateringMatchInput, naming the field, or undefined when it is well-formed. */
export function findInputProblem(input: unknown): InputProblem | undefined {
  return firstProblem(messages.CateringMatchInput(), input, undefined, 'input');
}

/** The first thing wrong with a menu event's payload, naming the field, or undefined when it is well-formed. */
export function findEventProblem(kind: MenuEventKind, event: unknown): InputProblem | undefined {
  return firstProblem(messages[kind](), event, kind, 'event');
}

/** The first thing wrong with a MenusOffered payload, naming the field, or undefined when it is well-formed. */
export function findOfferProblem(offer: unknown): InputProblem | undefined {
  return firstProblem(messages.MenusOffered(), offer, 'MenusOffered', 'offer');
}
