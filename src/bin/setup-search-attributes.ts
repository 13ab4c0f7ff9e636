import { temporal } from '@temporalio/proto';
import { connectClient } from '../clients/connection';
import { connectionSettings } from '../infra/temporal-connection';
import { searchAttributeKeys } from '../contract';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * Registers the search attributes the workflows upsert on a self-hosted cluster (the dev server scripts do
 * it with `--search-attribute`; on Temporal Cloud add them in the namespace settings instead).
 */
async function main(): Promise<void> {
  const client = await connectClient();
  try {
    const { namespace } = connectionSettings();
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
    const missing = searchAttributeKeys.filter((key) => !(key.name in customAttributes));
    if (missing.length === 0) {
      console.log(`search attributes already registered in ${namespace}`);
      return;
    }
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, KEYWORD])),
    });
    console.log(`registered ${missing.map((key) => key.name).join(', ')} in ${namespace}`);
  } finally {
    await client.connection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
