# The Django side of test/db/differential.test.ts: loads the fixture into an in-memory SQLite
# database through Django 3.2's ORM, runs each case of the JSON case list (a small language of
# queryset calls shared with the TypeScript side), and prints every result as JSON: rows,
# counts, values, the class name of an error, and the number of queries where asked.
#
# Usage: python3 orm_oracle.py <data.json> <cases.json>
# With ORACLE_PG='{"HOST": ..., "PORT": ..., "NAME": ..., "USER": ...}' in the environment the
# database is that PostgreSQL one (psycopg2) instead of SQLite in memory.
import datetime
import decimal
import json
import os
import sys

import pytz

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django
from django.conf import settings

PG = json.loads(os.environ['ORACLE_PG']) if os.environ.get('ORACLE_PG') else None
DATABASE = dict(PG, ENGINE='django.db.backends.postgresql') if PG else {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}

settings.configure(
    DEBUG=False,
    USE_TZ=True,
    TIME_ZONE='UTC',
    DATABASES={'default': DATABASE},
    INSTALLED_APPS=['blog'],
    DEFAULT_AUTO_FIELD='django.db.models.AutoField',
)
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Avg, Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, Subquery, Sum, Value  # noqa: E402
from django.db.models import DateField, DateTimeField  # noqa: E402
from django.db.models.functions import Trunc  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from blog import models  # noqa: E402

MODELS = [models.Author, models.Category, models.Tag, models.Post, models.Comment, models.Profile]
AGGREGATES = {'$Count': Count, '$Sum': Sum, '$Avg': Avg, '$Min': Min, '$Max': Max}


def decode(value):
    """A JSON value of the case language as a Python value."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if '$F' in value:
        expr = F(value['$F'])
        for op, operand in value.get('ops', []):
            expr = _combine(expr, op, decode(operand))
        return expr
    if '$date' in value:
        return datetime.date.fromisoformat(value['$date'])
    if '$datetime' in value:
        return datetime.datetime.fromisoformat(value['$datetime'].replace('Z', '+00:00'))
    if '$decimal' in value:
        return decimal.Decimal(value['$decimal'])
    if '$value' in value:
        return Value(value['$value'])
    if '$Trunc' in value:
        args = value['$Trunc']
        output = {'date': DateField(), 'datetime': DateTimeField()}.get(args[2]) if len(args) > 2 else None
        tzinfo = pytz.timezone(args[3]) if len(args) > 3 else None
        return Trunc(args[0], args[1], output_field=output, tzinfo=tzinfo)
    if '$qs' in value:
        return build(value['$qs'])
    if '$outer' in value:
        return OuterRef(value['$outer'])
    if '$exists' in value:
        return Exists(build(value['$exists']))
    if '$subquery' in value:
        return Subquery(build(value['$subquery']))
    for key, aggregate in AGGREGATES.items():
        if key in value:
            args = value[key]
            source = args[0]
            options = dict(args[1]) if len(args) > 1 else {}
            if 'filter' in options:
                options['filter'] = q(options['filter'])
            return aggregate(source, **options)
    if set(value) & {'$or', '$and', '$not'}:
        return q(value)
    return {k: decode(v) for k, v in value.items()}


def _combine(expr, op, operand):
    if op == '+':
        return expr + operand
    if op == '-':
        return expr - operand
    if op == '*':
        return expr * operand
    raise ValueError(op)


def q(spec):
    """A filter of the case language as a Q."""
    if '$or' in spec:
        result = Q()
        for part in spec['$or']:
            result |= q(part)
        return result
    if '$and' in spec:
        result = Q()
        for part in spec['$and']:
            result &= q(part)
        return result
    if '$not' in spec:
        return ~q(spec['$not'])
    return Q(**{k: decode(v) for k, v in spec.items()})


def build(chain_spec):
    model = getattr(models, chain_spec['model'])
    qs = model.objects.all()
    for step in chain_spec.get('chain', []):
        name, args = step[0], step[1:]
        if name in ('filter', 'exclude'):
            qs = getattr(qs, name)(*[q(a) for a in args])
        elif name == 'order_by':
            qs = qs.order_by(*[decode(a) if isinstance(a, dict) else a for a in args])
        elif name in ('annotate', 'alias'):
            qs = getattr(qs, name)(**{k: decode(v) for k, v in args[0].items()})
        elif name == 'values':
            qs = qs.values(*args)
        elif name == 'values_list':
            options = args[-1] if args and isinstance(args[-1], dict) else {}
            fields = args[:-1] if options else args
            qs = qs.values_list(*fields, **options)
        elif name == 'slice':
            qs = qs[args[0]:args[1] if len(args) > 1 else None]
        elif name == 'prefetch_related':
            qs = qs.prefetch_related(*[
                Prefetch(a['lookup'], queryset=build(a['queryset']) if 'queryset' in a else None, to_attr=a.get('to_attr'))
                if isinstance(a, dict) else a for a in args
            ])
        elif name == 'union':
            qs = qs.union(*[build(a) for a in args])
        elif name == 'datetimes' and len(args) > 3:
            qs = qs.datetimes(*args[:3], tzinfo=pytz.timezone(args[3]['tzinfo']))
        else:
            qs = getattr(qs, name)(*args)
    return qs


def serialize(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S.%f')
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [serialize(v) for v in value]
    if isinstance(value, dict):
        return {k: serialize(v) for k, v in value.items()}
    return value


def follow(obj, path):
    """A related value reached from an object (`author.name`, `tags`, `comments.text`)."""
    current = obj
    for part in path.split('.'):
        if current is None:
            return None
        if isinstance(current, list):
            return [follow(item, part) for item in current]
        current = getattr(current, part)
        if hasattr(current, 'all') and callable(current.all):
            current = list(current.all())
    if isinstance(current, list):
        return [serialize(getattr(c, 'pk', c)) for c in current]
    if hasattr(current, '_meta'):
        return current.pk
    return serialize(current)


def row(obj, case):
    if not hasattr(obj, '_meta'):
        return serialize(obj)
    out = {f.attname: serialize(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}
    for name in case.get('attrs', []):
        out[name] = serialize(getattr(obj, name))
    for name in case.get('attrsList', []):
        out[name] = [item.pk for item in getattr(obj, name)]
    for path in case.get('follow', []):
        out[path] = follow(obj, path)
    return out


def evaluate(case):
    result = case.get('result', 'rows')
    qs = build(case)
    if result == 'rows':
        return [row(o, case) for o in qs]
    if result == 'count':
        return qs.count()
    if result == 'exists':
        return qs.exists()
    if result in ('first', 'last'):
        obj = getattr(qs, result)()
        return None if obj is None else row(obj, case)
    if result in ('get', 'earliest', 'latest'):
        return row(getattr(qs, result)(*case.get('args', [])), case)
    if result == 'aggregate':
        return serialize(qs.aggregate(**{k: decode(v) for k, v in case['aggregate'].items()}))
    if result == 'in_bulk':
        return {str(k): row(v, case) for k, v in qs.in_bulk(case.get('args', [None])[0]).items()}
    if result == 'update':
        with transaction.atomic():
            count = qs.update(**{k: decode(v) for k, v in case['values'].items()})
            after = [row(o, case) for o in build({'model': case['model'], 'chain': [['order_by', 'pk']]})]
            transaction.set_rollback(True)
        return [count, after]
    if result == 'delete':
        with transaction.atomic():
            deleted = qs.delete()
            counts = {m.__name__: m.objects.count() for m in MODELS}
            transaction.set_rollback(True)
        return [deleted[0], deleted[1], counts]
    raise ValueError('unknown result ' + result)


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    with open(sys.argv[2]) as f:
        cases = json.load(f)
    with connection.schema_editor() as editor:
        for model in MODELS:
            editor.create_model(model)
    for name, rows in data['rows'].items():
        model = getattr(models, name)
        for fields in rows:
            model.objects.create(**{k: decode(v) for k, v in fields.items()})
    for post_id, tag_ids in data['tags'].items():
        models.Post.objects.get(pk=int(post_id)).tags.set(tag_ids)
    results = {}
    for case in cases:
        try:
            if case.get('queries'):
                with CaptureQueriesContext(connection) as captured:
                    value = evaluate(case)
                results[case['id']] = {'value': value, 'queries': len(captured.captured_queries)}
            else:
                results[case['id']] = {'value': evaluate(case)}
        except Exception as error:  # the class name is the result
            results[case['id']] = {'error': type(error).__name__}
    json.dump(results, sys.stdout, sort_keys=True)


main()
