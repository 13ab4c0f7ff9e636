import { defineSignal } from '@temporalio/workflow';
import type { MenusOffered } from '../src/shared';

/**
 * The Order hands its menus to `catering-match-<orderId>` with this signal when the match was already running. Apart
 * from both workflows so that neither imports the other's module for it.
 */
export const menusOfferedSignal = defineSignal<[MenusOffered]>('MenusOffered');
