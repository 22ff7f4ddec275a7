"""Runs cases through Django's own built-in filters and utilities and prints what they return.

Reads a JSON list of cases on stdin, values tagged with their Python type (see decode()):
- {"filter", "value", "arg"?, "autoescape", "settings"?, "tz"?}: a built-in filter, called as
  Django's template engine does (FilterExpression.resolve: template_localtime for
  expects_localtime, the autoescape keyword for needs_autoescape, mark_safe of the result for
  is_safe filters given safe input);
- {"call", "args", "kwargs"?, "settings"?, "tz"?}: one of the utilities in CALLS.
Prints a JSON list of {"type", "str", "safe", "items"?} or {"raises": exception class name}.
"""
import datetime
import decimal
import json
import os
import sys
import time

os.environ['TZ'] = 'America/Chicago'  # what Django's Settings does for TIME_ZONE in a project
time.tzset()

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    USE_TZ=True,
    TIME_ZONE='America/Chicago',
    USE_L10N=False,
    USE_I18N=True,
    LANGUAGE_CODE='en-us',
)
django.setup()

import pytz  # noqa: E402
from django.template.defaultfilters import register  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils import dateformat, formats, html, numberformat, text, timesince  # noqa: E402
from django.utils.encoding import iri_to_uri, punycode  # noqa: E402
from django.utils.safestring import SafeData, mark_safe  # noqa: E402
from pprint import pformat  # noqa: E402
from urllib.parse import quote  # noqa: E402

CALLS = {
    'escape': html.escape,
    'conditional_escape': html.conditional_escape,
    'format_html': html.format_html,
    'format_html_join': html.format_html_join,
    'linebreaks': html.linebreaks,
    'strip_tags': html.strip_tags,
    'strip_spaces_between_tags': html.strip_spaces_between_tags,
    'escapejs': html.escapejs,
    'json_script': html.json_script,
    'avoid_wrapping': html.avoid_wrapping,
    'smart_urlquote': html.smart_urlquote,
    'urlize': html.urlize,
    'Truncator.chars': lambda value, *a, **k: text.Truncator(value).chars(*a, **k),
    'Truncator.words': lambda value, *a, **k: text.Truncator(value).words(*a, **k),
    'wrap': text.wrap,
    'slugify': text.slugify,
    'capfirst': text.capfirst,
    'phone2numeric': text.phone2numeric,
    'normalize_newlines': text.normalize_newlines,
    'timesince': timesince.timesince,
    'timeuntil': timesince.timeuntil,
    'numberformat.format': numberformat.format,
    'dateformat.format': dateformat.format,
    'dateformat.time_format': dateformat.time_format,
    'formats.get_format': formats.get_format,
    'formats.date_format': formats.date_format,
    'formats.time_format': formats.time_format,
    'formats.number_format': formats.number_format,
    'formats.localize': formats.localize,
    'timezone.make_aware': lambda value, tz=None, is_dst=None: timezone.make_aware(
        value, zone(tz) if tz else None, is_dst),
    'timezone.make_naive': lambda value, tz=None: timezone.make_naive(value, zone(tz) if tz else None),
    'timezone.localtime': lambda value, tz=None: timezone.localtime(value, zone(tz) if tz else None),
    'timezone.localdate': lambda value, tz=None: timezone.localdate(value, zone(tz) if tz else None),
    'timezone.is_aware': timezone.is_aware,
    'timezone.is_naive': timezone.is_naive,
    'timezone.template_localtime': timezone.template_localtime,
    'timezone.get_current_timezone_name': timezone.get_current_timezone_name,
    'iri_to_uri': iri_to_uri,
    'punycode': punycode,
    'quote': quote,
    'pformat': pformat,
}


def zone(name):
    if name in ('UTC', 'Z'):
        return pytz.utc
    if name[0] in '+-':
        sign = -1 if name[0] == '-' else 1
        hours, minutes = name[1:].split(':')
        return datetime.timezone(sign * datetime.timedelta(hours=int(hours), minutes=int(minutes)))
    return pytz.timezone(name)


def decode(v):
    t = v['t']
    if t == 'none':
        return None
    if t == 'bool':
        return v['v']
    if t == 'int':
        return int(v['v'])
    if t == 'float':
        return float(v['v'])
    if t == 'decimal':
        return decimal.Decimal(v['v'])
    if t == 'str':
        return v['v']
    if t == 'safe':
        return mark_safe(v['v'])
    if t == 'list':
        return [decode(x) for x in v['v']]
    if t == 'dict':
        return {decode(k): decode(x) for k, x in v['v']}
    if t == 'date':
        return datetime.date.fromisoformat(v['v'])
    if t == 'time':
        return datetime.time.fromisoformat(v['v'])
    if t == 'datetime':
        naive = datetime.datetime.fromisoformat(v['v'])
        if 'tz' not in v:
            return naive
        tz = zone(v['tz'])
        return tz.localize(naive) if hasattr(tz, 'localize') else naive.replace(tzinfo=tz)
    if t == 'timedelta':
        return datetime.timedelta(days=v['days'], seconds=v['seconds'], microseconds=v['us'])
    raise ValueError('unknown tag %r' % t)


def type_name(x):
    if x is None:
        return 'None'
    if isinstance(x, bool):
        return 'bool'
    if isinstance(x, str):
        return 'str'
    if isinstance(x, decimal.Decimal):
        return 'Decimal'
    return type(x).__name__


def describe(x):
    out = {'type': type_name(x), 'str': str(x), 'safe': isinstance(x, SafeData)}
    if isinstance(x, list):
        out['items'] = [describe(i) for i in x]
    return out


def call(case):
    if 'call' in case:
        args = [decode(a) for a in case['args']]
        kwargs = {k: decode(v) for k, v in case.get('kwargs', {}).items()}
        return CALLS[case['call']](*args, **kwargs)
    f = register.filters[case['filter']]
    value = decode(case['value'])
    args = [decode(case['arg'])] if 'arg' in case else []
    if getattr(f, 'expects_localtime', False):
        value = timezone.template_localtime(value, settings.USE_TZ)
    if getattr(f, 'needs_autoescape', False):
        result = f(value, *args, autoescape=case['autoescape'])
    else:
        result = f(value, *args)
    if getattr(f, 'is_safe', False) and isinstance(value, SafeData):
        result = mark_safe(result)
    return result


def run(case):
    try:
        with override_settings(**case.get('settings', {})):
            if case.get('tz'):
                with timezone.override(zone(case['tz'])):
                    return describe(call(case))
            return describe(call(case))
    except Exception as e:  # the case records what Django raises
        return {'raises': type(e).__name__}


def main():
    cases = json.load(sys.stdin)
    json.dump([run(c) for c in cases], sys.stdout)


if __name__ == '__main__':
    main()
