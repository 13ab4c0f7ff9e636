/**
 * Writes docs/schemas/<Message>.schema.json from the message schemas in src/contract/messages.ts (`npm run schemas`), so that
 * people starting workflows or sending signals by hand see what to send. test/schemas.test.ts fails when the committed
 * files differ from what the schemas produce.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJSONSchema } from 'zod/mini';
import { messageSchemas } from '../src/contract/messages';
import type { MessageName } from '../src/contract/messages';
import { projectRoot } from '../src/infra/project-root';

export const messageNames = Object.keys(messageSchemas) as MessageName[];

export const schemaFile = (name: MessageName): string =>
  join(projectRoot(), 'docs', 'schemas', `${name}.schema.json`);

/** The JSON Schema of what to send: zod's input side, before trimming and normalising. */
export const jsonSchemaOf = (name: MessageName) => toJSONSchema(messageSchemas[name](), { io: 'input' });

async function main(): Promise<void> {
  // Loaded here, not at the top: prettier loads its parsers with import(), which jest (importing jsonSchemaOf) lacks.
  const { format, resolveConfig } = await import('prettier');
  for (const name of messageNames) {
    const file = schemaFile(name);
    mkdirSync(join(file, '..'), { recursive: true });
    // Formatted as the project formats JSON, so that `prettier --check` passes on it.
    const text = await format(JSON.stringify(jsonSchemaOf(name)), {
      ...(await resolveConfig(file)),
      filepath: file,
    });
    writeFileSync(file, text);
    console.log(`wrote docs/schemas/${name}.schema.json`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
