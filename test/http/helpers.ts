// Builds a request from an environ as the gateway handler does, and reads its body (the handler
// does that before calling a view; these tests call the request layer directly).
import { requestFromEnviron } from '../../src/core/handlers/wsgi.ts';
import type { Environ } from '../../src/gateway/types.ts';
import type { HttpRequest } from '../../src/http/request.ts';

export async function loadedRequest(environ: Environ): Promise<HttpRequest> {
  const request = requestFromEnviron(environ);
  await request.loadBody();
  return request;
}
