/**
 * CateringMatch's signals and query by the names users type. Defined here, not in the workflow module, so that
 * clients and the Order send them without loading the match's code.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CateringMatchState } from './catering-match-state';
import type {
  CatererConfirmedMenu,
  CatererDeclinedMenu,
  CustomerConfirmedMenu,
  MenusOffered,
} from './messages';

export const customerConfirmedMenuSignal = defineSignal<[CustomerConfirmedMenu]>('CustomerConfirmedMenu');
export const catererConfirmedMenuSignal = defineSignal<[CatererConfirmedMenu]>('CatererConfirmedMenu');
export const catererDeclinedMenuSignal = defineSignal<[CatererDeclinedMenu]>('CatererDeclinedMenu');
/** The Order hands its menus to a match that is already running with this signal. */
export const menusOfferedSignal = defineSignal<[MenusOffered]>('MenusOffered');
export const getMatchStateQuery = defineQuery<CateringMatchState>('getState');
