"""Django 3.2 side of bench/urls.ts: builds the same 1,000-pattern URLconf from the JSON spec
and prints resolve()/reverse() ns/op for each probe (best of 15 interleaved rounds), as JSON."""
import json
import sys
import time

import django
from django.conf import settings

spec_file = sys.argv[1]
with open(spec_file) as f:
    data = json.load(f)

settings.configure(ROOT_URLCONF=__name__, DEBUG=False, ALLOWED_HOSTS=['*'])
django.setup()

from django.urls import include, path, resolve, reverse  # noqa: E402


def view(request, **kwargs):
    return None


def build(spec):
    out = []
    for s in spec:
        if 'include' in s:
            out.append(path(s['route'], include((build(s['include']), s['appName']), namespace=s.get('namespace'))))
        else:
            out.append(path(s['route'], view, name=s.get('name')))
    return out


urlpatterns = build(data['spec'])


ROUNDS = 15
ITERATIONS = 2000


def one_round(fn):
    start = time.perf_counter_ns()
    for _ in range(ITERATIONS):
        fn()
    return (time.perf_counter_ns() - start) / ITERATIONS


def time_all(fns):
    """Best round of each function, rounds interleaved, as bench/urls.ts does."""
    for fn in fns:
        for _ in range(ITERATIONS):
            fn()
    best = [float('inf')] * len(fns)
    for _ in range(ROUNDS):
        for k, fn in enumerate(fns):
            best[k] = min(best[k], one_round(fn))
    return best


def resolver_of(p):
    return lambda: resolve(p)


def reverser_of(name, kwargs):
    return lambda: reverse(name, kwargs=kwargs)


for probe in data['probes']:
    match = resolve(probe['path'])
    assert match.view_name == probe['name'], (match.view_name, probe['name'])
    assert reverse(probe['name'], kwargs=probe['kwargs']) == probe['path']

resolve_ns = time_all([resolver_of(p['path']) for p in data['probes']])
reverse_ns = time_all([reverser_of(p['name'], p['kwargs']) for p in data['probes']])
print(json.dumps([{'resolveNs': a, 'reverseNs': b} for a, b in zip(resolve_ns, reverse_ns)]))
