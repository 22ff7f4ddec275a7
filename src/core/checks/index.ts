/**
 * `tsgi/core/checks`: the system check framework, as Django's `django.core.checks`.
 *
 * @example
 * import { register, Warning } from 'tsgi/core/checks';
 * register(() => [Warning('The blog has no posts yet.', { id: 'blog.W001' })], ['blog']);
 */
export {
  CheckMessage,
  DEBUG,
  INFO,
  WARNING,
  ERROR,
  CRITICAL,
  Debug,
  Info,
  Warning,
  Error_ as Error,
  Critical,
  FAIL_LEVELS,
} from './messages.ts';
export { CheckRegistry, registry, register, runChecks, Tags, type Check } from './registry.ts';
export { registerSecurityChecks, isWeakSecretKey } from './security.ts';
