/** The sessions app, for INSTALLED_APPS (`'tsgi.contrib.sessions'`): it brings `clearsessions`. */
import { AppConfig } from '../../apps/config.ts';

export class SessionsConfig extends AppConfig {
  override name = 'tsgi.contrib.sessions';
  override verboseName = 'Sessions';
}
