/**
 * `tsgi/gateway`: the TSGI contract (docs/spec.md) and what implements it: the validator, the
 * reference server on node:http, the Fetch adapters and an in-process test client.
 */
export type * from './types.ts';
export * from './fetch.ts';
export { allowHalfOpen, createListener, createServer, serve, handleClientError } from './server.ts';
export type { ListenerOptions, ServerOptions, ServeOptions, ServerHandle, TsgiListener } from './server.ts';
export { buildEnviron, headerKey, splitHost, stderrErrorStream } from './environ.ts';
export type { NodeEnvironOptions } from './environ.ts';
export { lingerOnClose, lingeringClose, DEFAULT_LINGER, type LingerLimits } from './linger.ts';
export { RequestInput, IncompleteBodyError, RequestBodyError, type BodyLimits } from './input.ts';
export { fileWrapper, FileWrapperBody, DEFAULT_BLOCK_SIZE } from './file-wrapper.ts';
export { Exchange, ClientDisconnectedError, bodyProblem } from './exchange.ts';
export type { ExchangeOptions } from './exchange.ts';
export {
  checkHeaders,
  connectionTokens,
  decodePath,
  isNullBodyStatus,
  parseStatus,
  HOP_BY_HOP,
  REASON_PHRASES,
} from './http-rules.ts';
export { validator, ValidationError, RULES } from './validator.ts';
export type { Rule, Side, ValidatorOptions } from './validator.ts';
export { callApplication, buildTestEnviron, BytesInput, MemoryErrorStream } from './testing.ts';
export type { TestRequest, TestResponse, CallOptions } from './testing.ts';
