/**
 * The gateway conformance suite (test/gateway/conformance.ts), run against a real `tsgi serve`
 * process serving the suite's application.
 */
import { runConformance } from '../gateway/conformance.ts';
import { repoRoot, serve } from './helpers.ts';

runConformance('tsgi serve', async () => {
  const s = await serve(['test.gateway.conformance-apps:application', '--workers', '1'], { cwd: repoRoot });
  return {
    port: s.port,
    errorOutput: () => s.stderr(),
    close: async () => {
      await s.stop();
    },
  };
});
