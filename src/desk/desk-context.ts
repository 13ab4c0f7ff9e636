import type { Client } from '@temporalio/client';

/**
 * How long the desk, its API and its pages alike, waits for an order's answer to a command before it says none came
 * (the API's 503, safe to retry).
 */
export const answerWithin = '10 seconds';

/** What every route of the desk is given: the Temporal client, the operator token and the links' key and base URL. */
export interface DeskContext {
  client: Client;
  operatorToken: string;
  link: { key: string; publicUrl: string };
}
