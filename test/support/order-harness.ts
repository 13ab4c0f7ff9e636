import { activityInfo, CancelledFailure, Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createAlertActivities } from '../../activities/alerts';
import type { RaisedAlert } from '../../activities/alerts';
import { createCreditCardValidatorActivities } from '../../activities/credit-card-validator';
import type { FaultInjection } from '../../activities/credit-card-validator';
import type { ValidatorAnswer } from '../../src/infra/validator-ledger';
import { createOrderNotificationActivities } from '../../activities/order-notifications';
import type { PublishedConfirmation } from '../../activities/order-notifications';
import { offerMenusToMatch } from '../../src/clients/catering-match-client';
import { MemoryLedger } from '../../src/infra/jsonl-ledger';
import { startOrder, submitOrder } from '../../src/clients/order-client';
import { cateringMatchWorkflowId, getOrderStateQuery, orderWorkflowId, TaskQueue } from '../../src/contract';
import type {
  CreditCardValidationRequested,
  CreditCardValidationResult,
  MatchOfferOutcome,
  MatchOfferRequest,
  OperationsAlert,
  OrderState,
  OrderStored,
  OrderSubmitted,
  ValidationPolicy,
} from '../../src/contract';
import { testDataConverter } from './codec';
import { createTestWorker, createTimeSkippingEnv, uniqueId } from './environments';
import { eventually } from './eventually';

/*
 * What the Java time-skipping test server does with time, as observed here (and what these tests rely on):
 * - timers (re-activation delay, retention) and activity retry backoff are skipped while time is unlocked
 *   (awaiting a result, env.sleep);
 * - activity start-to-close and schedule-to-close timeouts are NOT skipped: time is locked while an activity task
 *   is outstanding, so reply timeouts and delivery windows in tests are seconds, for real;
 * - a never-polled activity with only a schedule-to-close timeout times out as SCHEDULE_TO_START;
 * - a timer firing after its worker stopped sends the task to that worker's sticky queue and the clock stops for
 *   good (hence `maxCachedWorkflows: 0`);
 * - a signal arriving while the previous one's workflow task runs has, now and then, left the clock locked for the
 *   rest of the file; tests that move the clock by hours live in their own file, without back-to-back signals.
 */

/** What the validator does on the n-th request (1-based) it receives for one order. */
export type ValidatorScript = (call: number) => FaultInjection;

/**
 * Both sides of an order in one test environment: the order worker (alerts and confirmations in memory) and the
 * real validator activity on its own task queue, scripted per order so a test can make it refuse, hang or answer.
 */
export class OrderHarness {
  readonly alerts = new MemoryLedger<RaisedAlert>();
  readonly alertCalls: OperationsAlert[] = [];
  readonly confirmations = new MemoryLedger<PublishedConfirmation>();
  readonly publishCalls: string[] = [];
  readonly validatorLedger = new MemoryLedger<CreditCardValidationResult>();
  readonly answers: ValidatorAnswer[] = [];
  /** Orders whose request the validator itself saw cancelled by the workflow (not by a timeout or a shutdown). */
  readonly cancelRequestsSeen: string[] = [];
  private readonly attempts = new Map<string, number[]>();
  private readonly keys = new Map<string, string[]>();
  private readonly scripts = new Map<string, ValidatorScript>();

  /** Every hand-over of menus the orders asked for (recorded, or made for real with `matches: 'real'`). */
  readonly matchOffers: MatchOfferRequest[] = [];

  /**
   * `matches: 'recorded'` (the default) keeps the orders' menu hand-overs in `matchOffers` and starts no match: a
   * test of the order alone leaves no match running with a deadline of days in the shared time-skipping server.
   * `'real'` signals-with-start the match, which this harness's order worker then runs. `offersHeldUntil` holds
   * every hand-over until it resolves, as a slow server would.
   */
  constructor(
    readonly env: TestWorkflowEnvironment,
    private readonly options: { matches?: 'recorded' | 'real'; offersHeldUntil?: Promise<void> } = {},
  ) {}

  script(orderId: string, script: ValidatorScript): void {
    this.scripts.set(orderId, script);
  }

  /** The `attempt` number of every request the validator received for this order, in order. */
  attemptsFor(orderId: string): number[] {
    return this.attempts.get(orderId) ?? [];
  }

  /** The `idempotencyKey` of every request the validator received for this order, in order. */
  idempotencyKeysFor(orderId: string): string[] {
    return this.keys.get(orderId) ?? [];
  }

  alertsFor(orderId: string): OperationsAlert[] {
    return this.alertCalls.filter((a) => a.orderId === orderId);
  }

  /** Runs `fn` with the order worker and, unless `validator: false`, the validator polling. */
  async run<T>(fn: () => Promise<T>, options: { validator?: boolean } = {}): Promise<T> {
    const publish = createOrderNotificationActivities(this.confirmations).publishOrderConfirmed;
    const orders = await createTestWorker(this.env, {
      // Each test runs its own workers. With a workflow cache, a timer that fires after this worker stopped sends
      // the task to its sticky queue, which the time-skipping server then holds (and time with it) indefinitely.
      maxCachedWorkflows: 0,
      activities: {
        raiseAlert: async (alert: OperationsAlert) => {
          this.alertCalls.push(alert);
          await createAlertActivities(this.alerts).raiseAlert(alert);
        },
        offerMenusToMatch: async (request: MatchOfferRequest): Promise<MatchOfferOutcome> => {
          this.matchOffers.push(request);
          await this.options.offersHeldUntil;
          if (this.options.matches === 'real') return offerMenusToMatch(this.env.client, request);
          return 'offered';
        },
        publishOrderConfirmed: async (notice: Parameters<typeof publish>[0]) => {
          this.publishCalls.push(notice.orderId);
          await publish(notice);
        },
      },
    });
    if (options.validator === false) return orders.runUntil(fn);
    const validator = await this.validatorWorker();
    return orders.runUntil(() => validator.runUntil(fn));
  }

  validatorWorker(): Promise<Worker> {
    return Worker.create({
      connection: this.env.nativeConnection,
      namespace: this.env.namespace ?? 'default',
      dataConverter: testDataConverter(),
      taskQueue: TaskQueue.creditCardValidation,
      // A cancel request reaches an activity with its next heartbeat's answer; unthrottled, a test sees it at once.
      defaultHeartbeatThrottleInterval: '100 ms',
      maxHeartbeatThrottleInterval: '100 ms',
      activities: {
        validateCreditCard: async (request: CreditCardValidationRequested) => {
          const seen = this.attempts.get(request.orderId) ?? [];
          seen.push(activityInfo().attempt);
          this.attempts.set(request.orderId, seen);
          this.keys.set(request.orderId, [
            ...this.idempotencyKeysFor(request.orderId),
            request.idempotencyKey,
          ]);
          const faults = this.scripts.get(request.orderId)?.(seen.length) ?? {};
          const validator = createCreditCardValidatorActivities({
            ledger: this.validatorLedger,
            answers: (answer) => this.answers.push(answer),
            faults,
          });
          try {
            return await validator.validateCreditCard(request);
          } catch (err) {
            // Asked to cancel, or told the order has closed (its workflow completed on the cancellation): either
            // way the workflow's doing, not a timeout or a shutdown.
            const details = Context.current().cancellationDetails;
            if (err instanceof CancelledFailure && (details?.cancelRequested || details?.notFound)) {
              this.cancelRequestsSeen.push(request.orderId);
            }
            throw err;
          }
        },
      },
    });
  }
}

export const validCard = { number: '4242 4242 4242 4242', expiry: '12/39', holder: 'Ada Lovelace' };

// Activity timeouts run in real time on the test server (it does not skip time while a task is outstanding), so
// the reply timeout and backoff are short; durable delays (re-activation, retention) are skipped and stay long.
export const testPolicy = {
  replyTimeout: '1 second',
  deliveryWindow: '30 seconds',
  maxAttempts: 3,
  initialInterval: '100 ms',
  reactivateAfter: '2 hours',
} satisfies Partial<ValidationPolicy>;

export function orderInput(overrides: Partial<OrderSubmitted> = {}): OrderSubmitted {
  return {
    orderId: uniqueId('o'),
    customerId: 'c-7',
    amount: 120,
    currency: 'EUR',
    card: validCard,
    menus: [
      { menuId: 'm-1', catererId: 'cat-1' },
      { menuId: 'm-2', catererId: 'cat-2' },
    ],
    validationPolicy: testPolicy,
    ...overrides,
  };
}

/** Polls `getState` until `done` holds; bounded, so a wrong expectation fails instead of hanging. */
export const waitForState = (
  query: () => Promise<OrderState>,
  done: (state: OrderState) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<OrderState> => eventually(what, query, done, timeoutMs);

export const stateOf = (env: TestWorkflowEnvironment, workflowId: string) => () =>
  env.client.workflow.getHandle(workflowId).query(getOrderStateQuery);

export const statusesOf = (state: OrderState) => state.transitions.map((t) => t.status);

const startedInThisTest: string[] = [];

/** Submits through the real client function and remembers the workflow so `terminateStarted` can clean it up. */
/** submitOrder (update-with-start, answered by the order: its worker must run), cleaned up like submitForTest. */
export const submitAcknowledged = (
  env: TestWorkflowEnvironment,
  input: OrderSubmitted,
): Promise<OrderStored> => submitAcknowledgedWithin(env, input);

export async function submitAcknowledgedWithin(
  env: TestWorkflowEnvironment,
  input: OrderSubmitted,
  acknowledgeWithin?: Duration,
): Promise<OrderStored> {
  startedInThisTest.push(orderWorkflowId(input.orderId), cateringMatchWorkflowId(input.orderId));
  return submitOrder(env.client, input, acknowledgeWithin === undefined ? {} : { acknowledgeWithin });
}

export async function submitForTest(env: TestWorkflowEnvironment, input: OrderSubmitted) {
  const workflowId = orderWorkflowId(input.orderId);
  // A match the order started for real (`matches: 'real'`) is cleaned up with it; terminating an absent one is a no-op.
  startedInThisTest.push(workflowId, cateringMatchWorkflowId(input.orderId));
  // Started as `temporal workflow start` would, without waiting for the order's answer: most tests start the order
  // before its worker runs. submitOrder, which waits for the order's SubmitOrder answer, has tests of its own.
  const handle = await startOrder(env.client, input);
  return { handle, state: stateOf(env, workflowId) };
}

/**
 * One time-skipping environment for the test file, torn down after it, with every order a test submitted
 * terminated after that test (see `terminateStarted`).
 */
export function useOrderTestEnv(): { readonly env: TestWorkflowEnvironment } {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });
  afterEach(async () => {
    if (env) await terminateStarted(env);
  });
  return {
    get env() {
      if (!env) throw new Error('the environment is only there inside tests');
      return env;
    },
  };
}

/**
 * For afterEach: a workflow left waiting would wake up in a later test's skipped time, and hold the clock while
 * its tasks are outstanding.
 */
export async function terminateStarted(env: TestWorkflowEnvironment): Promise<void> {
  for (const workflowId of startedInThisTest.splice(0)) {
    await env.client.workflow
      .getHandle(workflowId)
      .terminate('test finished')
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
  }
}
