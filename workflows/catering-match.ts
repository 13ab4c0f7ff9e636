import { defineQuery, defineSignal } from '@temporalio/workflow';
import type {
  CatererConfirmedMenu,
  CatererDeclinedMenu,
  CateringMatchInput,
  CustomerConfirmedMenu,
} from '../src/shared';

export const customerConfirmedMenuSignal = defineSignal<[CustomerConfirmedMenu]>('CustomerConfirmedMenu');
export const catererConfirmedMenuSignal = defineSignal<[CatererConfirmedMenu]>('CatererConfirmedMenu');
export const catererDeclinedMenuSignal = defineSignal<[CatererDeclinedMenu]>('CatererDeclinedMenu');
export const getMatchStateQuery = defineQuery<unknown>('getState');

/** The CateringMatch process manager: one workflow per order. (Body: issue 4.) */
export async function CateringMatch(_input: CateringMatchInput): Promise<unknown> {
  throw new Error('not implemented yet');
}
