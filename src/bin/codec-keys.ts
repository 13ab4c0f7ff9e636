import { keySource } from '../infra/config';
import {
  ensureKeyFile,
  loadKeyRing,
  newKeyEntry,
  newKeyId,
  readableByOthers,
  rotateKeyFile,
} from '../infra/codec/key-ring';

const usage = 'usage: npm run codec-keys -- create | rotate | check | generate';

/** `npm run codec-keys -- create|rotate|check|generate`: the key file that clients, workers and the codec server share. */
function main(): void {
  const command = process.argv[2];
  if (command === 'generate') {
    // For CATERING_CODEC_KEYS in containers: printed, never written anywhere.
    console.log(newKeyEntry(newKeyId()));
    return;
  }
  const source = keySource();
  if (source.kind === 'env') {
    if (command !== 'check')
      throw new Error('CATERING_CODEC_KEYS is set: keys come from the environment, not a file');
    console.log(`keys: ${loadKeyRing().ids.join(', ')} from CATERING_CODEC_KEYS`);
    return;
  }
  switch (command) {
    case 'create':
      console.log(
        ensureKeyFile(source.path)
          ? `created ${source.path} (mode 0600) with a new key`
          : `${source.path} exists`,
      );
      break;
    case 'rotate': {
      ensureKeyFile(source.path);
      const id = rotateKeyFile(source.path);
      console.log(
        `new key ${id} put first in ${source.path}: restart clients, workers and the codec server to encrypt with it; ` +
          'keep the older keys until no open workflow holds payloads encrypted with them',
      );
      break;
    }
    case 'check':
      loadKeyRing();
      if (readableByOthers(source.path))
        console.warn(`warning: ${source.path} is readable by others: chmod 600`);
      console.log(`keys: ${loadKeyRing().ids.join(', ')} from ${source.path}`);
      break;
    default:
      throw new Error(usage);
  }
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
