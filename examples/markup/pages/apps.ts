/** The configuration of the pages app. */
import { AppConfig } from 'tsgi/apps';

export default class PagesConfig extends AppConfig {
  override name = 'pages';
}
