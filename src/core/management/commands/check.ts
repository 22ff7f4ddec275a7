/** `manage.ts check`: runs the system checks (Django's `check`). */
import { FAIL_LEVELS, registry } from '../../checks/index.ts';
import { CommandError, defineCommand } from '../base.ts';
import { runSystemChecks } from '../checks.ts';

const command = defineCommand({
  help: 'Checks the entire tsgi project for potential problems.',
  requiresSystemChecks: false,
  positionals: [
    {
      name: 'app_label',
      help: 'Only the checks of these apps (accepted for compatibility; checks are project-wide).',
      variadic: true,
    },
  ],
  options: {
    tag: { type: 'strings', short: 't', help: 'Run only checks labeled with given tag.' },
    'list-tags': { type: 'boolean', default: false, help: 'List available tags.' },
    deploy: { type: 'boolean', default: false, help: 'Check deployment settings.' },
    'fail-level': {
      type: 'string',
      default: 'ERROR',
      choices: ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'],
      help: 'Message level that will cause the command to exit with a non-zero status.',
    },
  },
  async handle({ tag, listTags, deploy, failLevel }, io) {
    // Registers the built-in checks before listing tags.
    if (listTags) {
      await runSystemChecks(
        { ...io, stdout: { write() {} }, stderr: { write() {} } },
        { deploy, failLevel: Infinity, displayNumIssues: false },
      );
      io.stdout.write(registry.tagsAvailable(deploy).join('\n') + '\n');
      return;
    }
    await runSystemChecks(
      { ...io, stdout: { write() {} }, stderr: { write() {} } },
      { deploy, failLevel: Infinity, displayNumIssues: false },
    );
    const unknown = tag.filter((t) => !registry.tagExists(t, deploy));
    if (unknown.length)
      throw new CommandError(
        `There is no system check with the "${unknown[0]}" tag. Run 'manage.ts check --list-tags' for the tags there are.`,
      );
    await runSystemChecks(io, { tags: tag.length ? tag : undefined, deploy, failLevel: FAIL_LEVELS[failLevel] });
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
