import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { debugEnabled, defaultDeploymentName, deploymentConfig } from '../infra/config';
import { connectClient } from '../clients/connection';
import { getMatchState, publishMenuEvent } from '../clients/catering-match-client';
import {
  cancelOrder,
  checkOrder,
  confirmOrder,
  getOrderState,
  listOrders,
  resumeValidation,
} from '../clients/order-client';
import {
  countByVersion,
  countOrders,
  formatOrderCounts,
  formatOrdersTable,
  formatVersionCounts,
} from '../clients/operator-view';
import { placeOrder } from '../clients/place-order';
import type { CommandAnswer, OrderStatus, OrderSubmitted } from '../contract';

const usage = `usage: npm run cli -- <command> [options]

orders
  submit --order-id ID --customer C --amount 120.50 --currency EUR
         --card-number N --card-expiry MM/YY --card-holder NAME [--menu MENU:CATERER ...]
  submit --json '{...OrderSubmitted...}' | --file order.json
  status <orderId>                  the order's state (getState query)
  list [--status S] [--json]        orders from visibility as a table, optionally by OrderStatus
  stats [--json]                    orders counted by OrderStatus, stalled ones called out
  versions [--deployment D] [--json]  the order worker deployment's versions and the workflows each runs
  resume <orderId>                  re-activate a stalled validation now (ResumeValidation)
  cancel <orderId> [--reason R]     CancelOrder
  confirm <orderId> --menu M        ConfirmOrder by hand
                                    each prints the order's answer (applied, duplicate) and exits 1 on a refusal

catering match
  confirm-menu --order ID --menu M --by customer|caterer [--caterer C] [--event-id E]
  decline-menu --order ID --menu M --caterer C [--reason R] [--event-id E]
  match-status <orderId>

Connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE.`;

class UsageError extends Error {}

const commands = [
  'submit',
  'status',
  'list',
  'stats',
  'versions',
  'resume',
  'cancel',
  'confirm',
  'confirm-menu',
  'decline-menu',
  'match-status',
];

type Options = Record<string, string | boolean | string[] | undefined>;

function required(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function optional(options: Options, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

function onePositional(positionals: string[], what: string): string {
  const [value, ...rest] = positionals;
  if (!value || rest.length > 0) throw new UsageError(`expected exactly one ${what}`);
  return value;
}

/** Flags are strings on purpose: the order is validated by src/contract/order-input.ts, which names the bad field. */
function orderFromFlags(options: Options): unknown {
  const json = optional(options, 'json');
  const file = optional(options, 'file');
  if (json !== undefined) return JSON.parse(json) as unknown;
  if (file !== undefined) return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const menus = ((options.menu as string[] | undefined) ?? []).map((spec) => {
    const [menuId, catererId, ...rest] = spec.split(':');
    if (!menuId || !catererId || rest.length > 0)
      throw new UsageError(`--menu ${spec}: expected MENU:CATERER`);
    return { menuId, catererId };
  });
  const amount = optional(options, 'amount');
  return {
    orderId: optional(options, 'order-id'),
    customerId: optional(options, 'customer'),
    amount: amount === undefined ? undefined : Number(amount),
    currency: optional(options, 'currency'),
    card: {
      number: optional(options, 'card-number'),
      expiry: optional(options, 'card-expiry'),
      holder: optional(options, 'card-holder'),
    },
    menus,
  };
}

const print = (value: unknown): void => console.log(JSON.stringify(value, null, 2));

/** E.g. "CancelOrder applied: order is Cancelled", "ConfirmOrder duplicate (already confirmed with menu m1)". */
function printAnswer(command: string, answer: CommandAnswer, options: Options): void {
  if (options.json === true) return print(answer);
  const why = answer.reason === undefined ? '' : ` (${answer.reason})`;
  console.log(`${command} ${answer.outcome}${why}: order is ${answer.status}`);
}

const eventId = (options: Options, kind: string, orderId: string, menuId: string): string =>
  optional(options, 'event-id') ?? `cli:${kind}:${orderId}:${menuId}:${Date.now()}`;

async function run(
  client: Client,
  command: string,
  options: Options,
  positionals: string[],
  order: OrderSubmitted | undefined,
): Promise<void> {
  switch (command) {
    case 'submit': {
      const placed = await placeOrder(client, order);
      print(placed);
      if (!placed.order.acknowledged)
        console.error(
          `order ${placed.order.orderId} is stored but not yet acknowledged: no order worker answered; it runs once one does`,
        );
      return;
    }
    case 'status':
      return print(await getOrderState(client, onePositional(positionals, 'orderId')));
    case 'list': {
      // listOrders checks the status against the known ones and names them when it is not.
      const orders = await listOrders(client, {
        status: optional(options, 'status') as OrderStatus | undefined,
      });
      return options.json === true ? print(orders) : console.log(formatOrdersTable(orders, new Date()));
    }
    case 'stats': {
      const counts = await countOrders(client);
      return options.json === true ? print(counts) : console.log(formatOrderCounts(counts));
    }
    case 'versions': {
      const deployment =
        optional(options, 'deployment') ??
        deploymentConfig().version?.deploymentName ??
        defaultDeploymentName;
      const counts = await countByVersion(client, deployment);
      return options.json === true ? print(counts) : console.log(formatVersionCounts(counts));
    }
    // The order's own answer; a refusal is thrown, printed with its reason, and exits 1.
    case 'resume':
      return printAnswer(
        'ResumeValidation',
        await resumeValidation(client, onePositional(positionals, 'orderId')),
        options,
      );
    case 'cancel':
      return printAnswer(
        'CancelOrder',
        await cancelOrder(client, onePositional(positionals, 'orderId'), optional(options, 'reason')),
        options,
      );
    case 'confirm':
      return printAnswer(
        'ConfirmOrder',
        await confirmOrder(client, onePositional(positionals, 'orderId'), required(options, 'menu')),
        options,
      );
    case 'confirm-menu': {
      const orderId = required(options, 'order');
      const menuId = required(options, 'menu');
      const by = required(options, 'by');
      if (by === 'customer') {
        const id = eventId(options, 'CustomerConfirmedMenu', orderId, menuId);
        return print(
          await publishMenuEvent(client, 'CustomerConfirmedMenu', { orderId, menuId, eventId: id }),
        );
      }
      if (by === 'caterer') {
        const id = eventId(options, 'CatererConfirmedMenu', orderId, menuId);
        const catererId = required(options, 'caterer');
        return print(
          await publishMenuEvent(client, 'CatererConfirmedMenu', { orderId, menuId, catererId, eventId: id }),
        );
      }
      throw new UsageError('--by must be customer or caterer');
    }
    case 'decline-menu': {
      const orderId = required(options, 'order');
      const menuId = required(options, 'menu');
      const id = eventId(options, 'CatererDeclinedMenu', orderId, menuId);
      const event = { orderId, menuId, catererId: required(options, 'caterer'), eventId: id };
      const reason = optional(options, 'reason');
      return print(
        await publishMenuEvent(client, 'CatererDeclinedMenu', reason ? { ...event, reason } : event),
      );
    }
    case 'match-status':
      return print(await getMatchState(client, onePositional(positionals, 'orderId')));
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === 'help' || command === '--help') {
    console.log(usage);
    return;
  }
  // `--json` takes the order's JSON on `submit`; elsewhere it is a switch for machine-readable output.
  const jsonOutput = command !== 'submit' && rest.includes('--json');
  const { values, positionals } = parseArgs({
    args: jsonOutput ? rest.filter((arg) => arg !== '--json') : rest,
    allowPositionals: true,
    options: {
      'order-id': { type: 'string' },
      customer: { type: 'string' },
      amount: { type: 'string' },
      currency: { type: 'string' },
      'card-number': { type: 'string' },
      'card-expiry': { type: 'string' },
      'card-holder': { type: 'string' },
      menu: { type: 'string', multiple: true },
      json: { type: 'string' },
      file: { type: 'string' },
      status: { type: 'string' },
      reason: { type: 'string' },
      order: { type: 'string' },
      by: { type: 'string' },
      caterer: { type: 'string' },
      'event-id': { type: 'string' },
      deployment: { type: 'string' },
    },
  });
  // `submit --menu` takes several; every other command names one menu.
  if (command !== 'submit' && (values.menu?.length ?? 0) > 1)
    throw new UsageError('--menu given more than once');
  const options: Options = {
    ...values,
    menu: command === 'submit' ? values.menu : values.menu?.[0],
    ...(jsonOutput ? { json: true } : {}),
  };
  if (!commands.includes(command)) throw new UsageError(`unknown command ${command}`);
  // A bad order is refused here, naming its fields, before any server is involved; it is not checked again.
  const order = command === 'submit' ? checkOrder(orderFromFlags(options)) : undefined;
  const client = await connectClient();
  try {
    await run(client, command, options, positionals, order);
  } finally {
    await client.connection.close();
  }
}

main().catch((err: unknown) => {
  // One clear line for people and scripts; the stack only when asked for.
  const message = err instanceof Error ? err.message : String(err);
  console.error(`error: ${message.split('\n')[0]}`);
  if (err instanceof UsageError) console.error(`run \`npm run cli -- help\` for usage`);
  if (debugEnabled()) console.error(err);
  process.exit(1);
});
