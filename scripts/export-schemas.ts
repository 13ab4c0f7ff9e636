/**
 * Writes docs/schemas/<Message>.schema.json from the message schemas in src/contract/messages.ts (`npm run schemas`), so that
 * people starting workflows or sending signals by hand see what to send. test/schemas.test.ts fails when the committed
 * files differ from what the schemas produce.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaOf, messageNames, schemaFile } from '../src/infra/message-schemas';

async function main(): Promise<void> {
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
