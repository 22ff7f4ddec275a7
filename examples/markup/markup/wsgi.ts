/**
 * The TSGI entry point of the markup project: servers run `application`.
 *
 *   npx tsgi serve markup.wsgi:application --bind 0.0.0.0:8000
 */
import { getWsgiApplication } from 'tsgi/core/wsgi';

process.env.TSGI_SETTINGS_MODULE ??= 'markup.settings';

export const application = getWsgiApplication();
