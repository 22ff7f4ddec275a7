"""Django 3.2 side of bench/urls.ts: builds the same 1,000-pattern URLconf from the JSON spec
and prints resolve()/reverse() ns/op for each probe (median of 7 rounds), as JSON."""
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


def timed(fn, iterations):
    for _ in range(iterations):
        fn()
    rounds = []
    for _ in range(7):
        start = time.perf_counter_ns()
        for _ in range(iterations):
            fn()
        rounds.append((time.perf_counter_ns() - start) / iterations)
    return sorted(rounds)[3]


results = []
for probe in data['probes']:
    match = resolve(probe['path'])
    assert match.view_name == probe['name'], (match.view_name, probe['name'])
    assert reverse(probe['name'], kwargs=probe['kwargs']) == probe['path']
    p, name, kwargs = probe['path'], probe['name'], probe['kwargs']
    results.append({
        'resolveNs': timed(lambda: resolve(p), 2000),
        'reverseNs': timed(lambda: reverse(name, kwargs=kwargs), 2000),
    })
print(json.dumps(results))
