import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { confirmOrder, resumeValidation } from '../src/clients/order-client';
import { orderWorkflowId } from '../src/contract';
import type { OrderSubmitted } from '../src/contract';
import {
  OrderHarness,
  orderInput,
  stateOf,
  statusesOf as statuses,
  submitAcknowledged,
  submitForTest,
  useOrderTestEnv,
  testPolicy,
  waitForState,
} from './support/order-harness';

// DeliveryStopped and re-activation: these tests move the server's clock by hours with env.sleep, so they live apart
// from tests that leave signals in flight (see the note in the harness on the test server's clock).
const ctx = useOrderTestEnv();
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = ctx.env;
});

const submit = (input: OrderSubmitted) => submitForTest(env, input);
const refuseAll = () => ({ refuse: true });

describe('when the validator is down longer than all attempts', () => {
  test('the order is ValidationStalled with one alert, and is re-activated after the durable delay', async () => {
    const h = new OrderHarness(env);
    const input = orderInput();
    h.script(input.orderId, (call) => (call <= 3 ? refuseAll() : {}));
    await h.run(async () => {
      const { state } = await submit(input);
      const stalled = await waitForState(
        state,
        (s) => s.status === 'ValidationStalled' && h.alertsFor(input.orderId).length === 1,
        'ValidationStalled and alerted',
      );
      expect(h.attemptsFor(input.orderId)).toEqual([1, 2, 3]);
      const episode = stalled.stallEpisodes[0];
      expect(stalled.stallEpisodes).toHaveLength(1);
      expect(episode).toMatchObject({
        episode: 1,
        reactivations: 0,
        alertId: `${input.orderId}:validation-stalled:1`,
      });
      expect(episode?.lastFailure).toMatch(/MAXIMUM_ATTEMPTS_REACHED: validator is refusing/);
      const stalledAt = Date.parse(episode?.stalledAt ?? '');
      expect(Date.parse(stalled.validation.nextReactivationAt ?? '') - stalledAt).toBe(2 * 3600_000);
      expect(h.alertsFor(input.orderId)[0]).toMatchObject({
        kind: 'ValidationStalled',
        orderId: input.orderId,
      });

      await env.sleep('1 hour');
      expect((await state()).status).toBe('ValidationStalled');
      expect(h.attemptsFor(input.orderId)).toHaveLength(3);

      await env.sleep('1 hour');
      const validated = await waitForState(
        state,
        (s) => s.status === 'Validated',
        'Validated after re-activation',
      );
      expect(Date.parse(validated.validation.answeredAt ?? '') - stalledAt).toBeGreaterThanOrEqual(
        2 * 3600_000,
      );
      expect(validated.stallEpisodes).toEqual([
        expect.objectContaining({ episode: 1, reactivations: 1, endedAt: validated.validation.answeredAt }),
      ]);
      expect(statuses(validated)).toEqual(['Pending', 'ValidationStalled', 'Validated']);
    });
    expect(h.attemptsFor(input.orderId)).toEqual([1, 2, 3, 1]);
    expect(h.alertsFor(input.orderId)).toHaveLength(1);
  });

  test('a long outage continues-as-new past the history limit and still ends Validated with one alert', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({
      maxHistoryEvents: 20,
      validationPolicy: { ...testPolicy, reactivateAfter: '1 hour' },
    });
    const refusedRounds = 4;
    h.script(input.orderId, (call) => (call <= refusedRounds * testPolicy.maxAttempts ? refuseAll() : {}));
    await h.run(async () => {
      const { handle, state } = await submit(input);
      await env.sleep(`${refusedRounds + 1} hours`);
      const validated = await waitForState(
        state,
        (s) => s.status === 'Validated',
        'Validated after the outage',
      );
      expect(validated.run).toBeGreaterThan(1);
      expect(validated.validation.rounds).toBe(refusedRounds + 1);
      expect(validated.stallEpisodes).toEqual([
        expect.objectContaining({ episode: 1, reactivations: refusedRounds }),
      ]);
      expect(statuses(validated)).toEqual(['Pending', 'ValidationStalled', 'Validated']);

      const latest = await handle.describe();
      expect(latest.runId).not.toBe(handle.firstExecutionRunId);
      const firstRun = await env.client.workflow
        .getHandle(handle.workflowId, handle.firstExecutionRunId)
        .fetchHistory();
      expect(firstRun.events?.length).toBeLessThan(40);
    });
    expect(h.attemptsFor(input.orderId)).toHaveLength(refusedRounds * testPolicy.maxAttempts + 1);
    // Re-activated by its delay and carried into continued runs, the order still asks the one question.
    expect(new Set(h.idempotencyKeysFor(input.orderId))).toEqual(new Set([`validate-card:${input.orderId}`]));
    expect(h.alertsFor(input.orderId)).toHaveLength(1);
  });

  test('with no validator polling at all, new orders are still stored and stall within the delivery window', async () => {
    const h = new OrderHarness(env);
    const policy = { ...testPolicy, deliveryWindow: '2 seconds' as const };
    const [a, b] = [orderInput({ validationPolicy: policy }), orderInput({ validationPolicy: policy })];
    await h.run(
      async () => {
        for (const input of [a, b]) {
          // The order worker answers the submission even though no validator polls.
          expect(await submitAcknowledged(env, input)).toMatchObject({
            orderId: input.orderId,
            created: true,
            acknowledged: true,
          });
        }
        for (const input of [a, b]) {
          const stalled = await waitForState(
            stateOf(env, orderWorkflowId(input.orderId)),
            (s) => s.status === 'ValidationStalled' && h.alertsFor(input.orderId).length === 1,
            `${input.orderId} stalled`,
          );
          expect(stalled.validation.lastFailure).toMatch(/TIMEOUT: SCHEDULE_TO_(START|CLOSE) timeout/);
        }
      },
      { validator: false },
    );
    await h.run(async () => {
      await resumeValidation(env.client, a.orderId);
      await waitForState(
        stateOf(env, orderWorkflowId(a.orderId)),
        (s) => s.status === 'Validated',
        'a Validated',
      );
      await env.sleep('2 hours');
      await waitForState(
        stateOf(env, orderWorkflowId(b.orderId)),
        (s) => s.status === 'Validated',
        'b Validated',
      );
    });
    expect(h.attemptsFor(a.orderId)).toEqual([1]);
    expect(h.attemptsFor(b.orderId)).toEqual([1]);
  });
  test('when ResumeValidation re-activates a stalled validation, then the new round asks with the same idempotency key, validate-card:<orderId>', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({ validationPolicy: { ...testPolicy, reactivateAfter: '1 day' } });
    h.script(input.orderId, (call) => (call <= 3 ? refuseAll() : {}));
    await h.run(async () => {
      const { state } = await submit(input);
      await waitForState(state, (s) => s.status === 'ValidationStalled', 'ValidationStalled');
      await resumeValidation(env.client, input.orderId);
      const validated = await waitForState(state, (s) => s.status === 'Validated', 'Validated after resume');
      expect(validated.validation.rounds).toBe(2);
    });
    expect(h.attemptsFor(input.orderId)).toEqual([1, 2, 3, 1]);
    expect(h.idempotencyKeysFor(input.orderId)).toEqual(Array(4).fill(`validate-card:${input.orderId}`));
    // The validator's ledger holds one answer for the order, under that key.
    expect(h.validatorLedger.entries().map(([key]) => key)).toEqual([`validate-card:${input.orderId}`]);
  });

  test('ResumeValidation re-activates a stalled validation at once', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({ validationPolicy: { ...testPolicy, reactivateAfter: '1 day' } });
    h.script(input.orderId, (call) => (call <= 3 ? refuseAll() : {}));
    await h.run(async () => {
      const { state } = await submit(input);
      const stalled = await waitForState(state, (s) => s.status === 'ValidationStalled', 'ValidationStalled');
      await resumeValidation(env.client, input.orderId);
      const validated = await waitForState(state, (s) => s.status === 'Validated', 'Validated after resume');
      expect(Date.parse(validated.validation.answeredAt ?? '')).toBeLessThan(
        Date.parse(stalled.validation.nextReactivationAt ?? ''),
      );
      expect(validated.stallEpisodes).toEqual([expect.objectContaining({ reactivations: 1 })]);

      await confirmOrder(env.client, input.orderId, 'm-1');
      const confirmed = await waitForState(state, (s) => s.status === 'Confirmed', 'Confirmed');
      expect(confirmed.refusals).toEqual([]);
      expect(confirmed.validation.rounds).toBe(2);
    });
    expect(h.attemptsFor(input.orderId)).toEqual([1, 2, 3, 1]);
    expect(h.alertsFor(input.orderId)).toHaveLength(1);
  });
});
