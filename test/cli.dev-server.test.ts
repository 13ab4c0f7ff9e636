import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { eventually } from './support/eventually';
import { createAppWorkers } from './support/app-workers';
import { createDevServerEnv, uniqueId } from './support/environments';
import { startCodecServer } from './support/codec-server';
import { startOrderArgs, temporalCliPath } from './support/toolchain';

const run = promisify(execFile);
const root = resolve(__dirname, '..');

/** Commands exactly as the README shows them, against this file's own dev server. */
describe('the temporal CLI and the project CLI against the dev server', () => {
  let env: TestWorkflowEnvironment;
  let workers: Worker[];
  let running: Promise<unknown>;
  let codec: Awaited<ReturnType<typeof startCodecServer>>;

  // As the README's runbook: through the codec server, so typed JSON is encrypted and results read decoded.
  const temporal = async (...args: string[]): Promise<string> =>
    (await run(temporalCliPath(), [...args, '--address', env.address, '--codec-endpoint', codec.endpoint]))
      .stdout;

  const cli = (...args: string[]) =>
    run(join(root, 'node_modules', '.bin', 'tsx'), ['src/bin/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' },
    });

  const queryState = async (workflowId: string): Promise<Record<string, unknown>> => {
    const out = JSON.parse(
      await temporal(
        'workflow',
        'query',
        '--workflow-id',
        workflowId,
        '--name',
        'getState',
        '--output',
        'json',
      ),
    ) as { queryResult: Record<string, unknown>[] };
    return out.queryResult[0]!;
  };

  /** Issue 10's report, replayed by hand: menu A is cat-anna's, B is cat-ben's; cat-ben confirms A. */
  const menuEvent = (orderId: string, name: string, event: Record<string, string>) =>
    temporal(
      'workflow',
      'signal-with-start',
      '--type',
      'CateringMatch',
      '--task-queue',
      'orders',
      '--workflow-id',
      `catering-match-${orderId}`,
      '--id-reuse-policy',
      'RejectDuplicate',
      '--signal-name',
      name,
      '--signal-input',
      JSON.stringify({ orderId, ...event }),
      '--input',
      JSON.stringify({ orderId }),
    );
  /** The README's `temporal workflow start` of an Order, with the order's plain JSON as its input. */
  const startOrderByHand = (input: { orderId: string }) => temporal(...startOrderArgs(input));
  const anOrderOfAnnaAndBen = (orderId: string) => ({
    orderId,
    customerId: 'c-10',
    amount: 300,
    currency: 'EUR',
    card: { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' },
    menus: [
      { menuId: 'A', catererId: 'cat-anna' },
      { menuId: 'B', catererId: 'cat-ben' },
    ],
  });
  const untilIgnoredAsMismatch = (orderId: string) =>
    eventually(
      "cat-ben's confirmation of A ignored",
      () => queryState(`catering-match-${orderId}`),
      (s) => (s.ignoredByReason as Record<string, number> | undefined)?.['caterer mismatch'] === 1,
    );

  beforeAll(async () => {
    codec = await startCodecServer();
    env = await createDevServerEnv();
    const { orders, validator } = await createAppWorkers(env);
    workers = [orders, validator];
    running = Promise.all(workers.map((worker) => worker.run()));
  });

  afterAll(async () => {
    workers.forEach((worker) => worker.shutdown());
    await running;
    await env.teardown();
    await codec.close();
  });

  test('when an order is started, queried and confirmed with plain JSON, then it ends Confirmed', async () => {
    const orderId = uniqueId('cli');
    const workflowId = `order-${orderId}`;
    const input = {
      orderId,
      customerId: 'c-7',
      amount: 42.5,
      currency: 'EUR',
      card: { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' },
    };
    await startOrderByHand(input);
    await eventually(
      'Validated',
      () => queryState(workflowId),
      (state) => state.status === 'Validated',
    );

    await temporal(
      'workflow',
      'signal',
      '--workflow-id',
      workflowId,
      '--name',
      'ConfirmOrder',
      '--input',
      JSON.stringify({ orderId, menuId: 'A' }),
    );
    const state = await eventually(
      'Confirmed',
      () => queryState(workflowId),
      (s) => s.status === 'Confirmed',
    );
    expect(state).toMatchObject({ orderId, customerId: 'c-7', confirmation: { menuId: 'A' } });

    const { stdout } = await cli('status', orderId);
    expect(JSON.parse(stdout)).toMatchObject({ orderId, status: 'Confirmed' });
  });

  /** The runbook's submission by hand: update-with-start, the order's own answer (docs/running.md). */
  const submitByHand = async (input: {
    orderId: string;
    [field: string]: unknown;
  }): Promise<Record<string, unknown>> => {
    const json = JSON.stringify(input);
    const out = await temporal(
      'workflow',
      'execute-update-with-start',
      '--type',
      'Order',
      '--task-queue',
      'orders',
      '--workflow-id',
      `order-${input.orderId}`,
      '--id-conflict-policy',
      'UseExisting',
      '--id-reuse-policy',
      'RejectDuplicate',
      '--input',
      json,
      '--update-name',
      'SubmitOrder',
      '--update-input',
      json,
      '--output',
      'json',
    );
    return (JSON.parse(out) as { updateResult: Record<string, unknown> }).updateResult;
  };
  const updateByHand = async (workflowId: string, name: string, input: unknown): Promise<unknown> =>
    (
      JSON.parse(
        await temporal(
          'workflow',
          'update',
          'execute',
          '--workflow-id',
          workflowId,
          '--name',
          name,
          '--input',
          JSON.stringify(input),
          '--output',
          'json',
        ),
      ) as { result: unknown }
    ).result;
  const eventCount = async (workflowId: string): Promise<number> =>
    (await env.client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;

  test('when an order is submitted by hand with execute-update-with-start, then the order itself answers, and refuses other content under its id leaving no event', async () => {
    const input = { ...anOrderOfAnnaAndBen(uniqueId('uws')), customerId: 'c-11' };
    const workflowId = `order-${input.orderId}`;
    expect(await submitByHand(input)).toEqual({
      orderId: input.orderId,
      workflowId,
      runId: expect.any(String) as unknown,
      status: 'Pending',
      created: true,
      acknowledged: true,
    });
    expect(await submitByHand(input)).toMatchObject({ created: false, acknowledged: true });
    // Validated, so that nothing else moves its history while the refusals are counted.
    await eventually(
      'Validated',
      () => queryState(workflowId),
      (s) => s.status === 'Validated',
    );

    const before = await eventCount(workflowId);
    await expect(
      submitByHand({ ...input, card: { ...input.card, holder: 'Someone Else' } }),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(
        new RegExp(`order ${input.orderId} already exists with different content.*OrderConflict`),
      ) as unknown,
    });
    // The same refusal reaches the project client, from the same validator.
    await expect(cli('submit', '--json', JSON.stringify({ ...input, amount: 301 }))).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        new RegExp(`^error: order ${input.orderId} already exists with different content`),
      ) as unknown,
    });
    expect(await eventCount(workflowId)).toBe(before);
  });

  test('when commands are sent by hand as updates, then each gets its answer, a malformed one leaves no event, and the project CLI exits 1 on a refusal or a closed order', async () => {
    const input = anOrderOfAnnaAndBen(uniqueId('upd'));
    const workflowId = `order-${input.orderId}`;
    await submitByHand(input);
    await eventually(
      'Validated',
      () => queryState(workflowId),
      (s) => s.status === 'Validated',
    );
    expect(await updateByHand(workflowId, 'ResumeValidation', { orderId: input.orderId })).toEqual({
      outcome: 'duplicate',
      reason: 'validation is not stalled (status Validated)',
      status: 'Validated',
    });
    expect(await updateByHand(workflowId, 'ConfirmOrder', { orderId: input.orderId, menuId: 'Z' })).toEqual({
      outcome: 'refused',
      reason: 'menu Z is not on offer for this order (A, B)',
      status: 'Validated',
    });

    const before = await eventCount(workflowId);
    await expect(updateByHand(workflowId, 'CancelOrder', { orderId: 'someone-else' })).rejects.toMatchObject({
      stderr: expect.stringMatching(
        /malformed CancelOrder: orderId "someone-else" is another order's.*InvalidCommand/,
      ) as unknown,
    });
    await expect(updateByHand(workflowId, 'ConfirmOrder', { orderId: input.orderId })).rejects.toMatchObject({
      stderr: expect.stringMatching(/malformed ConfirmOrder: menuId is missing/) as unknown,
    });
    expect(await eventCount(workflowId)).toBe(before);

    await expect(cli('confirm', input.orderId, '--menu', 'Z')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        new RegExp(
          `^error: ConfirmOrder refused by order ${input.orderId} \\(Validated\\): menu Z is not on offer`,
        ),
      ) as unknown,
    });
    expect((await cli('confirm', input.orderId, '--menu', 'A')).stdout).toBe(
      'ConfirmOrder applied: order is Validated\n',
    );
    const result = (await env.client.workflow.getHandle(workflowId).result()) as { status: string };
    expect(result.status).toBe('Confirmed');
    await expect(cli('cancel', input.orderId)).rejects.toMatchObject({
      code: 1,
      stderr: `error: order ${input.orderId} is Confirmed and closed; it no longer takes commands\n`,
    });
    expect(JSON.parse((await cli('status', input.orderId)).stdout)).toMatchObject({ status: 'Confirmed' });
  });

  test('when a menu event is sent with signal-with-start before its order exists, then it creates the match, which holds the event for the order', async () => {
    const orderId = uniqueId('cli');
    const workflowId = `catering-match-${orderId}`;
    await menuEvent(orderId, 'CustomerConfirmedMenu', { menuId: 'A', eventId: 'evt-1' });
    // The order is the source of the menus: until it offers them, the match keeps the event to decide on later.
    const state = await eventually(
      'the event held',
      () => queryState(workflowId),
      (s) => JSON.stringify(s.heldEvents ?? []).includes('"eventId":"evt-1"'),
    );
    expect(state).toMatchObject({ orderId, status: 'AwaitingConfirmations', awaitingOffer: true });

    const { stdout } = await cli('match-status', orderId);
    expect(JSON.parse(stdout)).toMatchObject({ orderId, status: 'AwaitingConfirmations' });
  });

  test.each([
    ['the order is started first', ['order', 'customer', 'wrong caterer']],
    ['the menu events come before the order', ['customer', 'wrong caterer', 'order']],
  ])(
    'when %s by hand and the wrong caterer confirms a menu, then nothing matches until its own caterer does',
    async (_how, steps) => {
      const orderId = uniqueId('cli-caterer');
      for (const step of steps) {
        if (step === 'order') await startOrderByHand(anOrderOfAnnaAndBen(orderId));
        if (step === 'customer')
          await menuEvent(orderId, 'CustomerConfirmedMenu', { menuId: 'A', eventId: 'c1' });
        if (step === 'wrong caterer')
          await menuEvent(orderId, 'CatererConfirmedMenu', {
            menuId: 'A',
            catererId: 'cat-ben',
            eventId: 'k1',
          });
      }
      const validated = await eventually(
        'Validated',
        () => queryState(`order-${orderId}`),
        (s) => s.status === 'Validated',
      );
      const match = await untilIgnoredAsMismatch(orderId);
      expect(match).toMatchObject({ status: 'AwaitingConfirmations', menusOffered: true });
      expect(validated).toMatchObject({ status: 'Validated' });

      // The same orderId with another amount, through the project CLI: a conflict with the order started by hand.
      await expect(
        cli(
          'submit',
          '--order-id',
          orderId,
          '--customer',
          'c-10',
          '--amount',
          '301',
          '--currency',
          'EUR',
          '--card-number',
          '4242424242424242',
          '--card-expiry',
          '12/39',
          '--card-holder',
          'Ada Lovelace',
          '--menu',
          'A:cat-anna',
          '--menu',
          'B:cat-ben',
        ),
      ).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(
          new RegExp(`order ${orderId} already exists with different content`),
        ) as unknown,
      });

      await menuEvent(orderId, 'CatererConfirmedMenu', { menuId: 'A', catererId: 'cat-anna', eventId: 'k2' });
      const confirmed = await eventually(
        'Confirmed by menu A',
        () => queryState(`order-${orderId}`),
        (s) => s.status === 'Confirmed',
      );
      expect(confirmed).toMatchObject({ confirmation: { menuId: 'A' } });
    },
  );

  test('when the project CLI submits an order and both sides confirm a menu, then the order is Confirmed', async () => {
    const orderId = uniqueId('cli');
    const submitted = await cli(
      'submit',
      '--order-id',
      orderId,
      '--customer',
      'c-9',
      '--amount',
      '310',
      '--currency',
      'EUR',
      '--card-number',
      '4111 1111 1111 1111',
      '--card-expiry',
      '11/38',
      '--card-holder',
      'Grace Hopper',
      '--menu',
      'A:caterer-anna',
      '--menu',
      'B:caterer-ben',
    );
    expect(JSON.parse(submitted.stdout)).toMatchObject({
      order: { orderId, status: 'Pending', created: true, acknowledged: true },
    });

    await cli(
      'confirm-menu',
      '--order',
      orderId,
      '--menu',
      'B',
      '--by',
      'caterer',
      '--caterer',
      'caterer-ben',
    );
    await cli('confirm-menu', '--order', orderId, '--menu', 'B', '--by', 'customer');
    const state = await eventually(
      'Confirmed',
      async () => JSON.parse((await cli('status', orderId)).stdout) as Record<string, unknown>,
      (s) => s.status === 'Confirmed',
    );
    expect(state).toMatchObject({ confirmation: { menuId: 'B' } });

    const { stdout } = await cli('list', '--status', 'Confirmed', '--json');
    expect((JSON.parse(stdout) as { orderId: string }[]).map((o) => o.orderId)).toContain(orderId);
    // What an operator reads: a table line per order, with the amount from the order's memo.
    const table = (await cli('list', '--status', 'Confirmed')).stdout.split('\n');
    expect(table[0]).toMatch(/^ORDER +STATUS +CUSTOMER +AMOUNT +AGE$/);
    expect(table.find((line) => line.startsWith(orderId))).toMatch(
      new RegExp(`^${orderId} +Confirmed +c-9 +310\\.00 EUR +\\d+[smhd]$`),
    );
    const stats = JSON.parse((await cli('stats', '--json')).stdout) as Record<string, number>;
    expect(stats.Confirmed).toBeGreaterThanOrEqual(1);
    expect(stats.total).toBeGreaterThanOrEqual(stats.Confirmed!);
    expect((await cli('stats')).stdout).toMatch(new RegExp(`^Confirmed +${stats.Confirmed}$`, 'm'));
  });

  test('when the project CLI gets bad input or an unknown order, then it exits non-zero with one clear line', async () => {
    await expect(cli('status', 'no-such-order')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: .*no-such-order.*\n$/) as unknown,
    });
    // `--amount=-5`, not `--amount -5`: the argument parser refuses the latter as an ambiguous option before the
    // order is ever checked.
    const badOrderId = uniqueId('cli');
    await expect(
      cli('submit', '--order-id', badOrderId, '--customer', 'c-1', '--amount=-5', '--currency', 'EUR'),
    ).rejects.toMatchObject({
      code: 1,
      // InvalidOrderError's line: every bad field named, the amount with the value it got.
      stderr: expect.stringMatching(
        /^error: invalid order: .*amount must be a positive number with at most two decimals \(got -5\).*card\.number is missing.*\n/,
      ) as unknown,
    });
    await expect(env.client.workflow.getHandle(`order-${badOrderId}`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    await expect(cli('frobnicate')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: unknown command frobnicate\n/) as unknown,
    });
    await expect(cli('list', '--status', 'Lost')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/unknown order status Lost/) as unknown,
    });
  });

  test('when nothing answers at the configured address, then the CLI fails fast naming the address', async () => {
    const failure = run(join(root, 'node_modules', '.bin', 'tsx'), ['src/bin/cli.ts', 'list'], {
      cwd: root,
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' },
    });
    await expect(failure).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: cannot reach Temporal at 127\.0\.0\.1:1/) as unknown,
    });
  });
});

/** The project CLI's own words when no order worker runs, on a dev server of its own with none. */
describe('the project CLI with no order worker', () => {
  let env: TestWorkflowEnvironment | undefined;

  beforeAll(async () => {
    env = await createDevServerEnv();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  const cli = (address: string, ...args: string[]) =>
    run(join(root, 'node_modules', '.bin', 'tsx'), ['src/bin/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' },
    });

  test('when an order is submitted, then after the default 10 seconds the CLI says it is stored but not yet acknowledged, and it runs once a worker does', async () => {
    const server = env!;
    const orderId = uniqueId('cli-unacked');
    const order = {
      orderId,
      customerId: 'c-12',
      amount: 80,
      currency: 'EUR',
      card: { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' },
    };
    const began = Date.now();
    const { stdout, stderr } = await cli(server.address, 'submit', '--json', JSON.stringify(order));
    expect(Date.now() - began).toBeGreaterThanOrEqual(10_000);
    expect(JSON.parse(stdout)).toMatchObject({ order: { orderId, status: 'Pending', acknowledged: false } });
    expect(stderr).toMatch(new RegExp(`^order ${orderId} is stored but not yet acknowledged`, 'm'));

    const { orders, validator } = await createAppWorkers(server);
    await orders.runUntil(
      validator.runUntil(() =>
        eventually(
          'Validated once a worker runs',
          async () =>
            JSON.parse((await cli(server.address, 'status', orderId)).stdout) as Record<string, unknown>,
          (s) => s.status === 'Validated',
        ),
      ),
    );
  });
});
