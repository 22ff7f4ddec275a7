/**
 * The request signals, as Django's `django.core.signals`: `requestStarted` before the middleware
 * runs, `requestFinished` when the response is closed (after a streamed body has been sent), and
 * `gotRequestException` when a view or middleware throws. `settingChanged` is re-exported from
 * the settings layer so that one import finds them all.
 *
 * @example
 * import { requestFinished } from 'tsgi/core/signals';
 * requestFinished.connect(() => db.release());
 */
import { Signal } from '../dispatch/signal.ts';
import type { Environ } from '../gateway/types.ts';

export { settingChanged } from '../conf/signals.ts';
export type { SettingChangedEvent } from '../conf/signals.ts';

/** The payload of `requestStarted`: the gateway environ of the request. */
export interface RequestStartedEvent {
  environ: Environ;
}

/** The payload of `gotRequestException`: the request (when it was built) and the error. */
export interface GotRequestExceptionEvent {
  request: unknown;
  error: unknown;
}

/** Sent by the handler before the request is built; the sender is the handler's class. */
export const requestStarted = new Signal<RequestStartedEvent>();

/** Sent when the response is closed: its body was sent (or abandoned) and its resources freed. */
export const requestFinished = new Signal<Record<string, never>>();

/** Sent when an exception becomes a 500 response; the sender is `null`, as in Django. */
export const gotRequestException = new Signal<GotRequestExceptionEvent>();
