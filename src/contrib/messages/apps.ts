/** The messages app, for INSTALLED_APPS (`'tsgi.contrib.messages'`). */
import { AppConfig } from '../../apps/config.ts';

export class MessagesConfig extends AppConfig {
  override name = 'tsgi.contrib.messages';
  override verboseName = 'Messages';
}
