/**
 * `tsgi/http`: requests, responses, cookies and the HTTP exceptions, as Django's `django.http`.
 */
export * from './response.ts';
export { FileResponse, guessMediaType, filenameParameter } from './file-response.ts';
export type { FileResponseOptions, FileLike } from './file-response.ts';
export { ResponseHeaders, HttpHeaders, checkHeader } from './headers.ts';
export type { HeaderValue } from './headers.ts';
export { ResponseCookie, makeCookie, parseCookie } from './cookie.ts';
export { httpDate } from '../utils/http.ts';
export type { CookieOptions, SameSite } from './cookie.ts';
export * from './exceptions.ts';
export { HttpRequest, splitDomainPort, validateHost, parseHeaderParameters, escapeUriPath } from './request.ts';
export { QueryDict, ImmutableQueryDictError, parseQsl, unquotePlus, quote } from './querydict.ts';
export type { QueryDictOptions } from './querydict.ts';
export { MultiValueDict } from '../utils/datastructures.ts';
export { UploadedFile, InMemoryUploadedFile, TemporaryUploadedFile } from '../core/files/uploadedfile.ts';
