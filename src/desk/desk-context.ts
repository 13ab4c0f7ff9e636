import type { Client } from '@temporalio/client';

/** What every route of the desk is given: the Temporal client, the operator token and the links' key and base URL. */
export interface DeskContext {
  client: Client;
  operatorToken: string;
  link: { key: string; publicUrl: string };
}
