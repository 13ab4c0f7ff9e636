import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ConfirmOrder, MenuOffer, OperationsAlert } from '../../src/contract';
import {
  catererConfirmedMenuSignal,
  catererDeclinedMenuSignal,
  cateringMatchWorkflowId,
  customerConfirmedMenuSignal,
  getMatchStateQuery,
  menusOfferedSignal,
  orderWorkflowId,
  TaskQueue,
} from '../../src/contract';
import type { CateringMatchState, MenuEventKind } from '../../src/contract';
import type { CateringMatch } from '../../workflows/catering-match/catering-match.workflow';
import { OrderRecorder, receivedConfirmOrdersQuery } from '../workflows/order-recorder';
import { failureConverterPath } from './codec';
import { createTestWorker } from './environments';
import { preloadedWorkflowModules } from '../../src/infra/workflow-bundle';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** CateringMatch beside the recording Order stand-in (test/workflows), bundled once per test file. */
export function matchTestBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    failureConverterPath,
    preloadModules: preloadedWorkflowModules(),
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

/** Every raiseAlert call, duplicates included, so tests can count them exactly. */
export class RecordedAlerts {
  readonly calls: OperationsAlert[] = [];
  readonly activities = {
    raiseAlert: (alert: OperationsAlert): Promise<void> => {
      this.calls.push(alert);
      return Promise.resolve();
    },
  };
  for(orderId: string): OperationsAlert[] {
    return this.calls.filter((a) => a.orderId === orderId);
  }
}

/**
 * One environment and one match worker for the enclosing describe block (or file), started in beforeAll and
 * shut down in afterAll. One worker throughout: the recording Order stand-ins must keep answering queries
 * after a match has finished.
 */
export function useMatchWorker(createEnv: () => Promise<TestWorkflowEnvironment>): {
  readonly env: TestWorkflowEnvironment;
  readonly alerts: RecordedAlerts;
} {
  const alerts = new RecordedAlerts();
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    env = await createEnv();
    worker = await createMatchWorker(env, alerts);
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });
  return {
    get env() {
      if (!env) throw new Error('the environment is only there inside tests');
      return env;
    },
    alerts,
  };
}

export async function createMatchWorker(
  env: TestWorkflowEnvironment,
  alerts: RecordedAlerts,
): Promise<Worker> {
  return createTestWorker(env, { workflowBundle: await matchTestBundle(), activities: alerts.activities });
}

/** What the Order does for its match (the recording stand-in does not): hands over the menus it offers, or none. */
export async function offerAsOrder(client: Client, orderId: string, menus?: MenuOffer[]): Promise<void> {
  await client.workflow
    .getHandle(cateringMatchWorkflowId(orderId))
    .signal(menusOfferedSignal, menus ? { orderId, menus } : { orderId });
}

/** Starts the recording stand-in at `order-<orderId>`, where a match sends ConfirmOrder. */
export async function startOrderRecorder(client: Client, orderId: string): Promise<void> {
  await client.workflow.start(OrderRecorder, {
    workflowId: orderWorkflowId(orderId),
    taskQueue: TaskQueue.orders,
  });
}

export async function confirmOrdersReceived(client: Client, orderId: string): Promise<ConfirmOrder[]> {
  return client.workflow.getHandle(orderWorkflowId(orderId)).query(receivedConfirmOrdersQuery);
}

/** Polls until `predicate` holds, a bounded number of times; the last value is returned either way. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  predicate: (value: T) => boolean,
  { attempts = 200, intervalMs = 25 } = {},
): Promise<T> {
  let value = await read();
  for (let i = 0; i < attempts && !predicate(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}

export const eventsSeen = (s: CateringMatchState): number =>
  s.processedEventCount + s.ignoredEventCount + s.rejectedEventCount + (s.heldEvents?.length ?? 0);

const signalFor = {
  CustomerConfirmedMenu: customerConfirmedMenuSignal,
  CatererConfirmedMenu: catererConfirmedMenuSignal,
  CatererDeclinedMenu: catererDeclinedMenuSignal,
} as const;

/** Sends a raw signal, payload unchecked, so tests can also deliver malformed or foreign events. */
export async function sendRaw(
  handle: WorkflowHandle<typeof CateringMatch>,
  kind: MenuEventKind,
  payload: unknown,
): Promise<void> {
  await handle.signal(signalFor[kind], payload as never);
}

/**
 * The match's state: from its result once it has completed, else by query. The Java test server leaves a query
 * to a closed workflow unanswered, so each query is bounded and retried (the match may close in between).
 */
export async function readMatchState(
  handle: WorkflowHandle<typeof CateringMatch>,
): Promise<CateringMatchState> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const { status } = await handle.describe();
    if (status.name === 'COMPLETED') return handle.result();
    if (status.name !== 'RUNNING') throw new Error(`match ${handle.workflowId} is ${status.name}`);
    try {
      return await handle.client.withDeadline(Date.now() + 2000, () => handle.query(getMatchStateQuery));
    } catch (err) {
      if (!isDeadlineExceeded(err)) throw err;
    }
  }
  throw new Error(`no state from match ${handle.workflowId}`);
}

const isDeadlineExceeded = (err: unknown): boolean =>
  err instanceof Error && /deadline/i.test(`${err.message} ${String((err as { cause?: unknown }).cause)}`);

/**
 * Sends a signal to a running match and waits until the match has accounted for it (applied, ignored or
 * rejected), so the next step sees its effect.
 */
export async function deliver(
  handle: WorkflowHandle<typeof CateringMatch>,
  kind: MenuEventKind,
  payload: unknown,
): Promise<CateringMatchState> {
  const before = eventsSeen(await readMatchState(handle));
  await sendRaw(handle, kind, payload);
  const after = await pollUntil(
    () => readMatchState(handle),
    (s) => eventsSeen(s) > before,
  );
  if (eventsSeen(after) <= before) throw new Error(`${kind} was not accounted for by the match`);
  return after;
}
