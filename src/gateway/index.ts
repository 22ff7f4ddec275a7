/**
 * `tsgi/gateway`: the TSGI contract (docs/spec.md) and what implements it: the validator, the
 * reference server on node:http, the Fetch adapters and an in-process test client.
 */
export type * from './types.ts';
export * from './fetch.ts';
