#!/usr/bin/python3
# Drives a Redis server with redis-py (Debian's python3-redis) and prints a transcript: one line
# per operation, "name -> result" or "name !! ErrorClass: message". interop_test.cc runs it
# against Debian's redis-server and against `sfs kv server` and requires the two transcripts to
# be identical, so any difference a redis-py user could see — a reply shape, an error text, what
# the client's parsers (INFO, CLIENT LIST, COMMAND, CONFIG GET...) make of our output — fails the
# test with the differing lines. Nondeterministic results (TTLs, random members, ids, times) are
# printed as the properties that must hold rather than as values.
#
#   /usr/bin/python3 redis_py_test.py PORT
#
# redis-py 4.3 speaks RESP2 only (RESP3 came in 5.0); RESP3 is covered by the node-redis script.
import sys
import threading
import time

import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
rb = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)  # bytes replies
rs = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10, decode_responses=True)
lines = []


def out(name, value):
    lines.append(f"{name} -> {value!r}")


def step(name, fn):
    try:
        out(name, fn())
    except redis.exceptions.RedisError as e:
        lines.append(f"{name} !! {type(e).__name__}: {e}")


def norm(value):
    """Order-independent form of sets, dicts and lists of members."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, dict):
        return sorted(value.items())
    return value


rs.flushall()

# ---- strings
step("set", lambda: rs.set("s", "hello"))
step("get", lambda: rs.get("s"))
step("set nx", lambda: rs.set("s", "x", nx=True))
step("set xx get", lambda: rs.set("s", "world", xx=True, get=True))
step("set keepttl", lambda: rs.set("s", "v2", keepttl=True))
step("set ex", lambda: rs.set("e", "v", ex=100))
step("ttl", lambda: 98 <= rs.ttl("e") <= 100)
step("pttl", lambda: 98000 <= rs.pttl("e") <= 100000)
step("set px", lambda: rs.set("e2", "v", px=50000))
step("expiretime", lambda: rs.execute_command("EXPIRETIME", "e") > time.time())
step("getex persist", lambda: rs.getex("e", persist=True))
step("ttl after persist", lambda: rs.ttl("e"))
step("getdel", lambda: rs.getdel("e"))
step("getdel missing", lambda: rs.getdel("e"))
step("incr", lambda: rs.incr("n"))
step("incrby", lambda: rs.incrby("n", 41))
step("decrby", lambda: rs.decrby("n", 2))
step("incrbyfloat", lambda: rs.incrbyfloat("f", 2.5))
step("incrbyfloat exp", lambda: rs.incrbyfloat("f", 1e-5))
step("incr wrong", lambda: rs.incr("s"))
step("mset", lambda: rs.mset({"a": "1", "b": "2"}))
step("msetnx", lambda: rs.msetnx({"a": "x", "c": "3"}))
step("mget", lambda: rs.mget("a", "b", "c", "nope"))
step("append", lambda: rs.append("a", "23"))
step("strlen", lambda: rs.strlen("a"))
step("getrange", lambda: rs.getrange("a", 0, 1))
step("setrange", lambda: rs.setrange("a", 5, "x"))
step("get padded", lambda: rb.get("a"))
step("setnx", lambda: rs.setnx("a", "y"))
step("setex", lambda: rs.setex("sx", 10, "v"))
step("psetex", lambda: rs.psetex("px", 10000, "v"))
step("getset", lambda: rs.getset("a", "new"))
binary = bytes(range(256)) * 4
step("set binary", lambda: rb.set("bin", binary))
step("get binary", lambda: rb.get("bin") == binary)
step("set big", lambda: rs.set("big", "x" * (1 << 20)))
step("strlen big", lambda: rs.strlen("big"))
step("lcs", lambda: rs.execute_command("LCS", "a", "b"))

# ---- keys
step("exists", lambda: rs.exists("a", "b", "nope", "a"))
step("type", lambda: [rs.type(k) for k in ("a", "nope")])
step("expire", lambda: rs.expire("a", 100))
step("expire nx", lambda: rs.expire("a", 50, nx=True))
step("expire gt", lambda: rs.expire("a", 500, gt=True))
step("expire lt", lambda: rs.expire("a", 5, lt=True))
step("expireat", lambda: rs.expireat("b", int(time.time()) + 100))
step("pexpire", lambda: rs.pexpire("c", 100000))
step("persist", lambda: rs.persist("a"))
step("rename", lambda: rs.rename("b", "b2"))
step("rename missing", lambda: rs.rename("nope", "x"))
step("renamenx", lambda: rs.renamenx("b2", "c"))
step("copy", lambda: rs.copy("b2", "b3"))
step("copy replace", lambda: rs.copy("b2", "b3", replace=True))
step("keys", lambda: sorted(rs.keys("b*")))
step("dbsize", lambda: rs.dbsize())
step("randomkey", lambda: rs.randomkey() is not None)
step("unlink", lambda: rs.unlink("b3", "nope"))
step("delete", lambda: rs.delete("c", "b2"))
step("touch", lambda: rs.touch("a", "nope"))
step("object encoding", lambda: [rs.object("encoding", k) for k in ("a", "n", "big")])
step("object refcount", lambda: rs.object("refcount", "a"))
step("object idletime", lambda: rs.object("idletime", "a") >= 0)
step("object missing", lambda: rs.object("encoding", "nope"))
step("memory usage", lambda: rs.memory_usage("a") > 0)
step("select/move", lambda: rs.move("a", 3))
r3 = redis.Redis(host="127.0.0.1", port=port, db=3, decode_responses=True)
step("get in db 3", lambda: r3.get("a"))
step("swapdb", lambda: rs.swapdb(0, 3))
step("get after swapdb", lambda: rs.get("a"))
step("swapdb back", lambda: rs.swapdb(0, 3))
step("flushdb db3", lambda: r3.flushdb())
r3.close()

# ---- lists
step("rpush", lambda: rs.rpush("l", "a", "b", "c", "d"))
step("lpush", lambda: rs.lpush("l", "z"))
step("lpushx missing", lambda: rs.lpushx("nolist", "a"))
step("lrange", lambda: rs.lrange("l", 0, -1))
step("lindex", lambda: [rs.lindex("l", 1), rs.lindex("l", -1), rs.lindex("l", 99)])
step("llen", lambda: rs.llen("l"))
step("lset", lambda: rs.lset("l", 0, "y"))
step("lset out of range", lambda: rs.lset("l", 99, "y"))
step("linsert", lambda: rs.linsert("l", "before", "b", "a2"))
step("lrem", lambda: rs.lrem("l", 0, "a2"))
step("lpos", lambda: [rs.lpos("l", "c"), rs.lpos("l", "q"), rs.lpos("l", "c", count=0)])
step("ltrim", lambda: rs.ltrim("l", 0, 3))
step("lpop count", lambda: rs.lpop("l", 2))
step("rpop", lambda: rs.rpop("l"))
step("lmove", lambda: rs.lmove("l", "l2", "LEFT", "RIGHT"))
step("rpoplpush", lambda: rs.rpoplpush("l2", "l"))
step("lmpop", lambda: rs.execute_command("LMPOP", 2, "nolist", "l", "LEFT", "COUNT", 5))
step("lpop empty", lambda: rs.lpop("l"))
step("lpush wrongtype", lambda: rs.lpush("s", "a"))
for i in range(300):
    rs.rpush("biglist", f"item{i}")
step("big lrange", lambda: rs.lrange("biglist", 100, 104))
step("big encoding", lambda: rs.object("encoding", "biglist"))

# ---- hashes
step("hset mapping", lambda: rs.hset("h", mapping={"f1": "v1", "f2": "v2"}))
step("hset one", lambda: rs.hset("h", "f3", "v3"))
step("hget", lambda: [rs.hget("h", "f1"), rs.hget("h", "no")])
step("hmget", lambda: rs.hmget("h", ["f1", "no", "f3"]))
step("hgetall", lambda: rs.hgetall("h"))
step("hkeys/hvals", lambda: (rs.hkeys("h"), rs.hvals("h")))
step("hlen", lambda: rs.hlen("h"))
step("hexists", lambda: (rs.hexists("h", "f1"), rs.hexists("h", "no")))
step("hincrby", lambda: rs.hincrby("h", "n", 5))
step("hincrbyfloat", lambda: rs.hincrbyfloat("h", "fl", 1.25))
step("hincrby wrong", lambda: rs.hincrby("h", "f1", 1))
step("hsetnx", lambda: (rs.hsetnx("h", "f1", "x"), rs.hsetnx("h", "new", "x")))
step("hstrlen", lambda: rs.hstrlen("h", "f1"))
step("hdel", lambda: rs.hdel("h", "f1", "no"))
step("hrandfield", lambda: rs.hrandfield("h") in rs.hkeys("h"))
step("hrandfield count", lambda: len(rs.hrandfield("h", 3)))
step("hrandfield withvalues", lambda: len(rs.hrandfield("h", -8, withvalues=True)))
step("hscan_iter", lambda: sorted(rs.hscan_iter("h")))
for i in range(600):
    rs.hset("bighash", f"f{i}", f"v{i}")
step("hscan big", lambda: len(dict(rs.hscan_iter("bighash", match="f1*"))))
step("hscan big count", lambda: len(list(rs.hscan_iter("bighash", count=1000))))
step("hgetall big", lambda: len(rs.hgetall("bighash")))

# ---- sets
step("sadd", lambda: rs.sadd("st", "a", "b", "c", "d"))
step("sadd ints", lambda: rs.sadd("si", 1, 2, 3, 100000))
step("smembers", lambda: norm(rs.smembers("st")))
step("sismember", lambda: (rs.sismember("st", "a"), rs.sismember("st", "q")))
step("smismember", lambda: rs.smismember("st", ["a", "q", "b"]))
step("scard", lambda: rs.scard("st"))
step("srem", lambda: rs.srem("st", "d", "q"))
step("spop", lambda: rs.spop("si") in {"1", "2", "3", "100000"})
step("spop count", lambda: len(rs.spop("si", 10)))
step("srandmember", lambda: rs.srandmember("st") in {"a", "b", "c"})
step("srandmember neg", lambda: len(rs.srandmember("st", -7)))
rs.sadd("st2", "b", "c", "e")
step("sinter", lambda: norm(rs.sinter("st", "st2")))
step("sunion", lambda: norm(rs.sunion("st", "st2")))
step("sdiff", lambda: norm(rs.sdiff("st", "st2")))
step("sinterstore", lambda: rs.sinterstore("dst", ["st", "st2"]))
step("sunionstore", lambda: rs.sunionstore("dst", ["st", "st2"]))
step("sdiffstore", lambda: rs.sdiffstore("dst", ["st", "st2"]))
step("sintercard", lambda: rs.execute_command("SINTERCARD", 2, "st", "st2", "LIMIT", 1))
step("smove", lambda: rs.smove("st", "st2", "a"))
step("sscan_iter", lambda: sorted(rs.sscan_iter("st2")))
for i in range(700):
    rs.sadd("bigset", f"m{i}")
step("sscan big", lambda: len(set(rs.sscan_iter("bigset", match="m1*"))))
step("sscan big encoding", lambda: rs.object("encoding", "bigset"))

# ---- sorted sets
step("zadd", lambda: rs.zadd("z", {"one": 1, "two": 2, "three": 3}))
step("zadd nx", lambda: rs.zadd("z", {"one": 5, "four": 4}, nx=True))
step("zadd xx ch", lambda: rs.zadd("z", {"one": 1.5, "five": 5}, xx=True, ch=True))
step("zadd gt", lambda: rs.zadd("z", {"one": 0.5}, gt=True, ch=True))
step("zadd incr", lambda: rs.zadd("z", {"two": 10}, incr=True))
step("zincrby", lambda: rs.zincrby("z", 2.5, "two"))
step("zscore", lambda: (rs.zscore("z", "one"), rs.zscore("z", "no")))
step("zmscore", lambda: rs.zmscore("z", ["one", "no", "four"]))
step("zcard", lambda: rs.zcard("z"))
step("zrange withscores", lambda: rs.zrange("z", 0, -1, withscores=True))
step("zrange desc", lambda: rs.zrange("z", 0, 1, desc=True))
step("zrange byscore", lambda: rs.zrange("z", 1, 4, byscore=True, withscores=True))
step("zrange byscore limit", lambda: rs.zrange("z", "-inf", "+inf", byscore=True, offset=1, num=2))
step("zrangebyscore", lambda: rs.zrangebyscore("z", "(1.5", "+inf"))
step("zrevrangebyscore", lambda: rs.zrevrangebyscore("z", "+inf", 2, withscores=True))
step("zrevrange", lambda: rs.zrevrange("z", 0, -1))
step("zrank", lambda: (rs.zrank("z", "three"), rs.zrevrank("z", "three"), rs.zrank("z", "no")))
step("zcount", lambda: rs.zcount("z", 2, "+inf"))
step("zrem", lambda: rs.zrem("z", "four", "no"))
rs.zadd("zl", {"a": 0, "b": 0, "c": 0, "d": 0})
step("zrangebylex", lambda: rs.zrangebylex("zl", "[b", "+"))
step("zrevrangebylex", lambda: rs.zrevrangebylex("zl", "+", "(b"))
step("zlexcount", lambda: rs.zlexcount("zl", "-", "[c"))
step("zremrangebylex", lambda: rs.zremrangebylex("zl", "[d", "+"))
step("zpopmin", lambda: rs.zpopmin("z"))
step("zpopmax count", lambda: rs.zpopmax("z", 2))
rs.zadd("za", {"x": 1, "y": 2})
rs.zadd("zb", {"y": 3, "w": 4})
step("zunionstore weights", lambda: rs.zunionstore("zu", {"za": 2, "zb": 1}))
step("zunion", lambda: rs.zunion(["za", "zb"], withscores=True))
step("zinterstore max", lambda: rs.zinterstore("zi", ["za", "zb"], aggregate="MAX"))
step("zinter", lambda: rs.zinter(["za", "zb"], withscores=True, aggregate="MIN"))
step("zdiff", lambda: rs.zdiff(["za", "zb"], withscores=True))
step("zdiffstore", lambda: rs.zdiffstore("zd", ["za", "zb"]))
step("zrangestore", lambda: rs.zrangestore("zr", "zu", 0, 1))
step("zremrangebyrank", lambda: rs.zremrangebyrank("zu", 0, 0))
step("zremrangebyscore", lambda: rs.zremrangebyscore("zu", "-inf", 3))
step("zrandmember", lambda: len(rs.zrandmember("zb", 5, withscores=True)))
step("zmpop", lambda: rs.execute_command("ZMPOP", 1, "zb", "MIN"))
step("zscan_iter", lambda: sorted(rs.zscan_iter("za")))
step("zadd nan", lambda: rs.zadd("z", {"q": "nan"}))
step("zadd inf", lambda: rs.zadd("zinf", {"a": "inf", "b": "-inf"}))
step("zrange inf", lambda: rs.zrange("zinf", 0, -1, withscores=True))

# ---- SCAN over the keyspace
for i in range(250):
    rs.set(f"scan:{i}", i)
step("scan_iter match", lambda: len(set(rs.scan_iter(match="scan:1*"))))
step("scan_iter count", lambda: len(set(rs.scan_iter(match="scan:*", count=7))))
step("scan_iter type", lambda: sorted(rs.scan_iter(_type="zset")))
step("scan bad cursor", lambda: rs.scan(cursor="x"))

# ---- pipelines and transactions
pipe = rs.pipeline(transaction=False)
for i in range(500):
    pipe.set(f"p{i}", i)
pipe.get("p499")
pipe.incr("s")  # an error inside a pipeline
pipe.get("p0")
step("pipeline", lambda: (lambda res: (len(res), res[-3], type(res[-2]).__name__, res[-1]))(
    pipe.execute(raise_on_error=False)))
step("transaction", lambda: rs.pipeline().set("t", 1).incr("t").get("t").execute())
step("transaction error inside", lambda: rs.pipeline().set("t2", "a").incr("t2").get("t2").execute())
def tx_error():
    p = rs.pipeline()
    p.set("t3", 1)
    p.execute_command("NOSUCHCOMMAND")
    return p.execute()
step("transaction queue error", tx_error)
def watched(client):
    def fn(pipe):
        v = int(pipe.get("w") or 0)
        pipe.multi()
        pipe.set("w", v + 1)
    return client.transaction(fn, "w")
step("transaction watch", lambda: watched(rs))
def watch_conflict():
    with rs.pipeline() as p:
        p.watch("w")
        rs.set("w", "changed")  # another connection touches the key
        p.multi()
        p.set("w", "mine")
        try:
            p.execute()
            return "executed"
        except redis.exceptions.WatchError as e:
            return f"WatchError {e}"
step("watch conflict", watch_conflict)
step("after conflict", lambda: rs.get("w"))

# ---- blocking pops
step("blpop timeout", lambda: rs.blpop(["nolist"], timeout=0.1))
step("brpop ready", lambda: (rs.rpush("bl", "x"), rs.brpop(["nolist", "bl"], timeout=1)))
def pusher():
    time.sleep(0.2)
    rs2 = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
    rs2.rpush("later", "v1", "v2")
    rs2.zadd("zlater", {"m": 7})
    rs2.close()
threading.Thread(target=pusher).start()
step("blpop woken", lambda: rs.blpop(["later"], timeout=5))
step("bzpopmin woken", lambda: rs.bzpopmin(["zlater"], timeout=5))
step("blmove", lambda: rs.blmove("later", "dst2", 1, "RIGHT", "LEFT"))
step("brpoplpush timeout", lambda: rs.brpoplpush("nolist", "x", timeout=0.1))
step("blmpop", lambda: rs.execute_command("BLMPOP", "0.1", 1, "dst2", "LEFT"))
step("bzpopmax timeout", lambda: rs.bzpopmax(["nozset"], timeout=0.1))
step("blpop negative", lambda: rs.blpop(["x"], timeout=-1))

# ---- pub/sub
p = rs.pubsub()
p.subscribe("news", "sport")
p.psubscribe("n*")
got = []
deadline = time.time() + 5
while len(got) < 3 and time.time() < deadline:
    m = p.get_message(timeout=1)
    if m:
        got.append((m["type"], m["channel"], m["data"]))
out("subscribe confirmations", got)
step("pubsub channels", lambda: sorted(rs.pubsub_channels()))
step("pubsub channels pattern", lambda: rs.pubsub_channels("sp*"))
step("pubsub numsub", lambda: rs.pubsub_numsub("news", "none"))
step("pubsub numpat", lambda: rs.pubsub_numpat())
step("publish", lambda: rs.publish("news", "hello"))
got = []
deadline = time.time() + 5
while len(got) < 2 and time.time() < deadline:
    m = p.get_message(timeout=1)
    if m:
        got.append(tuple(sorted((k, repr(v)) for k, v in m.items())))
out("messages", sorted(got))
p.unsubscribe("news")
p.punsubscribe()
got = []
deadline = time.time() + 5
while len(got) < 2 and time.time() < deadline:
    m = p.get_message(timeout=1)
    if m:
        got.append((m["type"], m["channel"], m["data"]))
out("unsubscribe confirmations", got)
step("ping in subscribed context", lambda: p.ping())
m = p.get_message(timeout=2)
out("pong message", m and (m["type"], m["data"]))
p.close()

# ---- server and connection commands, parsed by redis-py
step("ping", lambda: rs.ping())
step("echo", lambda: rs.echo("hi"))
step("time", lambda: (lambda t: isinstance(t[0], int) and isinstance(t[1], int))(rs.time()))
step("client setname", lambda: rs.client_setname("py"))
step("client getname", lambda: rs.client_getname())
step("client id", lambda: rs.client_id() > 0)
step("client info keys", lambda: sorted(k for k in rs.client_info().keys()))
step("client info", lambda: {k: v for k, v in rs.client_info().items() if k in ("name", "db", "flags", "cmd", "user", "resp")})
step("client list", lambda: [c["name"] for c in rs.client_list() if c["name"] == "py"])
step("client list type", lambda: len([c for c in rs.client_list(_type="normal") if c["name"] == "py"]))
step("config get", lambda: sorted(rs.config_get("maxmemory*").items()))
step("config set", lambda: rs.config_set("maxmemory-policy", "allkeys-lru"))
step("config get after", lambda: rs.config_get("maxmemory-policy"))
step("config set bad", lambda: rs.config_set("maxmemory-policy", "bogus"))
rs.config_set("maxmemory-policy", "noeviction")
step("config get unknown", lambda: rs.config_get("no-such-param"))
info = rs.info()
out("info keys", sorted(k for k in ("redis_version", "redis_mode", "tcp_port", "connected_clients", "used_memory",
                                    "rdb_changes_since_last_save", "aof_enabled", "role", "keyspace_hits",
                                    "db0", "uptime_in_seconds", "maxmemory_policy") if k in info))
out("info db0 shape", sorted(info["db0"].keys()))
step("info section", lambda: sorted(rs.info("keyspace").keys()))
step("info commandstats", lambda: type(rs.info("commandstats")).__name__)
step("info everything", lambda: "redis_version" in rs.info("everything"))
step("dbsize", lambda: rs.dbsize())
step("lastsave", lambda: type(rs.lastsave()).__name__)
step("command count", lambda: rs.command_count() > 100)
step("command info", lambda: sorted(rs.command().get("get", {}).keys()) if hasattr(rs, "command") else None)
step("command get", lambda: {k: v for k, v in rs.command().get("get", {}).items() if k in ("arity", "first_key_pos", "last_key_pos", "step_count")})
step("command getkeys", lambda: rs.command_getkeys("MSET", "a", "1", "b", "2"))
step("acl whoami", lambda: rs.acl_whoami())
step("acl users", lambda: rs.acl_users())
step("role", lambda: rs.execute_command("ROLE"))
step("wait", lambda: rs.wait(0, 100))
step("slowlog len", lambda: type(rs.slowlog_len()).__name__)
step("slowlog get", lambda: type(rs.slowlog_get()).__name__)
step("slowlog reset", lambda: rs.slowlog_reset())
step("auth without password", lambda: rs.execute_command("AUTH", "pw"))
step("unknown", lambda: rs.execute_command("NOSUCHCOMMAND", "a"))
step("wrong arity", lambda: rs.execute_command("GET"))
step("object freq", lambda: rs.object("freq", "s"))
step("latency latest", lambda: rs.execute_command("LATENCY", "LATEST"))
step("sort", lambda: (rs.rpush("l", "b", "c", "a", "10"), rs.sort("l", alpha=True)))
step("sort desc limit", lambda: rs.sort("l", start=1, num=2, desc=True, alpha=True))
step("sort store", lambda: (rs.sort("l", alpha=True, store="sorted"), rs.lrange("sorted", 0, -1)))
step("sort groups", lambda: (rs.mset({"sw_a": 1, "sw_b": 2}), rs.rpush("sl", "a", "b"), rs.sort("sl", by="sw_*", get=["#", "sw_*"], groups=True)))
step("sort_ro", lambda: rs.sort_ro("sl", alpha=True, desc=True) if hasattr(rs, "sort_ro") else rs.execute_command("SORT_RO", "sl", "ALPHA", "DESC"))
step("sort not numbers", lambda: rs.sort("l"))
step("setbit", lambda: (rs.setbit("bits", 7, 1), rs.getbit("bits", 7), rs.bitcount("bits")))
step("bitpos", lambda: (rs.bitpos("bits", 1), rs.bitpos("bits", 0, 0, -1), rs.bitcount("bits", 0, 7, "BIT") if hasattr(rs, "bitcount") else None))
step("bitop", lambda: (rs.bitop("NOT", "nbits", "bits"), rs.strlen("nbits"), rs.getbit("nbits", 7), rs.getbit("nbits", 0)))
def bitfield_ops():
    bf = rs.bitfield("bf")
    bf.set("u8", 0, 255).incrby("u8", 0, 10).overflow("SAT").incrby("u8", 0, 1000).get("i8", "#0")
    return bf.execute()
step("bitfield", bitfield_ops)
step("bitfield_ro", lambda: rs.execute_command("BITFIELD_RO", "bf", "GET", "u4", "0"))
step("pfadd", lambda: (rs.pfadd("hll", "a", "b", "c"), rs.pfcount("hll")))
step("pfmerge", lambda: (rs.pfadd("hll2", *[f"m{i}" for i in range(500)]), rs.pfmerge("hllm", "hll", "hll2"), rs.pfcount("hllm"), rs.pfcount("hll", "hll2")))
step("pf bytes", lambda: rb.get("hll"))
step("pf wrongtype", lambda: rs.pfadd("s", "x"))
step("dump/restore", lambda: (rb.restore("restored", 0, rb.dump("h")), rs.hgetall("restored")))
step("restore busy", lambda: rb.restore("restored", 0, rb.dump("h")))
step("restore replace ttl", lambda: (rb.restore("restored", 5000, rb.dump("s"), replace=True), 0 < rs.pttl("restored") <= 5000, rs.get("restored")))
step("restore bad payload", lambda: rb.restore("bad", 0, b"nonsense"))
step("dump missing", lambda: rb.dump("nope"))

# ---- slow log entries as redis-py parses them
rs.config_set("slowlog-log-slower-than", 0)
rs.slowlog_reset()
rs.client_setname("slow")
rs.set("slowkey", "v" * 200)
rs.execute_command("RPUSH", "slowlist", *[str(i) for i in range(40)])
rs.execute_command("AUTH", "default", "secret-ish")
entries = rs.slowlog_get(10)
rs.config_set("slowlog-log-slower-than", 10000)
out("slowlog entries", [(e["command"], sorted(e.keys()), type(e["duration"]).__name__) for e in entries][:4])
step("latency doctor", lambda: rs.execute_command("LATENCY", "DOCTOR")[:40])

# ---- MONITOR through redis-py's parser
def monitored():
    seen = []
    with rs.monitor() as m:
        other = redis.Redis(host="127.0.0.1", port=port, db=2, decode_responses=True)
        other.set("mon", "a b\n\"c\"\x01")
        other.get("mon")
        other.execute_command("AUTH", "default", "pw")
        other.config_get("maxmemory")
        other.lpush("monl", "x")
        for _ in range(4):
            cmd = m.next_command()
            seen.append((cmd["db"], cmd["command"], cmd["client_type"]))
        other.close()
    return seen
step("monitor", monitored)

# ---- CLIENT REPLY, PAUSE, UNBLOCK
def reply_modes():
    c = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, single_connection_client=True)
    conn = c.connection
    conn.send_command("CLIENT", "REPLY", "OFF")
    conn.send_command("SET", "rk", "1")
    conn.send_command("CLIENT", "REPLY", "SKIP")  # ignored while OFF
    conn.send_command("CLIENT", "REPLY", "ON")
    first = conn.read_response()
    conn.send_command("CLIENT", "REPLY", "SKIP")
    conn.send_command("INCR", "rk")
    conn.send_command("GET", "rk")
    second = conn.read_response()
    c.close()
    return first, second
step("client reply", reply_modes)
def paused():
    rs.client_pause(300, all=False)
    t0 = time.time()
    v = rs.get("rk")  # reads pass a WRITE pause
    read_fast = time.time() - t0 < 0.2
    rs.set("rk", "after")  # waits for the pause to end
    waited = time.time() - t0 >= 0.25
    rs.client_pause(300)  # ALL: reads wait too
    t1 = time.time()
    v2 = rs.get("rk")
    return v, read_fast, waited, v2, time.time() - t1 >= 0.25
def unblocked():
    ids = {}
    def blocker():
        b = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
        ids["id"] = b.client_id()
        try:
            ids["result"] = b.blpop(["never"], timeout=10)
        except redis.exceptions.RedisError as e:
            ids["result"] = f"{type(e).__name__}: {e}"
    t = threading.Thread(target=blocker)
    t.start()
    while "id" not in ids:
        time.sleep(0.01)
    time.sleep(0.2)
    n = rs.client_unblock(ids["id"], error=True)
    t.join()
    return n, ids["result"]
step("client pause", paused)
step("client unblock", unblocked)
step("wait timeout", lambda: (rs.wait(1, 100), rs.wait(0, 0)))

# ---- AUTH with requirepass
step("config set requirepass", lambda: rs.config_set("requirepass", "s3cret"))
step("authenticated connection stays", lambda: rs.ping())
anon = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
step("noauth", lambda: anon.get("rk"))
step("noauth unknown command", lambda: anon.execute_command("NOSUCHCOMMAND"))
step("noauth hello", lambda: anon.execute_command("HELLO", "2"))
step("wrong password", lambda: anon.execute_command("AUTH", "nope"))
step("right password", lambda: anon.execute_command("AUTH", "s3cret"))
step("after auth", lambda: anon.get("rk"))
anon.close()
step("password client", lambda: redis.Redis(host="127.0.0.1", port=port, password="s3cret").ping())
step("username client", lambda: redis.Redis(host="127.0.0.1", port=port, username="default", password="s3cret").ping())
step("bad password client", lambda: redis.Redis(host="127.0.0.1", port=port, password="bad").ping())
def hello_auth():
    reply = redis.Redis(host="127.0.0.1", port=port).execute_command("HELLO", "2", "AUTH", "default", "s3cret")
    if isinstance(reply, list):
        reply = dict(zip(reply[::2], reply[1::2]))
    return sorted(k for k in reply), reply[b"proto"]  # the id differs between servers
step("hello auth", hello_auth)
step("acl list with password", lambda: rs.acl_list())
def reset_deauthenticates():
    c = redis.Redis(host="127.0.0.1", port=port, single_connection_client=True)
    c.execute_command("AUTH", "s3cret")
    before = c.get("rk")
    c.execute_command("RESET")
    try:
        c.get("rk")
        after = "served"
    except redis.exceptions.RedisError as e:
        after = f"{type(e).__name__}: {e}"
    c.close()
    return before, after
step("reset deauthenticates", reset_deauthenticates)
step("config get requirepass", lambda: rs.config_get("requirepass"))
step("clear requirepass", lambda: rs.config_set("requirepass", ""))
step("no password needed again", lambda: redis.Redis(host="127.0.0.1", port=port).ping())

# ---- INFO commandstats / errorstats as redis-py parses them (counts, not timings)
def command_stats():
    rs.config_resetstat()
    rs.set("cs", "1")
    rs.incr("cs")
    for args in (("GET",), ("LPUSH", "cs", "x"), ("CONFIG", "NOSUCH")):
        try:
            rs.execute_command(*args)
        except redis.exceptions.RedisError:
            pass
    stats = rs.info("commandstats")
    counts = {k: (v["calls"], v["rejected_calls"], v["failed_calls"]) for k, v in stats.items()}
    return sorted(counts.items()), rs.info("errorstats"), rs.info("stats")["total_error_replies"]
step("commandstats", command_stats)
step("latency histogram", lambda: sorted(rs.execute_command("LATENCY", "HISTOGRAM", "incr")))

step("flushall", lambda: rs.flushall())
step("quit", lambda: rs.execute_command("QUIT"))

print("\n".join(lines))
print("done")
