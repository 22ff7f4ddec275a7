import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmptyPage, PageNotAnInteger, Paginator } from '../../src/core/paginator.ts';

const items = Array.from({ length: 23 }, (_, i) => i + 1);

test('pages of perPage items; orphans fold a short last page into the one before', async () => {
  const p = new Paginator(items, 10);
  assert.equal(await p.count(), 23);
  assert.equal(await p.numPages(), 3);
  assert.deepEqual(await p.pageRange(), [1, 2, 3]);
  assert.deepEqual((await p.page(3)).objectList, [21, 22, 23]);
  const orphans = new Paginator(items, 10, { orphans: 3 });
  assert.equal(await orphans.numPages(), 2);
  assert.deepEqual((await orphans.page(2)).objectList, items.slice(10));
});

test("Django's errors on bad page numbers, and getPage() forgives them", async () => {
  const p = new Paginator(items, 10);
  await assert.rejects(p.page('x'), PageNotAnInteger);
  await assert.rejects(p.page('1.0'), PageNotAnInteger);
  await assert.rejects(p.page(1.5), PageNotAnInteger);
  await assert.rejects(p.page(0), EmptyPage);
  await assert.rejects(p.page(4), EmptyPage);
  assert.equal((await p.page(' 2 ')).number, 2);
  assert.equal((await p.getPage('x')).number, 1);
  assert.equal((await p.getPage('99')).number, 3);
  assert.equal((await p.getPage(null)).number, 1);
});

test('an empty list has one empty page unless allowEmptyFirstPage is off', async () => {
  const p = new Paginator([], 10);
  assert.equal(await p.numPages(), 1);
  const page = await p.page(1);
  assert.deepEqual([page.length, page.startIndex(), page.endIndex(), page.hasNext()], [0, 0, 0, false]);
  const strict = new Paginator([], 10, { allowEmptyFirstPage: false });
  assert.equal(await strict.numPages(), 0);
  await assert.rejects(strict.page(1), EmptyPage);
});

test('Page navigation and indexes, with the names templates use', async () => {
  const p = new Paginator(items, 10);
  const page = await p.page(2);
  assert.deepEqual(
    [
      page.hasNext(),
      page.hasPrevious(),
      page.nextPageNumber(),
      page.previousPageNumber(),
      page.startIndex(),
      page.endIndex(),
    ],
    [true, true, 3, 1, 11, 20],
  );
  const last = await p.page(3);
  assert.throws(() => last.nextPageNumber(), EmptyPage);
  assert.equal(last.endIndex(), 23);
  const aliases = page as unknown as Record<string, unknown>;
  assert.deepEqual([aliases.has_next, aliases.next_page_number, aliases.start_index], [true, 3, 11]);
  assert.equal(String(page), '<Page 2 of 3>');
});

test("getElidedPageRange() as Django's", async () => {
  const p = new Paginator(Array.from({ length: 500 }), 10);
  assert.deepEqual(await p.getElidedPageRange(1), [1, 2, 3, 4, '…', 49, 50]);
  assert.deepEqual(await p.getElidedPageRange(25), [1, 2, '…', 22, 23, 24, 25, 26, 27, 28, '…', 49, 50]);
  assert.deepEqual(await p.getElidedPageRange(50, { onEachSide: 1, onEnds: 1 }), [1, '…', 49, 50]);
  assert.deepEqual(await new Paginator(items, 10).getElidedPageRange(2), [1, 2, 3]);
});

test('a collection that counts and slices asynchronously (as a QuerySet) is counted once', async () => {
  let counts = 0;
  const slices: [number, number][] = [];
  const queryset = {
    count: async () => (counts++, 23),
    slice: async (a: number, b: number) => (slices.push([a, b]), items.slice(a, b)),
  };
  const p = new Paginator(queryset, 10);
  assert.deepEqual((await p.page(3)).objectList, [21, 22, 23]);
  await p.page(1);
  assert.equal(counts, 1);
  assert.deepEqual(slices, [
    [20, 23],
    [0, 10],
  ]);
});
