// Shared by the framework-core tests: the gateway validator, log capture, and a
// call through the gateway in-process.
import type { Application } from '../../src/gateway/types.ts';
import { callApplication } from '../../src/gateway/testing.ts';
import { validator } from '../../src/gateway/validator.ts';
import type { TestRequest, TestResponse } from '../../src/gateway/testing.ts';
import { getLogger } from '../../src/utils/log.ts';
import type { LogRecord } from '../../src/utils/log.ts';

/** `app` wrapped in the validator; its `ready` is kept. */
export async function validated(app: Application): Promise<Application> {
  const wrapped = validator(app);
  if (wrapped.ready === undefined && app.ready !== undefined) wrapped.ready = app.ready;
  return wrapped;
}

/** One request through the (validated) application, in-process; errors become the 500 a server sends. */
export async function call(app: Application, request: TestRequest): Promise<TestResponse> {
  return callApplication(app, request, { raiseErrors: false });
}

/** Collects the records of a logger (and its children) while a test runs. */
export function captureLogs(name: string): { records: LogRecord[]; stop(): void } {
  const records: LogRecord[] = [];
  const logger = getLogger(name);
  const handler = { level: 0, handle: (record: LogRecord) => void records.push(record) };
  logger.addHandler(handler);
  return { records, stop: () => logger.removeHandler(handler) };
}
