"""The 100-row page of bench/templates.bench.ts under Django 3.2's own engine: CPU time per render.

Reads {"templates": {...}, "context": {...}, "renders": n, "rounds": r} on stdin; prints
{"output": <the page>, "us_per_render": [per round]} as JSON.
"""
import json
import sys
import time

import django
from django.conf import settings

settings.configure(DEBUG=False, TEMPLATES=[{'BACKEND': 'django.template.backends.django.DjangoTemplates'}])
django.setup()

from django.template import Context, Engine  # noqa: E402

job = json.load(sys.stdin)
engine = Engine(loaders=[('django.template.loaders.cached.Loader', [
    ('django.template.loaders.locmem.Loader', job['templates']),
])])
template = engine.get_template('page.html')
context = job['context']
output = template.render(Context(context))
for _ in range(200):
    template.render(Context(context))
rounds = []
for _ in range(job['rounds']):
    start = time.process_time()
    for _ in range(job['renders']):
        template.render(Context(context))
    rounds.append((time.process_time() - start) / job['renders'] * 1e6)
json.dump({'output': output, 'us_per_render': rounds}, sys.stdout)
