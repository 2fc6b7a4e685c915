// Drives a Redis server with node-redis (npm `redis`, v5) in RESP2 and in RESP3 and prints a
// transcript: one line per operation, "name -> result" or "name !! message". interop_test.cc runs
// it against Debian's redis-server and against `sfs kv server` and requires identical transcripts,
// so any difference a node-redis user could see — a reply's RESP3 type (map, set, double, null,
// push), an error text, what node-redis's transformers make of a reply — fails the test with the
// differing lines. Nondeterministic results (TTLs, random members, ids) are printed as the
// properties that must hold.
//   node node_redis_test.js PORT
'use strict';
const { createClient } = require('redis');

const port = Number(process.argv[2]);
const lines = [];

function show(v) {
  return JSON.stringify(v, (k, x) => {
    if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
    if (x instanceof Map) return { map: [...x.entries()] };
    if (x instanceof Set) return { set: [...x] };
    if (x && x.type === 'Buffer') return { buffer: x.data };
    if (typeof x === 'bigint') return String(x);
    return x;
  });
}

async function step(name, fn) {
  try {
    lines.push(`${name} -> ${show(await fn())}`);
  } catch (e) {
    lines.push(`${name} !! ${e.constructor.name}: ${e.message}`);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function session(resp) {
  const tag = `[resp${resp}] `;
  const opts = { socket: { host: '127.0.0.1', port }, RESP: resp, name: 'node' + resp };
  const c = createClient(opts);
  c.on('error', (e) => lines.push(`${tag}client error ${e.message}`));
  await c.connect();
  const s = (name, fn) => step(tag + name, fn);
  await s('flushall', () => c.flushAll());
  await s('hello', async () => {
    const h = await c.sendCommand(['HELLO', String(resp)]);
    const obj = h instanceof Map ? Object.fromEntries(h) : Array.isArray(h) ? h : h;
    if (Array.isArray(obj)) return obj.filter((_, i) => i % 2 === 0);
    return Object.keys(obj);
  });

  // Strings.
  await s('set', () => c.set('s', 'hello'));
  await s('get', () => c.get('s'));
  await s('get missing', () => c.get('nope'));
  await s('set nx', () => c.set('s', 'x', { NX: true }));
  await s('set get', () => c.set('s', 'world', { GET: true }));
  await s('set ex', () => c.set('e', 'v', { EX: 100 }));
  await s('ttl', async () => (await c.ttl('e')) > 98);
  await s('incr', () => c.incr('n'));
  await s('incrBy', () => c.incrBy('n', 41));
  await s('incrByFloat', () => c.incrByFloat('f', 2.5));
  await s('mSet', () => c.mSet({ a: '1', b: '2' }));
  await s('mGet', () => c.mGet(['a', 'b', 'nope']));
  await s('append/strlen', async () => [await c.append('a', 'xyz'), await c.strLen('a')]);
  await s('getRange', () => c.getRange('a', 1, 2));
  await s('getEx', () => c.getEx('e', { type: 'PERSIST' }));
  await s('getDel', () => c.getDel('e'));
  await s('wrongtype', () => c.lPush('s', 'a'));
  await s('not integer', () => c.incr('s'));
  await s('binary', async () => {
    const buf = Buffer.from([0, 1, 2, 255, 13, 10]);
    await c.set('bin', buf);
    const back = await c.withTypeMapping({ [36]: Buffer }).get('bin');
    return Buffer.compare(back, buf) === 0;
  });
  await s('exists/type', async () => [await c.exists(['a', 'b', 'nope']), await c.type('a'), await c.type('nope')]);
  await s('expire/persist', async () => [await c.expire('a', 100), await c.persist('a'), await c.ttl('a')]);
  await s('object encoding', async () => [await c.objectEncoding('a'), await c.objectEncoding('n')]);
  await s('copy/rename', async () => [await c.copy('a', 'a2'), await c.rename('a2', 'a3'), await c.get('a3')]);

  // Lists.
  await s('rPush', () => c.rPush('l', ['a', 'b', 'c', 'd']));
  await s('lRange', () => c.lRange('l', 0, -1));
  await s('lPop count', () => c.lPopCount('l', 2));
  await s('lPos', () => c.lPos('l', 'd'));
  await s('lMove', () => c.lMove('l', 'l2', 'LEFT', 'RIGHT'));
  await s('lmpop', () => c.sendCommand(['LMPOP', '2', 'nolist', 'l', 'LEFT']));
  await s('lIndex missing', () => c.lIndex('nolist', 0));

  // Hashes.
  await s('hSet', () => c.hSet('h', { f1: 'v1', f2: 'v2', n: '1' }));
  await s('hGetAll', () => c.hGetAll('h'));
  await s('hGetAll missing', () => c.hGetAll('nohash'));
  await s('hmGet', () => c.hmGet('h', ['f1', 'no']));
  await s('hIncrBy', () => c.hIncrBy('h', 'n', 5));
  await s('hIncrByFloat', () => c.hIncrByFloat('h', 'x', 0.5));
  await s('hKeys/hVals/hLen', async () => [await c.hKeys('h'), await c.hVals('h'), await c.hLen('h')]);
  await s('hExists', () => c.hExists('h', 'f1'));
  await s('hRandField', async () => (await c.hRandFieldCount('h', 2)).length);
  await s('hRandField withvalues', async () => {
    const r = await c.sendCommand(['HRANDFIELD', 'h', '-3', 'WITHVALUES']);
    return Array.isArray(r) ? [r.length, Array.isArray(r[0])] : typeof r;
  });
  await s('hScan', async () => {
    const all = [];
    for await (const entries of c.hScanIterator('h')) all.push(...entries.map((e) => e.field + '=' + e.value));
    return all.sort();
  });

  // Sets.
  await s('sAdd', () => c.sAdd('st', ['a', 'b', 'c']));
  await s('sMembers', async () => {
    const r = await c.sMembers('st');
    return [r instanceof Set ? 'Set' : Array.isArray(r) ? 'Array' : typeof r, [...r].sort()];
  });
  await s('sIsMember', () => c.sIsMember('st', 'a'));
  await s('smIsMember', () => c.smIsMember('st', ['a', 'z']));
  await s('sInter', async () => [...(await c.sInter(['st', 'nope']))]);
  await s('sInterCard', () => c.sInterCard(['st', 'st']));
  await s('sPop', async () => ['a', 'b', 'c'].includes(await c.sPop('st')));
  await s('sScan', async () => {
    const all = [];
    for await (const m of c.sScanIterator('st')) all.push(...m);
    return all.length;
  });

  // Sorted sets.
  await s('zAdd', () => c.zAdd('z', [{ score: 1, value: 'one' }, { score: 2.5, value: 'two' }, { score: 3, value: 'three' }]));
  await s('zScore', async () => [await c.zScore('z', 'two'), await c.zScore('z', 'no')]);
  await s('zmScore', () => c.zmScore('z', ['one', 'no']));
  await s('zRangeWithScores', () => c.zRangeWithScores('z', 0, -1));
  await s('zRange byscore', () => c.zRange('z', '(1', '+inf', { BY: 'SCORE' }));
  await s('zRange rev limit', () => c.zRange('z', '+inf', '-inf', { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: 2 } }));
  await s('zRank', () => c.zRank('z', 'three'));
  await s('zIncrBy', () => c.zIncrBy('z', 1.5, 'one'));
  await s('zadd incr', () => c.sendCommand(['ZADD', 'z', 'INCR', '1', 'one']));
  await s('zadd incr nx fails', () => c.sendCommand(['ZADD', 'z', 'NX', 'INCR', '1', 'one']));
  await s('zPopMin', () => c.zPopMin('z'));
  await s('zPopMax count', () => c.zPopMaxCount('z', 5));
  await s('zunion withscores', async () => {
    await c.zAdd('za', [{ score: 1, value: 'x' }]);
    await c.zAdd('zb', [{ score: 2, value: 'x' }, { score: 3, value: 'y' }]);
    return c.zUnionWithScores(['za', 'zb']);
  });
  await s('zrandmember withscores', async () => {
    const r = await c.sendCommand(['ZRANDMEMBER', 'zb', '2', 'WITHSCORES']);
    return Array.isArray(r) ? [r.length, Array.isArray(r[0])] : typeof r;
  });
  await s('zscore inf', async () => {
    await c.sendCommand(['ZADD', 'zi', 'inf', 'a']);
    return c.sendCommand(['ZSCORE', 'zi', 'a']);
  });
  await s('zScan', async () => {
    const all = [];
    for await (const m of c.zScanIterator('zb')) all.push(...m.map((e) => e.value + ':' + e.score));
    return all.sort();
  });

  // SCAN.
  await Promise.all(Array.from({ length: 200 }, (_, i) => c.set('k:' + i, String(i))));
  await s('scanIterator', async () => {
    const seen = new Set();
    for await (const keys of c.scanIterator({ MATCH: 'k:*', COUNT: 13 })) keys.forEach((k) => seen.add(k));
    return seen.size;
  });
  await s('scanIterator type', async () => {
    const seen = [];
    for await (const keys of c.scanIterator({ TYPE: 'zset' })) seen.push(...keys);
    return seen.sort();
  });

  // Auto-pipelining, explicit pipelines and transactions.
  await s('auto pipeline', async () => {
    const r = await Promise.all(Array.from({ length: 300 }, (_, i) => c.incr('ctr')));
    return r[299];
  });
  await s('execAsPipeline', () => c.multi().set('p', '1').incr('p').get('p').execAsPipeline());
  await s('multi exec', () => c.multi().set('t', '1').incr('t').hGetAll('h').exec());
  await s('multi error inside', async () => {
    try {
      return await c.multi().set('t2', 'a').incr('t2').get('t2').exec();
    } catch (e) {
      return [e.constructor.name, e.message, e.replies ? show(e.replies) : null];
    }
  });
  await s('multi queue error', async () => {
    try {
      return await c.multi().set('t3', '1').addCommand(['NOSUCHCOMMAND']).exec();
    } catch (e) {
      return [e.constructor.name, e.message];
    }
  });
  await s('watch conflict', async () => {
    const w = c.duplicate();
    await w.connect();
    await w.watch('w');
    await c.set('w', 'other');
    let result;
    try {
      result = await w.multi().set('w', 'mine').exec();
    } catch (e) {
      result = e.constructor.name;
    }
    await w.close();
    return [result, await c.get('w')];
  });
  await s('watch ok', async () => {
    const w = c.duplicate();
    await w.connect();
    await w.watch('w');
    const r = await w.multi().set('w', 'mine').exec();
    await w.close();
    return r;
  });

  // Blocking pops on their own connection, woken by another.
  await s('blPop timeout', () => c.blPop('nolist', 0.1));
  await s('blPop woken', async () => {
    const b = c.duplicate();
    await b.connect();
    const pending = b.blPop(['nolist', 'bl'], 5);
    await sleep(100);
    await c.rPush('bl', 'v');
    const r = await pending;
    await b.close();
    return r;
  });
  await s('bzPopMin woken', async () => {
    const b = c.duplicate();
    await b.connect();
    const pending = b.bzPopMin('bz', 5);
    await sleep(100);
    await c.zAdd('bz', { score: 4, value: 'm' });
    const r = await pending;
    await b.close();
    return r;
  });
  await s('blMove timeout', () => c.blMove('nolist', 'x', 'LEFT', 'RIGHT', 0.1));
  await s('blmpop', async () => {
    await c.rPush('bm', ['1', '2']);
    return c.sendCommand(['BLMPOP', '0.1', '1', 'bm', 'RIGHT', 'COUNT', '5']);
  });

  // Pub/sub.
  await s('pubsub', async () => {
    const sub = c.duplicate();
    await sub.connect();
    const got = [];
    await sub.subscribe('news', (msg, ch) => got.push(['message', ch, msg]));
    await sub.pSubscribe('n*', (msg, ch) => got.push(['pmessage', ch, msg]));
    const counts = [await c.publish('news', 'hi'), await c.publish('other', 'x')];
    for (let i = 0; i < 50 && got.length < 2; i++) await sleep(20);
    const channels = await c.pubSubChannels();
    const numsub = await c.pubSubNumSub(['news', 'none']);
    const numpat = await c.pubSubNumPat();
    await sub.unsubscribe('news');
    await sub.pUnsubscribe();
    await c.publish('news', 'after');
    await sleep(50);
    await sub.close();
    return [counts, got.sort(), channels, numsub, numpat];
  });

  // Server commands node-redis parses.
  await s('ping/echo', async () => [await c.ping(), await c.echo('x')]);
  await s('dbSize', () => c.dbSize());
  await s('clientId', async () => (await c.clientId()) > 0);
  await s('clientGetName', () => c.clientGetName());
  await s('clientInfo', async () => {
    const i = await c.clientInfo();
    return [i.name, i.db, i.flags, i.resp, i.user];
  });
  await s('clientList', async () => (await c.clientList()).filter((x) => x.name === 'node' + resp).map((x) => [x.db, x.resp]));
  await s('configGet', () => c.configGet('maxmemory-policy'));
  await s('configGet pattern', async () => Object.keys(await c.configGet('hash-max-*')).sort());
  await s('info', async () => (await c.info('keyspace')).split('\r\n')[0]);
  await s('time', async () => {
    const t = await c.time();
    return Array.isArray(t) ? t.length : typeof t;
  });
  await s('commandCount', async () => (await c.commandCount()) > 100);
  await s('commandInfo', async () => {
    const [info] = await c.commandInfo(['get']);
    return info ? [info.name, info.arity, info.firstKeyIndex, info.lastKeyIndex, info.step] : null;
  });
  await s('commandGetKeys', () => c.commandGetKeys(['MSET', 'a', '1', 'b', '2']));
  await s('lastSave', async () => typeof (await c.lastSave()));
  await s('memoryUsage', async () => (await c.memoryUsage('s')) > 0);
  await s('unknown command', () => c.sendCommand(['NOSUCHCMD', 'x']));
  await s('wrong arity', () => c.sendCommand(['GET']));
  await s('double reply', () => c.sendCommand(['ZINCRBY', 'zd', '1.5', 'm']));
  await s('null array', () => c.sendCommand(['BLPOP', 'nolist', '0.05']));
  await s('boolean-ish', () => c.sendCommand(['SISMEMBER', 'st', 'zz']));
  await s('acl whoami', () => c.sendCommand(['ACL', 'WHOAMI']));
  await s('sort', async () => [await c.rPush('l2', ['b', 'a', 'd']), await c.sendCommand(['SORT', 'l2', 'ALPHA'])]);
  await s('sort helper', () => c.sort('l2', { DIRECTION: 'DESC', ALPHA: true, LIMIT: { offset: 0, count: 2 } }));
  await s('bitcount', async () => [await c.setBit('bits', 3, 1), await c.bitCount('bits')]);
  await s('bitpos/getbit', async () => [await c.bitPos('bits', 1), await c.getBit('bits', 3), await c.bitOp('XOR', 'xbits', ['bits', 'bits'])]);
  await s('bitfield', () => c.bitField('bf', [{ operation: 'SET', encoding: 'i8', offset: 0, value: -5 }, { operation: 'INCRBY', encoding: 'i8', offset: 0, increment: 130 }, { operation: 'GET', encoding: 'u4', offset: 4 }]));
  await s('pfcount', async () => [await c.pfAdd('hll', ['a', 'b']), await c.pfCount('hll'), await c.pfMerge('hllm', ['hll', 'nohll']), await c.pfCount(['hllm', 'hll'])]);
  await c.close();
}

(async () => {
  await session(2);
  await session(3);
  console.log(lines.join('\n'));
  console.log('done');
  process.exit(0);
})().catch((e) => {
  console.log(lines.join('\n'));
  console.log('fatal: ' + (e && e.stack));
  process.exit(1);
});
