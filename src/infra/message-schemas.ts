import { join } from 'node:path';
import { toJSONSchema } from 'zod/mini';
import { messageSchemas } from '../contract/messages';
import type { MessageName } from '../contract/messages';
import { projectRoot } from './project-root';

/** The messages that have a JSON Schema in docs/schemas/, one per schema in src/contract/messages.ts. */
export const messageNames = Object.keys(messageSchemas) as MessageName[];

export const schemaFile = (name: MessageName): string =>
  join(projectRoot(), 'docs', 'schemas', `${name}.schema.json`);

/** The JSON Schema of what to send: zod's input side, before trimming and normalising. */
export const jsonSchemaOf = (name: MessageName) => toJSONSchema(messageSchemas[name](), { io: 'input' });
