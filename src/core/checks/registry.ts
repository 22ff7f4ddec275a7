/**
 * The system check registry, as Django's `django.core.checks.registry`: checks register with
 * tags; deployment checks run only with `check --deploy`.
 */
import type { CheckMessage } from './messages.ts';

/** A check returns its findings; it may be async (a check that reads files). */
export type Check = (context: { appConfigs?: readonly unknown[] }) => CheckMessage[] | Promise<CheckMessage[]>;

/** The built-in tags. */
export const Tags = {
  security: 'security',
  urls: 'urls',
  templates: 'templates',
  staticfiles: 'staticfiles',
  compatibility: 'compatibility',
} as const;

interface Entry {
  check: Check;
  tags: readonly string[];
  deploy: boolean;
}

export class CheckRegistry {
  #entries: Entry[] = [];

  /**
   * Registers a check.
   *
   * @example
   * registry.register(() => settings.DEBUG ? [Warning('DEBUG is on.', { id: 'myapp.W001' })] : [], ['myapp']);
   */
  register(check: Check, tags: readonly string[] = [], options: { deploy?: boolean } = {}): Check {
    if (!this.#entries.some((e) => e.check === check))
      this.#entries.push({ check, tags, deploy: options.deploy ?? false });
    return check;
  }

  /** Every registered tag, for `check --list-tags`. */
  tagsAvailable(deploy = false): string[] {
    return [...new Set(this.#entries.filter((e) => deploy || !e.deploy).flatMap((e) => e.tags))].sort();
  }

  tagExists(tag: string, deploy = false): boolean {
    return this.tagsAvailable(deploy).includes(tag);
  }

  /** Runs the checks with any of `tags` (all when omitted); deployment checks only when asked. */
  async runChecks(
    options: { tags?: readonly string[]; includeDeploymentChecks?: boolean; appConfigs?: readonly unknown[] } = {},
  ): Promise<CheckMessage[]> {
    const messages: CheckMessage[] = [];
    for (const entry of this.#entries) {
      if (entry.deploy && !options.includeDeploymentChecks) continue;
      if (options.tags?.length && !entry.tags.some((t) => options.tags!.includes(t))) continue;
      messages.push(...(await entry.check({ appConfigs: options.appConfigs })));
    }
    return messages;
  }
}

/** The registry the `check` command and `runserver` use. */
export const registry = new CheckRegistry();
export const register = registry.register.bind(registry);
export const runChecks = registry.runChecks.bind(registry);
