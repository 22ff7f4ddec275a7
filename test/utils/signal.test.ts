import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Signal, receiver } from '../../src/dispatch/signal.ts';
import { configureLogging } from '../../src/conf/logging.ts';
import type { SignalEvent } from '../../src/dispatch/signal.ts';

type Payload = { n: number };

test('send calls receivers in connection order with the payload, sender and signal', () => {
  const signal = new Signal<Payload>();
  const seen: string[] = [];
  const a = (e: SignalEvent<Payload>) => {
    seen.push(`a${e.n}`);
    assert.equal(e.signal, signal);
    return 'ra';
  };
  const b = (e: SignalEvent<Payload>) => {
    seen.push(`b${e.n}:${String(e.sender)}`);
    return 'rb';
  };
  signal.connect(a);
  signal.connect(b);
  const results = signal.send('me', { n: 1 });
  assert.deepEqual(seen, ['a1', 'b1:me']);
  assert.deepEqual(results, [
    [a, 'ra'],
    [b, 'rb'],
  ]);
});

test('connecting twice keeps one receiver; dispatchUid deduplicates distinct functions', () => {
  const signal = new Signal();
  let calls = 0;
  const r = () => calls++;
  signal.connect(r);
  signal.connect(r);
  signal.connect(() => calls++, { dispatchUid: 'x' });
  signal.connect(() => calls++, { dispatchUid: 'x' });
  signal.send(null);
  assert.equal(calls, 2);
  assert.equal(signal.disconnect(undefined, { dispatchUid: 'x' }), true);
  assert.equal(signal.disconnect(undefined, { dispatchUid: 'x' }), false);
});

test('a sender filter restricts which sends reach the receiver', () => {
  const signal = new Signal();
  const senderA = {};
  const got: unknown[] = [];
  signal.connect(({ sender }) => got.push(sender), { sender: senderA });
  signal.send({});
  signal.send(senderA);
  assert.deepEqual(got, [senderA]);
  assert.equal(signal.hasListeners({}), false);
  assert.equal(signal.hasListeners(senderA), true);
  assert.equal(signal.hasListeners(), true);
});

test('disconnect by receiver and by the function connect returns', () => {
  const signal = new Signal();
  let calls = 0;
  const r = () => calls++;
  const off = signal.connect(r);
  assert.equal(off(), true);
  assert.equal(off(), false);
  signal.connect(r);
  assert.equal(signal.disconnect(r), true);
  signal.send(null);
  assert.equal(calls, 0);
  assert.equal(signal.hasListeners(), false);
});

test('send stops at a throwing receiver; sendRobust collects the error and goes on', () => {
  const signal = new Signal();
  const boom = () => {
    throw new Error('receiver failed');
  };
  let after = 0;
  signal.connect(boom);
  signal.connect(() => ++after);
  assert.throws(() => signal.send(null), { message: 'receiver failed' });
  assert.equal(after, 0);
  const logged: string[] = [];
  configureLogging({
    handlers: { m: { class: 'stream', stream: { write: (t: string) => logged.push(t) }, format: '{name} {message}' } },
    loggers: { 'tsgi.dispatch': { handlers: ['m'] } },
  });
  const results = signal.sendRobust(null);
  assert.equal(logged[0]!.split('\n')[0], 'tsgi.dispatch Error calling boom in Signal.sendRobust() (receiver failed)');
  assert.equal((results[0]![1] as Error).message, 'receiver failed');
  assert.equal(results[1]![1], 1);
});

test('sendAsync awaits each receiver in order; sendRobustAsync catches rejections', async () => {
  const signal = new Signal();
  const order: string[] = [];
  signal.connect(async () => {
    await new Promise((r) => setImmediate(r));
    order.push('slow');
    return 1;
  });
  signal.connect(() => {
    order.push('sync');
    return 2;
  });
  const results = await signal.sendAsync(null);
  assert.deepEqual(order, ['slow', 'sync']);
  assert.deepEqual(
    results.map((r) => r[1]),
    [1, 2],
  );

  const failing = new Signal();
  failing.connect(async () => {
    throw new Error('async receiver failed');
  });
  failing.connect(() => 'still called');
  await assert.rejects(failing.sendAsync(null), { message: 'async receiver failed' });
  const robust = await failing.sendRobustAsync(null);
  assert.equal((robust[0]![1] as Error).message, 'async receiver failed');
  assert.equal(robust[1]![1], 'still called');
});

test('receiver() connects a function and returns it', () => {
  const signal = new Signal<Payload>();
  const fn = receiver(signal)(({ n }) => n * 2);
  assert.deepEqual(signal.send(null, { n: 2 }), [[fn, 4]]);
});

test('connecting a non-function is refused with a clear message', () => {
  const signal = new Signal();
  assert.throws(() => signal.connect(null as never), {
    name: 'TypeError',
    message: 'Signal receivers must be functions, got null.',
  });
  assert.throws(() => signal.connect('x' as never), { message: 'Signal receivers must be functions, got string.' });
});
