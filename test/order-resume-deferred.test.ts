import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resumeValidation } from '../src/clients/order-client';
import { eventually } from './support/eventually';
import {
  OrderHarness,
  orderInput,
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

describe('a ResumeValidation that lands while a re-activated round is running', () => {
  test('when that round stalls too, then validation re-activates at once instead of a whole reactivateAfter later', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({ validationPolicy: { ...testPolicy, reactivateAfter: '1 day' } });
    const { maxAttempts } = testPolicy;
    // Round 1 is refused, round 2 hangs until each attempt's reply timeout (so it is surely still running when
    // the second resume lands), round 3 is answered.
    h.script(input.orderId, (call) =>
      call <= maxAttempts ? { refuse: true } : call <= 2 * maxAttempts ? { hang: true } : {},
    );
    await h.run(async () => {
      const { state } = await submitForTest(env, input);
      const stalled = await waitForState(state, (s) => s.status === 'ValidationStalled', 'ValidationStalled');
      await resumeValidation(env.client, input.orderId);
      await eventually(
        'the re-activated round asking the validator',
        () => Promise.resolve(h.attemptsFor(input.orderId).length),
        (calls) => calls > maxAttempts,
      );
      await resumeValidation(env.client, input.orderId);

      const validated = await waitForState(
        state,
        (s) => s.status === 'Validated',
        'Validated by the deferred resume',
        30_000,
      );
      expect(validated.validation.rounds).toBe(3);
      expect(validated.stallEpisodes).toEqual([expect.objectContaining({ episode: 1, reactivations: 2 })]);
      // Well before the day that re-activation by timer would have taken.
      expect(Date.parse(validated.validation.answeredAt ?? '')).toBeLessThan(
        Date.parse(stalled.validation.nextReactivationAt ?? ''),
      );
    });
    expect(h.attemptsFor(input.orderId)).toEqual([1, 2, 3, 1, 2, 3, 1]);
    expect(h.alertsFor(input.orderId)).toHaveLength(1);
  });
});
