// Builds a request from an environ as the gateway handler does, and reads its body (the handler
// does that before calling a view; these tests call the request layer directly).
import { WSGIRequest } from '../../src/core/handlers/wsgi.ts';
import type { Environ } from '../../src/gateway/types.ts';

export async function loadedRequest(environ: Environ): Promise<WSGIRequest> {
  const request = new WSGIRequest(environ);
  await request.loadBody();
  return request;
}
