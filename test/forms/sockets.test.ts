// A form through the whole framework over a real socket: a FormView with a file field behind
// CsrfViewMiddleware, its template rendering the form field by field ({{ form.title.label_tag }},
// {{ form.title.errors }}, {% for field in form %}), a multipart upload with a bad then a good
// submission, as a browser sends them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { settings } from '../../src/conf/index.ts';
import { WSGIHandler } from '../../src/core/handlers/wsgi.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import { CharField, FileField, Form, IntegerField, ValidationError } from '../../src/forms/index.ts';
import type { UploadedFile } from '../../src/core/files/uploadedfile.ts';
import { CsrfViewMiddleware } from '../../src/middleware/csrf.ts';
import { path as route } from '../../src/urls/index.ts';
import { FormView } from '../../src/views/index.ts';
import { HttpResponse } from '../../src/http/response.ts';

class UploadForm extends Form.define({
  title: new CharField({ maxLength: 20, helpText: 'What it is.' }),
  copies: new IntegerField({ minValue: 1 }),
  document: new FileField({ maxLength: 40 }),
}) {
  cleanTitle(value: string) {
    if (value === 'spam') throw new ValidationError('No spam.', { code: 'spam' });
    return value;
  }
}

const received: { title: string; copies: number; name: string; text: string }[] = [];

class UploadView extends FormView<InstanceType<typeof UploadForm>> {
  override templateName = 'upload.html';
  override formClass = UploadForm;
  override successUrl = '/done/';
  override async formValid(form: InstanceType<typeof UploadForm>) {
    const file = form.cleanedData.document as UploadedFile;
    received.push({
      title: form.cleanedData.title,
      copies: form.cleanedData.copies,
      name: file.name,
      text: file.text(),
    });
    return super.formValid(form);
  }
}

const TEMPLATE = `<form method="post" enctype="multipart/form-data">{% csrf_token %}
{{ form.non_field_errors }}
<p>{{ form.title.label_tag }} {{ form.title }} {{ form.title.errors }} <small>{{ form.title.help_text }}</small></p>
{% for field in form %}{% if field.name != 'title' %}<div class="{{ field.css_classes }}">{{ field.label_tag }}{{ field }}{{ field.errors }}</div>{% endif %}{% endfor %}
</form>`;

let server: ServerHandle;
let base: string;

before(async () => {
  settings.configure({
    ALLOWED_HOSTS: ['*'],
    DEBUG: false,
    MIDDLEWARE: [CsrfViewMiddleware] as unknown as string[],
    TEMPLATES: [
      {
        BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
        OPTIONS: { loaders: [['tsgi.template.loaders.locmem.Loader', { 'upload.html': TEMPLATE }]] },
      },
    ],
    ROOT_URLCONF: {
      urlpatterns: [route('upload/', UploadView.asView()), route('done/', () => new HttpResponse('done'))],
    },
  });
  server = await serve(new WSGIHandler().call, { port: 0 });
  base = `http://127.0.0.1:${server.port}`;
});

after(() => server.close());

async function csrf(): Promise<{ token: string; cookie: string; html: string }> {
  const response = await fetch(`${base}/upload/`);
  const html = await response.text();
  const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html)![1]!;
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  return { token, cookie, html };
}

describe('a FormView with an upload over a real socket', () => {
  test('GET draws the form field by field, with CSRF, required and help text', async () => {
    const { html } = await csrf();
    assert.match(
      html,
      /<label for="id_title">Title:<\/label> <input type="text" name="title" maxlength="20" required id="id_title">/,
    );
    assert.match(html, /<small>What it is\.<\/small>/);
    assert.match(html, /<input type="number" name="copies" min="1" required id="id_copies">/);
    assert.match(html, /<input type="file" name="document" required id="id_document">/);
    assert.doesNotMatch(html, /errorlist/);
  });

  test('an invalid submission shows the errors next to the fields and what was typed; a valid one saves and redirects', async () => {
    const { token, cookie } = await csrf();
    const bad = new FormData();
    bad.set('csrfmiddlewaretoken', token);
    bad.set('title', 'spam');
    bad.set('copies', '0');
    bad.set('document', new Blob([]), 'empty.txt');
    let response = await fetch(`${base}/upload/`, {
      method: 'POST',
      body: bad,
      headers: { cookie },
      redirect: 'manual',
    });
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(
      html,
      /value="spam" maxlength="20" required aria-invalid="true" id="id_title"> <ul class="errorlist"><li>No spam\.<\/li><\/ul>/,
    );
    assert.match(html, /<ul class="errorlist"><li>Ensure this value is greater than or equal to 1\.<\/li><\/ul>/);
    assert.match(html, /<ul class="errorlist"><li>The submitted file is empty\.<\/li><\/ul>/);
    assert.equal(received.length, 0);

    const good = new FormData();
    good.set('csrfmiddlewaretoken', token);
    good.set('title', 'Report');
    good.set('copies', '3');
    good.set('document', new Blob(['héllo wörld']), 'report.txt');
    response = await fetch(`${base}/upload/`, { method: 'POST', body: good, headers: { cookie }, redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), '/done/');
    assert.deepEqual(received, [{ title: 'Report', copies: 3, name: 'report.txt', text: 'héllo wörld' }]);
  });

  test('a POST without the CSRF token is refused before the form sees it', async () => {
    const body = new FormData();
    body.set('title', 'x');
    const response = await fetch(`${base}/upload/`, { method: 'POST', body });
    assert.equal(response.status, 403);
  });
});
