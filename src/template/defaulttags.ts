/**
 * The built-in tags of the Django template language (Django 3.2's `django.template.defaulttags`),
 * as one library every engine has. The nodes live in tags/ by kind; `{% block %}`, `{% extends %}`
 * and `{% include %}` are in loader-tags.ts.
 */
import { Library } from './library.ts';
import { doIf, doIfEqual } from './tags/if.ts';
import { cycle, doFor, ifchanged, resetcycle } from './tags/loop.ts';
import { comment, DebugNode, doLorem, doNow, load, spaceless, templatetag, verbatim } from './tags/text.ts';
import { autoescape, CsrfTokenNode, doFilter, doRegroup, doWidthratio, doWith, firstof, url } from './tags/values.ts';

export const register = new Library();

register.tag('autoescape', autoescape);
register.tag('comment', comment);
register.tag('csrf_token', () => new CsrfTokenNode());
register.tag('cycle', cycle);
register.tag('debug', () => new DebugNode());
register.tag('filter', doFilter);
register.tag('firstof', firstof);
register.tag('for', doFor);
register.tag('if', doIf);
register.tag('ifchanged', ifchanged);
register.tag('ifequal', doIfEqual(false));
register.tag('ifnotequal', doIfEqual(true));
register.tag('load', load);
register.tag('lorem', doLorem);
register.tag('now', doNow);
register.tag('regroup', doRegroup);
register.tag('resetcycle', resetcycle);
register.tag('spaceless', spaceless);
register.tag('templatetag', templatetag);
register.tag('url', url);
register.tag('verbatim', verbatim);
register.tag('widthratio', doWidthratio);
register.tag('with', doWith);
