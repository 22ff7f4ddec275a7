/**
 * `tsgi/test`: the framework's test tools, as Django's `django.test`.
 *
 * @example
 * import { Client, overrideSettings } from 'tsgi/test';
 * using _ = overrideSettings({ DEBUG: true });
 * const response = await new Client().get('/hello/');
 */
export {
  Client,
  RequestFactory,
  encodeMultipart,
  setupTestEnvironment,
  BOUNDARY,
  MULTIPART_CONTENT,
} from './client.ts';
export type { ClientOptions, ClientResponse, RequestOptions, RequestData, UploadFile, FormValue } from './client.ts';
export { overrideSettings } from '../conf/index.ts';
export {
  TestCase,
  TransactionTestCase,
  LiveServerTestCase,
  captureOnCommitCallbacks,
  testDatabasesConfigured,
} from './testcases.ts';
export type { BaseTestCaseOptions, TestCaseOptions, TransactionTestCaseOptions } from './testcases.ts';
export { assertNumQueries, captureQueries, type CapturedQuery } from '../db/observers.ts';
