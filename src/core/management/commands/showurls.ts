/** `manage.ts showurls`: every URL pattern of the project, with its view and name. */
import { defineCommand } from '../base.ts';

interface PatternLike {
  pattern?: { toString(): string; describe?(): string };
  callback?: { name?: string; viewClass?: { name?: string } };
  name?: string | null;
  urlPatterns?: PatternLike[];
  urlpatterns?: PatternLike[];
  namespace?: string | null;
}

const command = defineCommand({
  help: 'Lists every URL pattern of the project: the route, the view and the name (with its namespaces).',
  requiresSystemChecks: false,
  options: {
    format: { type: 'string', default: 'table', choices: ['table', 'json'], help: 'Output format.' },
  },
  async handle({ format }, io) {
    const urls = (await import('../../../urls/index.ts')) as unknown as { getResolver(): PatternLike };
    const rows: Array<{ pattern: string; view: string; name: string }> = [];
    const walk = (patterns: PatternLike[], prefix: string, namespaces: string[]) => {
      for (const p of patterns) {
        const route = prefix + String(p.pattern ?? '');
        const children = p.urlPatterns ?? p.urlpatterns;
        if (children) {
          walk(children, route, p.namespace ? [...namespaces, p.namespace] : namespaces);
          continue;
        }
        const view = p.callback?.viewClass?.name ?? p.callback?.name ?? '(anonymous)';
        rows.push({ pattern: route || '(root)', view, name: p.name ? [...namespaces, p.name].join(':') : '' });
      }
    };
    const root = urls.getResolver();
    walk(root.urlPatterns ?? root.urlpatterns ?? [], '/', []);
    if (format === 'json') {
      io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      return;
    }
    const w1 = Math.max(7, ...rows.map((r) => r.pattern.length));
    const w2 = Math.max(4, ...rows.map((r) => r.view.length));
    io.stdout.write(`${'Pattern'.padEnd(w1)}  ${'View'.padEnd(w2)}  Name\n`);
    for (const r of rows) io.stdout.write(`${r.pattern.padEnd(w1)}  ${r.view.padEnd(w2)}  ${r.name}\n`);
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
