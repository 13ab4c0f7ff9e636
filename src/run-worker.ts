import { Worker } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import { connectWorker } from './connection';

/**
 * Connects to the configured cluster and runs one worker until SIGINT/SIGTERM, closing the connection after.
 * Both processes of this project (the order worker and the validator) are this with different options.
 */
export async function runWorker(
  options: Omit<WorkerOptions, 'connection' | 'namespace' | 'dataConverter'>,
): Promise<void> {
  const { connection, namespace, dataConverter } = await connectWorker();
  try {
    const worker = await Worker.create({ ...options, connection, namespace, dataConverter });
    console.log(`${options.taskQueue}: polling in namespace ${namespace}`);
    await worker.run();
  } finally {
    await connection.close();
  }
}
