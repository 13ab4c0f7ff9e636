/**
 * The benchmark's feature-equal peer: the plain peer (peer-workflows.ts) with the order flow's promises, each written
 * as the Temporal samples write it and each switched on by the input, so that one workflow measures the peer with
 * every promise and the plain peer with one promise added alone. Encryption is no workflow code: it is the codec on
 * the client and the worker that run these. Bundled on its own into the benchmark's peer workers; never deployed.
 */
import {
  condition,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { CustomerIdAttribute, MatchStatusAttribute, OrderStatusAttribute } from '../../src/contract/names';

/** The promises of the order flow that live in workflow code or its options; all off is the plain peer. */
export interface PeerPromises {
  /** OrderStored answered by the order itself, to an update sent with the start. */
  updateWithStart?: boolean;
  /** The card validated by a worker of its own on this task queue (unset: the order's own queue, eagerly). */
  validatorTaskQueue?: string;
  /** The order's confirmation deadline and the match's, as timers. */
  deadlineTimers?: boolean;
  /** OrderStatus and CustomerId set at the start, OrderStatus and MatchStatus upserted at each status change. */
  statusUpserts?: boolean;
  /**
   * The match learns the menus from its order: the order's activity signals-with-start the match beside the card's
   * validation, and the client's confirmations signal-with-start it too, so that either may come first.
   */
  menusHandedOver?: boolean;
}

export interface EqualPeerOrderInput {
  orderId: string;
  customerId: string;
  amount: number;
  menuId: string;
  promises: PeerPromises;
}

export interface EqualPeerActivities {
  validateCard(orderId: string): Promise<boolean>;
  publishConfirmation(orderId: string, menuId: string): Promise<void>;
  offerMenus(orderId: string, menuId: string, taskQueue: string, promises: PeerPromises): Promise<void>;
}

export const equalPeerConfirmOrder = defineSignal<[{ menuId: string }]>('ConfirmOrder');
export const equalPeerCustomerConfirmed = defineSignal<[{ menuId: string }]>('CustomerConfirmedMenu');
export const equalPeerCatererConfirmed = defineSignal<[{ menuId: string }]>('CatererConfirmedMenu');
export const equalPeerMenusOffered = defineSignal<[{ menuId: string }]>('MenusOffered');
export const equalPeerSubmitOrder = defineUpdate<{ orderId: string; stored: true }, [EqualPeerOrderInput]>(
  'SubmitOrder',
);

/** The equal peer's queues, served by workers with the project's codec. */
export const equalPeerTaskQueue = 'benchmark-equal-peer';
export const equalPeerValidatorQueue = 'benchmark-equal-peer-validator';
/** The queues of the plain peer with one promise added, served by workers without a codec. */
export const promisePeerTaskQueue = 'benchmark-promise-peer';
export const promisePeerValidatorQueue = 'benchmark-promise-peer-validator';

export const equalPeerOrderId = (orderId: string): string => `equal-peer-order-${orderId}`;
export const equalPeerMatchId = (orderId: string): string => `equal-peer-match-${orderId}`;

/** The order flow's deadline for a confirmation, and its match's. */
const deadline = '7 days';

export async function EqualPeerOrder(input: EqualPeerOrderInput): Promise<string> {
  const { promises } = input;
  const { validateCard } = proxyActivities<EqualPeerActivities>({
    startToCloseTimeout: '10 seconds',
    ...(promises.validatorTaskQueue ? { taskQueue: promises.validatorTaskQueue } : {}),
  });
  const { publishConfirmation, offerMenus } = proxyActivities<EqualPeerActivities>({
    startToCloseTimeout: '10 seconds',
  });
  const status = (value: string) => {
    if (promises.statusUpserts)
      upsertSearchAttributes([
        { key: OrderStatusAttribute, value },
        { key: CustomerIdAttribute, value: input.customerId },
      ]);
  };
  let confirmedMenu: string | undefined;
  setHandler(equalPeerConfirmOrder, ({ menuId }) => void (confirmedMenu ??= menuId));
  if (promises.updateWithStart)
    setHandler(equalPeerSubmitOrder, () => ({ orderId: input.orderId, stored: true as const }));
  const offering = promises.menusHandedOver
    ? offerMenus(input.orderId, input.menuId, workflowInfo().taskQueue, promises)
    : undefined;
  if (!(await validateCard(input.orderId))) return 'Rejected';
  status('Validated');
  const confirmed = () => confirmedMenu !== undefined;
  if (promises.deadlineTimers) {
    if (!(await condition(confirmed, deadline))) return 'Expired';
  } else await condition(confirmed);
  status('Confirmed');
  await publishConfirmation(input.orderId, confirmedMenu!);
  await offering;
  return 'Confirmed';
}

export async function EqualPeerMatch(orderId: string, promises: PeerPromises): Promise<string> {
  const status = (value: string) => {
    if (promises.statusUpserts) upsertSearchAttributes([{ key: MatchStatusAttribute, value }]);
  };
  let customer: string | undefined;
  let caterer: string | undefined;
  setHandler(equalPeerCustomerConfirmed, ({ menuId }) => void (customer = menuId));
  setHandler(equalPeerCatererConfirmed, ({ menuId }) => void (caterer = menuId));
  let offered: string | undefined;
  setHandler(equalPeerMenusOffered, ({ menuId }) => void (offered = menuId));
  status('AwaitingConfirmations');
  const matched = () =>
    customer !== undefined && customer === caterer && (!promises.menusHandedOver || customer === offered);
  if (promises.deadlineTimers) {
    if (!(await condition(matched, deadline))) return 'Expired';
  } else await condition(matched);
  await getExternalWorkflowHandle(equalPeerOrderId(orderId)).signal(equalPeerConfirmOrder, {
    menuId: customer!,
  });
  status('Matched');
  return 'Matched';
}
