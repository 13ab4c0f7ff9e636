import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { msToNumber } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { InvalidOrderError, submitOrder } from '../src/clients/order-client';
import { defaultValidationPolicy, ErrorType, orderWorkflowId, TaskQueue } from '../src/contract';
import type { OrderCarriedState, OrderSubmitted, ValidationPolicy } from '../src/contract';
import { effectiveOrderSettings } from '../src/contract/order-input';
import type { Order } from '../workflows/order/order.workflow';
import { initialOrderState } from '../workflows/order/order-rules';
import {
  OrderHarness,
  orderInput,
  stateOf,
  submitForTest,
  testPolicy,
  useOrderTestEnv,
  waitForState,
} from './support/order-harness';

const ctx = useOrderTestEnv();
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = ctx.env;
});

// The two policies that got OrderStored and then stalled as "validator outages" forever (issue 12).
const unusablePolicies: [string, Record<string, unknown>, RegExp][] = [
  [
    'a maximumInterval below its initialInterval',
    { initialInterval: '1 minute', maximumInterval: '1 second' },
    /validationPolicy\.maximumInterval cannot be less than its initialInterval/,
  ],
  [
    'a reply timeout with a trailing space',
    { replyTimeout: '10 seconds ' },
    /validationPolicy\.replyTimeout must be a positive duration .*\(got "10 seconds "\)/,
  ],
];

/** Orders started here without `submitOrder`, terminated after each test like the harness's own. */
const byHand: string[] = [];
afterEach(async () => {
  for (const workflowId of byHand.splice(0)) {
    await env.client.workflow
      .getHandle(workflowId)
      .terminate('test finished')
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
  }
});

/** As `temporal workflow start --type Order --input ...` does it: no client-side check, no defaults filled in. */
async function startByHand(input: unknown, carried?: OrderCarriedState) {
  const workflowId = orderWorkflowId((input as OrderSubmitted).orderId);
  byHand.push(workflowId);
  return env.client.workflow.start<typeof Order>('Order', {
    workflowId,
    taskQueue: TaskQueue.orders,
    args: carried ? [input as OrderSubmitted, carried] : [input as OrderSubmitted],
  });
}

/** What a first run hands to its next run: its fresh state, and the settings it started with. */
const carriedFrom = (input: OrderSubmitted, settings = effectiveOrderSettings(input)): OrderCarriedState => ({
  state: initialOrderState(input, new Date().toISOString()),
  resumeRequested: false,
  settings,
});

describe('a validation policy the SDK would refuse', () => {
  test.each(unusablePolicies)(
    'when an order with %s is submitted, then submitOrder refuses it naming the field and starts nothing',
    async (_what, validationPolicy, problem) => {
      const input = { ...orderInput(), validationPolicy };
      const refused = submitOrder(env.client, input);
      await expect(refused).rejects.toBeInstanceOf(InvalidOrderError);
      await expect(refused).rejects.toThrow(problem);
      await expect(
        env.client.workflow.getHandle(orderWorkflowId(input.orderId)).describe(),
      ).rejects.toBeInstanceOf(WorkflowNotFoundError);
    },
  );

  test.each(unusablePolicies)(
    'when an order with %s is submitted through the CLI, then it exits 1 naming the field and starts nothing',
    async (_what, validationPolicy, problem) => {
      const input = { ...orderInput(), validationPolicy };
      const root = resolve(__dirname, '..');
      const cli = promisify(execFile)(
        join(root, 'node_modules', '.bin', 'tsx'),
        ['src/bin/cli.ts', 'submit', '--json', JSON.stringify(input)],
        { cwd: root, env: { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' } },
      );
      await expect(cli).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(new RegExp(`^error: invalid order: ${problem.source}`)) as string,
      });
      await expect(
        env.client.workflow.getHandle(orderWorkflowId(input.orderId)).describe(),
      ).rejects.toBeInstanceOf(WorkflowNotFoundError);
    },
  );

  test.each(unusablePolicies)(
    'when an order with %s is started by hand, then it fails as a non-retryable InvalidOrder and asks the validator nothing',
    async (_what, validationPolicy, problem) => {
      const h = new OrderHarness(env);
      const input = { ...orderInput(), validationPolicy };
      const handle = await startByHand(input);
      const failure = await h.run(() =>
        handle.result().then(
          () => undefined,
          (err: unknown) => err,
        ),
      );
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = (failure as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect(cause).toMatchObject({ type: ErrorType.InvalidOrder, nonRetryable: true });
      expect(cause?.message).toMatch(problem);
      expect(h.attemptsFor(input.orderId)).toEqual([]);
    },
  );

  test('when an order already running with an unusable policy tries to validate, then it stalls saying the policy is at fault, not the validator', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({
      validationPolicy: { ...testPolicy, initialInterval: '1 minute', maximumInterval: '1 second' },
    });
    // A continued run is not re-checked, so this is how such an order (stored before the check) runs today.
    await startByHand(input, carriedFrom(input));
    await h.run(async () => {
      const stalled = await waitForState(
        stateOf(env, orderWorkflowId(input.orderId)),
        (s) => s.status === 'ValidationStalled' && h.alertsFor(input.orderId).length === 1,
        'ValidationStalled with an alert',
      );
      expect(stalled.validation.unusablePolicy).toMatch(
        /^validationPolicy is unusable: validationPolicy\.maximumInterval cannot be less than its initialInterval/,
      );
      expect(stalled.stallEpisodes[0]?.lastFailure).toBe(stalled.validation.unusablePolicy);
      const [alert] = h.alertsFor(input.orderId);
      expect(alert?.message).toMatch(
        /cannot be requested: validationPolicy is unusable: .*not a validator outage/,
      );
      expect(alert?.message).not.toMatch(/stopped after/);
    });
    expect(h.attemptsFor(input.orderId)).toEqual([]);
  });
});

describe('the rules an order started with', () => {
  test('when an order is submitted, then its input in history holds the whole effective policy and its deadline', async () => {
    const input = orderInput({ validationPolicy: { maxAttempts: 2 } });
    const { handle } = await submitForTest(env, input);
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    // Decoded as the client decodes it, through its codecs (last applied, first undone) and payload converter.
    const { payloadCodecs, payloadConverter } = env.client.options.loadedDataConverter;
    let payloads = started?.input?.payloads ?? [];
    for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
    const stored = payloadConverter.fromPayload<OrderSubmitted>(payloads[0]!);
    // Every field, the documented defaults beside its own choice: reply 10 s, backoff 1 s to 30 s, a 2-minute
    // window, re-activation after 1 hour, confirmWithin 7 days.
    const { validationPolicy: policy } = stored;
    expect(Object.keys(policy ?? {}).sort()).toEqual([
      'backoffCoefficient',
      'deliveryWindow',
      'initialInterval',
      'maxAttempts',
      'maximumInterval',
      'reactivateAfter',
      'replyTimeout',
    ]);
    expect(policy?.maxAttempts).toBe(2);
    expect(
      [
        policy?.replyTimeout,
        policy?.initialInterval,
        policy?.maximumInterval,
        policy?.deliveryWindow,
        policy?.reactivateAfter,
        stored.confirmWithin,
      ].map((d) => msToNumber(d!)),
    ).toEqual([10_000, 1_000, 30_000, 120_000, 3_600_000, 7 * 86_400_000]);
    // Nothing ran it; terminating a never-picked-up workflow would stop the test server's clock.
    await new OrderHarness(env).run(() =>
      waitForState(stateOf(env, handle.workflowId), (s) => s.status === 'Validated', 'Validated'),
    );
  });

  test('when an order names only its backoff and the validator refuses every request, then it stops after the default 5 attempts and re-activates the default 1 hour later', async () => {
    const h = new OrderHarness(env);
    // A short backoff only because retry backoff runs in real time while the test polls the order.
    const input = orderInput({ validationPolicy: { initialInterval: '100 ms', maximumInterval: '200 ms' } });
    h.script(input.orderId, () => ({ refuse: true }));
    const { state } = await submitForTest(env, input);
    const stalled = await h.run(() =>
      waitForState(
        state,
        (s) => s.status === 'ValidationStalled' && h.alertsFor(input.orderId).length === 1,
        'ValidationStalled with an alert',
      ),
    );
    expect(h.attemptsFor(input.orderId)).toEqual([1, 2, 3, 4, 5]);
    expect(h.alertsFor(input.orderId)[0]?.message).toMatch(/stopped after 5 attempts/);
    const stalledAt = Date.parse(stalled.stallEpisodes[0]?.stalledAt ?? '');
    expect(Date.parse(stalled.validation.nextReactivationAt ?? '') - stalledAt).toBe(3_600_000);
  });

  test('when a continued run carries the settings its order started with, then it runs by them, not by the current defaults', async () => {
    const h = new OrderHarness(env);
    // No maxAttempts of its own: the default (5) would apply if the carried settings were ignored.
    const { maxAttempts: _, ...policyWithoutAttempts } = testPolicy;
    const input = orderInput({ validationPolicy: policyWithoutAttempts });
    const startedWith: ValidationPolicy = {
      ...defaultValidationPolicy,
      ...policyWithoutAttempts,
      maxAttempts: 2,
    };
    h.script(input.orderId, () => ({ refuse: true }));
    await startByHand(
      input,
      carriedFrom(input, { ...effectiveOrderSettings(input), validationPolicy: startedWith }),
    );
    await h.run(() =>
      waitForState(
        stateOf(env, orderWorkflowId(input.orderId)),
        (s) => s.status === 'ValidationStalled',
        'ValidationStalled',
      ),
    );
    expect(h.attemptsFor(input.orderId)).toEqual([1, 2]);
    expect(h.alertsFor(input.orderId)[0]?.message).toMatch(/stopped after 2 attempts/);
  });

  test("when a continued run gets an input that today's rules refuse, then it carries on instead of failing", async () => {
    const h = new OrderHarness(env);
    // As if the expiry rule had been tightened since this order was stored.
    const input = { ...orderInput(), card: { number: '4242424242424242', expiry: '12/2039', holder: 'Ada' } };
    const handle = await startByHand(input, carriedFrom(input));
    await h.run(async () => {
      const validated = await waitForState(
        stateOf(env, handle.workflowId),
        (s) => s.status !== 'Pending',
        'validated or rejected',
      );
      // The validator judges the card as it is; the order was not failed as InvalidOrder on its way there.
      expect(['Validated', 'Rejected']).toContain(validated.status);
      // Open while Validated, closed at a Rejected outcome; never FAILED.
      expect((await handle.describe()).status.name).toBe(
        validated.status === 'Rejected' ? 'COMPLETED' : 'RUNNING',
      );
    });
    expect(h.attemptsFor(input.orderId)).toEqual([1]);
  });
});
