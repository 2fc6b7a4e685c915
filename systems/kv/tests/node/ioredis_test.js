// Drives `sfs kv server` with ioredis (the most used Node.js Redis client): strings, every data
// type, pipelines, MULTI, WATCH, pub/sub, blocking pops, SCAN streams, RESP errors, RESP3 off.
//   node ioredis_test.js PORT        exits 0 when every check passed
'use strict';
const assert = require('assert');
const Redis = require('ioredis');

const port = Number(process.argv[2]);
const opts = { host: '127.0.0.1', port, maxRetriesPerRequest: 1, lazyConnect: false };

async function main() {
  const r = new Redis(opts);
  await r.flushall();

  // Strings.
  assert.strictEqual(await r.set('s', 'hello'), 'OK');
  assert.strictEqual(await r.get('s'), 'hello');
  assert.strictEqual(await r.set('s', 'x', 'NX'), null);
  assert.strictEqual(await r.incrby('n', 41), 41);
  assert.strictEqual(await r.incr('n'), 42);
  assert.strictEqual(await r.incrbyfloat('f', '2.5'), '2.5');
  assert.deepStrictEqual(await r.mget('s', 'n', 'nope'), ['hello', '42', null]);
  assert.strictEqual(await r.set('e', 'v', 'EX', 100), 'OK');
  assert.ok((await r.ttl('e')) > 98);
  const buf = Buffer.from([0, 1, 2, 255, 13, 10]);
  await r.set('bin', buf);
  assert.ok((await r.getBuffer('bin')).equals(buf));
  await r.set('big', 'x'.repeat(1 << 20));
  assert.strictEqual(await r.strlen('big'), 1 << 20);

  // Errors come back as rejections with Redis's text.
  await assert.rejects(r.lpush('s', 'a'), /WRONGTYPE Operation against a key holding the wrong kind of value/);
  await assert.rejects(r.call('NOSUCHCOMMAND'), /ERR unknown command/);
  await assert.rejects(r.incr('s'), /ERR value is not an integer or out of range/);

  // Lists, hashes, sets, sorted sets.
  assert.strictEqual(await r.rpush('l', 'a', 'b', 'c'), 3);
  assert.deepStrictEqual(await r.lrange('l', 0, -1), ['a', 'b', 'c']);
  assert.strictEqual(await r.lpop('l'), 'a');
  assert.deepStrictEqual(await r.lpop('l', 5), ['b', 'c']);
  assert.strictEqual(await r.hset('h', { f1: 'v1', f2: 'v2' }), 2);
  assert.deepStrictEqual(await r.hgetall('h'), { f1: 'v1', f2: 'v2' });
  assert.strictEqual(await r.hincrby('h', 'n', 3), 3);
  assert.strictEqual(await r.sadd('st', 'a', 'b', 'c'), 3);
  assert.deepStrictEqual((await r.smembers('st')).sort(), ['a', 'b', 'c']);
  assert.strictEqual(await r.sismember('st', 'b'), 1);
  assert.strictEqual(await r.zadd('z', 1, 'one', 2, 'two', 3, 'three'), 3);
  assert.deepStrictEqual(await r.zrange('z', 0, -1, 'WITHSCORES'), ['one', '1', 'two', '2', 'three', '3']);
  assert.deepStrictEqual(await r.zrangebyscore('z', '(1', '+inf'), ['two', 'three']);
  assert.strictEqual(await r.zscore('z', 'two'), '2');
  assert.deepStrictEqual(await r.zpopmin('z'), ['one', '1']);

  // Pipelines (one write, many replies) and transactions.
  const pipe = r.pipeline();
  for (let i = 0; i < 1000; i++) pipe.set('p' + i, i);
  pipe.get('p999');
  const results = await pipe.exec();
  assert.strictEqual(results.length, 1001);
  assert.deepStrictEqual(results[1000], [null, '999']);
  const tx = await r.multi().set('t', 1).incr('t').get('t').exec();
  assert.deepStrictEqual(tx, [[null, 'OK'], [null, 2], [null, '2']]);

  // WATCH: a concurrent write aborts EXEC (ioredis resolves it to null).
  const other = new Redis(opts);
  await r.watch('w');
  await other.set('w', 'changed');
  assert.strictEqual(await r.multi().set('w', 'mine').exec(), null);
  assert.strictEqual(await r.get('w'), 'changed');

  // SCAN through a stream.
  const keys = new Set();
  await new Promise((resolve, reject) => {
    r.scanStream({ match: 'p*', count: 100 })
      .on('data', (batch) => batch.forEach((k) => keys.add(k)))
      .on('end', resolve)
      .on('error', reject);
  });
  assert.strictEqual(keys.size, 1000);

  // Blocking pop served by another connection.
  const waiting = other.blpop('queue', 5);
  await new Promise((res) => setTimeout(res, 100));
  await r.rpush('queue', 'job');
  assert.deepStrictEqual(await waiting, ['queue', 'job']);
  assert.strictEqual(await other.brpop('empty', 0.1), null);

  // Pub/sub.
  const sub = new Redis(opts);
  const got = new Promise((resolve) => {
    sub.on('message', (ch, msg) => resolve([ch, msg]));
  });
  await sub.subscribe('news');
  assert.strictEqual(await r.publish('news', 'hello'), 1);
  assert.deepStrictEqual(await got, ['news', 'hello']);
  const pgot = new Promise((resolve) => {
    sub.on('pmessage', (pattern, ch, msg) => resolve([pattern, ch, msg]));
  });
  await sub.psubscribe('ne*');
  await r.publish('news', 'again');
  assert.deepStrictEqual(await pgot, ['ne*', 'news', 'again']);

  // Databases, INFO, CONFIG, CLIENT.
  const db2 = new Redis({ ...opts, db: 2, connectionName: 'interop' });
  await db2.set('only-in-2', 'yes');
  assert.strictEqual(await r.get('only-in-2'), null);
  assert.strictEqual(await db2.client('GETNAME'), 'interop');
  const info = await r.info('keyspace');
  assert.match(info, /db2:keys=1/);
  assert.deepStrictEqual(await r.config('GET', 'maxmemory'), ['maxmemory', '0']);
  assert.strictEqual(await r.dbsize(), 1011);

  for (const c of [r, other, sub, db2]) c.disconnect();
  console.log('ioredis: all checks passed');
}

main().catch((err) => {
  console.error('ioredis interop failure:', err);
  process.exit(1);
});
