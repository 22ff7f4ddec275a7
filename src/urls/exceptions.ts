/** The URL dispatcher's exceptions, as Django's `django.urls.exceptions`. */
import { Http404 } from '../http/exceptions.ts';

/**
 * No URL pattern matched the path: a 404 answer. `tried` lists, for each pattern tried, the
 * chain of patterns from the URLconf down to it (the DEBUG 404 page shows them); it is computed
 * when first read, so a 404 costs nothing extra unless someone looks.
 */
export class Resolver404 extends Http404 {
  override name = 'Resolver404';
  /** The part of the path left when the failing resolver was reached. */
  readonly path: string;
  #tried: (() => unknown[][]) | unknown[][] | undefined;

  constructor(message: string, path: string, tried?: (() => unknown[][]) | unknown[][]) {
    super(message);
    this.path = path;
    this.#tried = tried;
  }

  /** The patterns tried, each as the list of patterns from the root URLconf down to it. */
  get tried(): unknown[][] | undefined {
    if (typeof this.#tried === 'function') this.#tried = this.#tried();
    return this.#tried;
  }
}

/** `reverse()` found no pattern for the name and arguments; the message says what was tried. */
export class NoReverseMatch extends Error {
  override name = 'NoReverseMatch';
}
