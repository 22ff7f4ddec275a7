/** `manage.ts clearsessions`: removes expired sessions from the store (Django's `clearsessions`). */
import { settings } from '../../../../conf/index.ts';
import { caches } from '../../../../core/cache/index.ts';
import { connections } from '../../../../db/index.ts';
import { defineCommand } from '../../../../core/management/base.ts';
import { sessionEngine } from '../../middleware.ts';

const command = defineCommand({
  help: 'Can be run as a cronjob or directly to clean out expired sessions (the file and database engines keep them until then; caches and signed cookies expire them themselves).',
  requiresSystemChecks: false,
  async handle(_options, io) {
    const SessionStore = sessionEngine();
    if (typeof SessionStore.clearExpired !== 'function') {
      io.stderr.write(`Session engine '${settings.SESSION_ENGINE}' doesn't support clearing expired sessions.\n`);
      return;
    }
    try {
      await SessionStore.clearExpired();
    } finally {
      await caches.closeAll();
      await connections.closeAll();
    }
  },
});
export default command;
