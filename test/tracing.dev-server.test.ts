import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { createAlertActivities } from '../activities/alerts';
import type { RaisedAlert } from '../activities/alerts';
import { createCreditCardValidatorActivities } from '../activities/credit-card-validator';
import { createMatchOfferActivities } from '../activities/match-offer';
import { createOrderNotificationActivities } from '../activities/order-notifications';
import type { PublishedConfirmation } from '../activities/order-notifications';
import { agreeOnMenu } from './support/agree-on-menu';
import { MemoryLedger } from '../src/infra/jsonl-ledger';
import { getOrderState } from '../src/clients/order-client';
import { placeOrder } from '../src/clients/place-order';
import { orderWorkflowId, TaskQueue } from '../src/contract';
import type { CreditCardValidationResult } from '../src/contract';
import { startTracing, tracingWorkflowModules } from '../src/infra/telemetry';
import type { Tracing } from '../src/infra/telemetry';
import type { Order } from '../workflows/order/order.workflow';
import { failureConverterPath, testDataConverter } from './support/codec';
import { eventually } from './support/eventually';
import { createDevServerEnv, uniqueId } from './support/environments';

/**
 * One order is one trace: the client's placeOrder, both workflows, the validator's activity, the match's
 * ConfirmOrder and publishOrderConfirmed, each span under the one that caused it. The client and both workers are
 * set up as src/clients/connection.ts and src/infra/run-worker.ts do with OTEL_EXPORTER_OTLP_ENDPOINT, exporting to memory.
 */
describe('traces: one order, one trace', () => {
  let env: TestWorkflowEnvironment;
  let tracing: Tracing;
  const exporter = new InMemorySpanExporter();

  beforeAll(async () => {
    env = await createDevServerEnv();
    tracing = startTracing('catering-test', new SimpleSpanProcessor(exporter));
  });

  afterAll(async () => {
    await tracing?.shutdown();
    await env?.teardown();
  });

  test('when an order is placed, validated and confirmed by its match, then every step is a span under the one that caused it', async () => {
    const connection = env.connection;
    const client = new Client({
      connection,
      dataConverter: testDataConverter(),
      plugins: [tracing.plugin],
    });
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      failureConverterPath,
      workflowInterceptorModules: tracingWorkflowModules,
      logger: new DefaultLogger('WARN'),
    });
    const common = {
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      dataConverter: testDataConverter(),
      plugins: [tracing.plugin],
    };
    const orders = await Worker.create({
      ...common,
      taskQueue: TaskQueue.orders,
      workflowBundle,
      activities: {
        ...createAlertActivities(new MemoryLedger<RaisedAlert>()),
        ...createOrderNotificationActivities(new MemoryLedger<PublishedConfirmation>()),
        // The traced client, as src/bin/order-worker.ts builds it: the hand-over's signal-with-start is a span too.
        ...createMatchOfferActivities(client),
      },
    });
    const validator = await Worker.create({
      ...common,
      taskQueue: TaskQueue.creditCardValidation,
      activities: createCreditCardValidatorActivities({
        ledger: new MemoryLedger<CreditCardValidationResult>(),
      }),
    });

    const orderId = uniqueId('traced');
    await orders.runUntil(
      validator.runUntil(async () => {
        await placeOrder(client, {
          orderId,
          customerId: 'c-trace',
          amount: 80,
          currency: 'EUR',
          card: { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' },
          menus: [{ menuId: 'A', catererId: 'caterer-anna' }],
        });
        // The match runs in the order's trace when the order's hand-over starts it; a menu event that came first
        // would start it in the event's own trace.
        await eventually(
          "the order's hand-over of its menus",
          () => getOrderState(client, orderId),
          (state) => state.matchOffer !== undefined,
        );
        await agreeOnMenu(client, orderId);
        const final = await client.workflow.getHandle<typeof Order>(orderWorkflowId(orderId)).result();
        expect(final.status).toBe('Confirmed');
        // Workflow spans leave the sandbox through a sink when their workflow task completes.
        await eventually(
          'the order workflow span',
          () => Promise.resolve(exporter.getFinishedSpans().map((s) => s.name)),
          (names) =>
            names.includes('RunWorkflow:Order') && names.includes('RunActivity:publishOrderConfirmed'),
        );
      }),
    );

    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'placeOrder');
    expect(root).toBeDefined();
    const inTrace = spans.filter((s) => s.spanContext().traceId === root!.spanContext().traceId);
    const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
    const one = (name: string): ReadableSpan => {
      const found = inTrace.filter((s) => s.name === name);
      expect({ name, count: found.length }).toEqual({ name, count: 1 });
      return found[0]!;
    };
    const parentOf = (name: string): string | undefined => {
      const parentId = one(name).parentSpanId;
      return parentId === undefined ? undefined : byId.get(parentId)?.name;
    };

    expect(root!.parentSpanId).toBeUndefined();
    expect({
      'UpdateWithStartWorkflow:SubmitOrder': parentOf('UpdateWithStartWorkflow:SubmitOrder'),
      'RunWorkflow:Order': parentOf('RunWorkflow:Order'),
      'StartActivity:validateCreditCard': parentOf('StartActivity:validateCreditCard'),
      'RunActivity:validateCreditCard': parentOf('RunActivity:validateCreditCard'),
      'HandleSignal:ConfirmOrder': parentOf('HandleSignal:ConfirmOrder'),
      'StartActivity:publishOrderConfirmed': parentOf('StartActivity:publishOrderConfirmed'),
      'RunActivity:publishOrderConfirmed': parentOf('RunActivity:publishOrderConfirmed'),
    }).toEqual({
      // The submission is an update sent with the start: the order's run and its answer come under it.
      'UpdateWithStartWorkflow:SubmitOrder': 'placeOrder',
      'RunWorkflow:Order': 'UpdateWithStartWorkflow:SubmitOrder',
      'StartActivity:validateCreditCard': 'RunWorkflow:Order',
      'RunActivity:validateCreditCard': 'StartActivity:validateCreditCard',
      'HandleSignal:ConfirmOrder': 'SignalWorkflow:ConfirmOrder',
      'StartActivity:publishOrderConfirmed': 'RunWorkflow:Order',
      'RunActivity:publishOrderConfirmed': 'StartActivity:publishOrderConfirmed',
    });
    // The order hands its menus over from an activity, by signal-with-start on the match.
    expect({
      'StartActivity:offerMenusToMatch': parentOf('StartActivity:offerMenusToMatch'),
      'RunActivity:offerMenusToMatch': parentOf('RunActivity:offerMenusToMatch'),
      'SignalWithStartWorkflow:CateringMatch': parentOf('SignalWithStartWorkflow:CateringMatch'),
    }).toEqual({
      'StartActivity:offerMenusToMatch': 'RunWorkflow:Order',
      'RunActivity:offerMenusToMatch': 'StartActivity:offerMenusToMatch',
      'SignalWithStartWorkflow:CateringMatch': 'RunActivity:offerMenusToMatch',
    });
    // One route from an order to its match: the order's hand-over starts it, within the one trace; the client
    // starts no match of its own.
    expect(inTrace.filter((s) => s.name === 'StartWorkflow:CateringMatch')).toEqual([]);
    expect(parentOf('RunWorkflow:CateringMatch')).toBe('SignalWithStartWorkflow:CateringMatch');
    expect(byId.get(one('SignalWorkflow:ConfirmOrder').parentSpanId ?? '')?.name).toBe(
      'RunWorkflow:CateringMatch',
    );
    // Spans carry no card data: payloads are never attributes, and nothing here quotes the input.
    expect(JSON.stringify(inTrace.map((s) => [s.attributes, s.events]))).not.toContain('4242424242424242');
  });
});
