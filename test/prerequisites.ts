/**
 * The `skip` option of a suite that needs something a machine may lack (Django, recorded
 * answers). Elsewhere the suite is skipped with the reason; in CI (CI=true) the missing
 * prerequisite is a failing test instead: .ci/run installs what every suite needs, and a suite
 * that quietly did not run would let CI pass without it.
 *
 * @example
 * describe('against Django 3.2', { skip: skipUnlessPresent(hasDjango ? undefined : 'Django is not installed') }, ...)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

export function skipUnlessPresent(missing: string | undefined): string | false {
  if (missing === undefined) return false;
  if (process.env.CI === 'true') {
    test(`prerequisite: ${missing}`, () => {
      assert.fail(`${missing}. In CI this suite must run, not skip: .ci/run installs what it needs.`);
    });
  }
  return missing;
}
