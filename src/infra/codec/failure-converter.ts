/**
 * Loaded inside the workflow sandbox (and by every client and worker) through `failureConverterPath`: failure
 * messages and stack traces travel as an encoded payload, so the payload codec encrypts them like any other
 * payload and an error that quotes an order's input cannot leak it into history. The bundler loads it, so it
 * imports `@temporalio/common` only.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
