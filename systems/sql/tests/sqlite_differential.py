#!/usr/bin/env python3
"""Differential testing against SQLite: random schemas (every column affinity, many index
shapes: multi-column, DESC, UNIQUE, COLLATE NOCASE), mixed-type data (text that looks numeric,
reals, blobs, empty strings, NULLs) and random queries (expressions, CAST, LIKE/GLOB, IN,
BETWEEN, DISTINCT, ORDER BY/LIMIT, aggregates, GROUP BY, joins, correlated subqueries). The
expected results come from SQLite itself through Python's sqlite3 module; the output is a
sqllogictest file (every result column typed T) for `sfs sql logictest`.

    python3 sqlite_differential.py SEED NQUERIES > d.test      (NOIDX=1: no indexes)

Used by differential_test.cc; sqlite_replay.py replays one failing query against both."""
import os, random, re, sqlite3, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from slt_reference import formatter

NOIDX = os.environ.get("NOIDX"); seed = int(sys.argv[1]); nq = int(sys.argv[2])
r = random.Random(seed)
db = sqlite3.connect(':memory:', isolation_level=None)
fmt = formatter(sqlite3.connect(':memory:', isolation_level=None))
out = []
def stmt(sql):
    try:
        db.execute(sql); out.append('statement ok\n%s\n' % sql)
    except sqlite3.Error:
        out.append('statement error\n%s\n' % sql)
def val():
    k = r.random()
    if k < 0.08: return 'NULL'
    if k < 0.55: return str(r.randint(-20, 60))
    if k < 0.75: return '%.2f' % r.uniform(-20, 60)
    if k < 0.95: return "'%s'" % r.choice(['a','b','ab','B','abc','', 'zz', '10', '5', '5.0', ' x'])
    b = r.randint(0,255)
    return "x'%02x'" % (b if b != 0x20 else 0x21)  # a lone space would read as a blank line
cols = ['a','b','c','d']
types = ['INTEGER','REAL','TEXT','','NUMERIC','INT','FLOAT','VARCHAR(10)','BLOB']
tables = []
for t in range(3):
    name = 't%d' % t
    decl = ', '.join('%s %s' % (c, r.choice(types)) for c in cols)
    pk = r.random() < 0.5
    stmt('CREATE TABLE %s(%s%s)' % (name, 'id INTEGER PRIMARY KEY, ' if pk else '', decl))
    for i in range(0 if NOIDX else r.randint(0, 3)):
        idx_cols = r.sample(cols, r.randint(1, 3))
        parts = ', '.join(c + r.choice(['', ' DESC', ' ASC', ' COLLATE NOCASE']) for c in idx_cols)
        stmt('CREATE %sINDEX %s_i%d ON %s(%s)' % ('UNIQUE ' if r.random() < 0.2 else '', name, i, name, parts))
    for i in range(r.randint(5, 40)):
        stmt('INSERT %sINTO %s(%s) VALUES(%s)' % (r.choice(['', 'OR REPLACE ', 'OR IGNORE ']), name, ','.join(cols), ','.join(val() for _ in cols)))
    tables.append(name)
    if r.random() < 0.3:
        stmt('DELETE FROM %s WHERE %s' % (name, '%s %s %s' % (r.choice(cols), r.choice(['<','>','=','IS']), val())))
    if r.random() < 0.3:
        stmt('UPDATE %s SET %s = %s WHERE %s %s %s' % (name, r.choice(cols), val(), r.choice(cols), r.choice(['<','>','=']), val()))
stmt('ANALYZE') if r.random() < 0.5 else None
def expr(t, depth=0):
    k = r.random()
    c = '%s.%s' % (t, r.choice(cols)) if t else r.choice(cols)
    if depth > 1 or k < 0.4: return c
    if k < 0.55: return val()
    if k < 0.7: return '(%s %s %s)' % (expr(t, depth+1), r.choice(['+','-','*','/','%','||']), expr(t, depth+1))
    if k < 0.8: return '%s(%s)' % (r.choice(['abs','length','lower','typeof','coalesce','quote']), c)
    if k < 0.9: return 'CAST(%s AS %s)' % (c, r.choice(['INTEGER','REAL','TEXT','NUMERIC']))
    return 'CASE WHEN %s THEN %s ELSE %s END' % (cond(t, depth+1), expr(t, depth+1), expr(t, depth+1))
def cond(t, depth=0):
    k = r.random()
    c = '%s.%s' % (t, r.choice(cols)) if t else r.choice(cols)
    if depth < 2 and k < 0.2: return '(%s %s %s)' % (cond(t, depth+1), r.choice(['AND','OR']), cond(t, depth+1))
    if k < 0.3: return 'NOT ' + cond(t, depth+1)
    if k < 0.6: return '%s %s %s' % (c, r.choice(['=','<','<=','>','>=','<>','IS','IS NOT']), val())
    if k < 0.7: return '%s BETWEEN %s AND %s' % (c, val(), val())
    if k < 0.8: return '%s %sIN (%s)' % (c, r.choice(['','NOT ']), ','.join(val() for _ in range(r.randint(1,4))))
    if k < 0.85: return '%s IS %sNULL' % (c, r.choice(['','NOT ']))
    if k < 0.9: return "%s %s '%s'" % (c, r.choice(['LIKE','GLOB']), r.choice(['a%','%b','_','A%','*a*','1%']))
    return '%s %s %s' % (c, r.choice(['=','<','>']), expr(t, depth+1))
def collide(values):
    ints = {v for v in values if type(v) is int}
    return any(type(v) is float and v.is_integer() and int(v) in ints for v in values)
def ambiguous_choice(sql):
    checks = []
    m = re.match(r'SELECT (\w), count\(\*\), min\((\w)\), max\((\w)\) FROM (\w+) GROUP BY', sql)
    if m: checks += [(m[4], m[1]), (m[4], m[2]), (m[4], m[3])]
    m = re.match(r'SELECT (?:min|max)\((\w)\) FROM (\w+)', sql)
    if m: checks.append((m[2], m[1]))
    m = re.search(r'\(SELECT max\(i\.(\w)\) FROM (\w+) i', sql)
    if m: checks.append((m[2], m[1]))
    for table, column in checks:
        if collide([row[0] for row in db.execute('SELECT %s FROM %s' % (column, table))]): return True
    if sql.startswith('SELECT DISTINCT '):
        try:
            rows = db.execute(sql.replace('SELECT DISTINCT ', 'SELECT ', 1).split(' ORDER BY ')[0]).fetchall()
        except sqlite3.Error:
            return True  # text that is not UTF-8, see above
        if any(collide(list(column)) for column in zip(*rows)): return True
    return False
def check(sql):
    try:
        cur = db.execute(sql); rows = cur.fetchall(); n = len(cur.description)
    except sqlite3.Error as e:
        # Python cannot decode a TEXT value that is not UTF-8 (a blob cast to text): not an SQL
        # error, so the query says nothing about SQLite's behaviour and is left out.
        if 'decode' not in str(e): out.append('statement error\n%s\n' % sql)
        return
    ordered = ' ORDER BY ' in sql and ' LIMIT ' in sql or ('ORDER BY' in sql and 'GROUP BY' not in sql)
    vals = [[fmt(v, 'T') for v in row] for row in rows]
    # Where the answer depends on the order rows happen to be visited (ties in ORDER BY between 0
    # and 0.0, which of two equal values DISTINCT or GROUP BY keeps, LIMIT cutting through ties),
    # SQLite itself answers differently with its scans reversed: such a query tests the plan, not
    # the semantics. Ties alone are compared as a set; anything else is left out.
    db.execute('PRAGMA reverse_unordered_selects=ON')
    try:
        again = [[fmt(v, 'T') for v in row] for row in db.execute(sql).fetchall()]
    finally:
        db.execute('PRAGMA reverse_unordered_selects=OFF')
    if sorted(again) != sorted(vals): return
    if ordered and again != vals:
        if ' LIMIT ' in sql: return
        ordered = False
    # The same holds where SQLite does not reverse: rows tied in ORDER BY that print differently
    # (5 and 5.0), and DISTINCT, GROUP BY, min() and max() choosing between 5 and 5.0.
    if ordered and any(a == b and fa != fb for a, b, fa, fb in zip(rows, rows[1:], vals, vals[1:])):
        if ' LIMIT ' in sql: return
        ordered = False
    if ambiguous_choice(sql): return
    # SQLite has bugs of its own (3.40 answers x NOT IN (SELECT c ...) wrongly when a UNIQUE index
    # on c is used and c holds a NULL; an automatic index can lose a RTRIM collation): a query
    # whose answer changes when SQLite may not use indexes is left out rather than copied.
    try:
        plain = re.sub(r'\b(FROM|JOIN|,) (t\d)((?: [xyio])?)\b', r'\1 \2\3 NOT INDEXED', sql)
        plain = re.sub(r'(\(SELECT [^()]*)\)', r'\1 LIMIT -1)', plain)  # no index as IN's list
        db.execute('PRAGMA automatic_index=OFF')  # 3.40's can lose a RTRIM collation
        try:
            plain = db.execute(plain).fetchall()
        finally:
            db.execute('PRAGMA automatic_index=ON')
        if sorted([fmt(v, 'T') for v in row] for row in plain) != sorted(vals): return
    except sqlite3.Error:
        return
    # A value that prints as blanks would end the record early in the sqllogictest format.
    if any(v.strip() == '' for row in vals for v in row): return
    mode = 'nosort' if ordered else 'rowsort'
    if mode == 'rowsort': vals.sort()
    out.append('query %s %s\n%s\n----\n%s\n' % ('T'*n, mode, sql, '\n'.join(v for row in vals for v in row)))

for q in range(nq):
    t = r.choice(tables)
    k = r.random()
    if k < 0.35:
        sel = ', '.join(expr(None) for _ in range(r.randint(1, 3)))
        sql = 'SELECT %s%s FROM %s WHERE %s' % (r.choice(['', 'DISTINCT ']), sel, t, cond(None))
        if r.random() < 0.4:
            sql += ' ORDER BY %s' % ', '.join('%d%s' % (i+1, r.choice(['',' DESC'])) for i in range(sel.count(',')+1))
            if r.random() < 0.5: sql += ' LIMIT %d OFFSET %d' % (r.randint(0,5), r.randint(0,3))
    elif k < 0.5:
        c = r.choice(cols)
        sql = 'SELECT %s FROM %s WHERE %s ORDER BY %s%s, %s' % (', '.join(cols), t, cond(None), c, r.choice(['',' DESC']), ', '.join(cols))
        if r.random() < 0.5: sql += ' LIMIT %d' % r.randint(1, 6)
    elif k < 0.6:
        c = r.choice(cols)
        sql = 'SELECT %s(%s) FROM %s WHERE %s' % (r.choice(['min','max','count','sum','total','avg','group_concat']), c, t, cond(None))
        if sql.startswith('SELECT group_concat'): sql = sql.replace('group_concat(%s)' % c, 'length(group_concat(%s))' % c)
    elif k < 0.75:
        g = r.choice(cols)
        sql = 'SELECT %s, count(*), min(%s), max(%s) FROM %s GROUP BY %s' % (g, r.choice(cols), r.choice(cols), t, g)
        if r.random() < 0.4: sql += ' HAVING count(*) %s %d' % (r.choice(['>','<','=']), r.randint(0,3))
    elif k < 0.9:
        t2 = r.choice(tables); a1 = 'x'; a2 = 'y'
        c1 = r.choice(cols); c2 = r.choice(cols)
        join = r.choice(['JOIN', 'LEFT JOIN', 'CROSS JOIN', ','])
        on = '' if join in (',', 'CROSS JOIN') else ' ON x.%s %s y.%s' % (c1, r.choice(['=','=','<','>','IS']), c2)
        where = ' WHERE ' + (cond('x') if join in (',', 'CROSS JOIN') and r.random()<0.3 else 'x.%s = y.%s' % (c1, c2) if join in (',','CROSS JOIN') else cond(r.choice(['x','y'])))
        sql = 'SELECT x.%s, y.%s, %s FROM %s x %s %s y%s%s' % (r.choice(cols), r.choice(cols), expr('y'), t, join, t2, on, where)
    else:
        t2 = r.choice(tables); c = r.choice(cols)
        kind = r.random()
        if kind < 0.33:
            sql = 'SELECT %s FROM %s WHERE %s IN (SELECT %s FROM %s WHERE %s)' % (c, t, c, r.choice(cols), t2, cond(None))
        elif kind < 0.66:
            sql = 'SELECT %s FROM %s o WHERE EXISTS (SELECT 1 FROM %s i WHERE i.%s = o.%s)' % (c, t, t2, r.choice(cols), c)
        else:
            sql = 'SELECT %s, (SELECT max(i.%s) FROM %s i WHERE i.%s < o.%s) FROM %s o' % (c, r.choice(cols), t2, r.choice(cols), c, t)
    check(sql)

# Phase 2, from a second random stream (so phase 1 above stays as it was for every seed): a table
# with declared collations, views and subqueries whose columns carry expression affinities,
# compounds, CASE, scalar functions, more aggregates, and DML followed by a full read-back.
r = random.Random(seed * 7919 + 17)
collations = ['', ' COLLATE NOCASE', ' COLLATE RTRIM', ' COLLATE BINARY']
decl = ', '.join('%s %s%s' % (c, r.choice(types), r.choice(collations)) for c in cols)
stmt('CREATE TABLE t3(id INTEGER PRIMARY KEY, %s)' % decl)
for i in range(r.randint(0, 2)):
    parts = ', '.join(c + r.choice(['', ' DESC', ' COLLATE NOCASE', ' COLLATE BINARY']) for c in r.sample(cols, r.randint(1, 2)))
    stmt('CREATE INDEX t3_i%d ON t3(%s)' % (i, parts))
def val3():
    if r.random() < 0.5: return "'%s'" % r.choice(['abc', 'ABC', 'Abc ', 'abc  ', 'b', 'B', '', 'a b'])
    return val()
for i in range(r.randint(5, 25)):
    stmt('INSERT INTO t3(%s) VALUES(%s)' % (','.join(cols), ','.join(val3() for _ in cols)))
tables.append('t3')
for i, t in enumerate(tables[:3]):
    stmt('CREATE VIEW v%d AS SELECT a, +b AS pb, c || \'\' AS cs, CAST(d AS TEXT) AS dt, CAST(a AS NUMERIC) AS an, d FROM %s' % (i, t))
vcols = ['a', 'pb', 'cs', 'dt', 'an', 'd']
functions = ['substr(%s, 2)', 'substr(%s, -2, 1)', 'instr(%s, \'b\')', 'replace(%s, \'a\', \'x\')',
             'round(%s, 1)', 'nullif(%s, 5)', 'iif(%s, 1, 0)', 'hex(%s)', 'max(%s, 10)', 'min(%s, \'b\')',
             'ifnull(%s, \'z\')', 'trim(%s)', 'upper(%s)', 'typeof(%s)', 'typeof(+%s)', 'abs(%s)',
             'printf(\'%%d|%%s|%%.2f\', %s, %s, %s)', 'length(%s)', 'unicode(%s)', 'quote(%s)']
for q in range(nq // 3):
    k = r.random()
    t = r.choice(tables); t2 = r.choice(tables); c = r.choice(cols); c2 = r.choice(cols)
    # Which of 'abc' and 'ABC' a NOCASE column shows for a group, or keeps in a UNION, depends on
    # the visiting order: t3 stays out of those.
    if 0.3 <= k < 0.42 or 0.76 <= k < 0.84:
        t = r.choice(tables[:3]); t2 = r.choice(tables[:3])
    if k < 0.12:
        v = 'v%d' % r.randrange(3); vc = r.choice(vcols)
        sql = 'SELECT %s, %s FROM %s WHERE %s %s %s' % (vc, r.choice(vcols), v, vc, r.choice(['=', '<', '>=', 'IN', 'IS NOT']), val() if r.random() < 0.8 else '(%s, %s)' % (val(), val()))
        if ' IN ' in sql and not sql.endswith(')'): sql = sql.replace(' IN ', ' = ')
    elif k < 0.2:
        v = 'v%d' % r.randrange(3)
        sql = 'SELECT x.%s, y.%s FROM %s x, %s y WHERE x.%s %s y.%s' % (r.choice(vcols), c, v, t2, r.choice(vcols), r.choice(['=', '<', '>']), c2)
    elif k < 0.3:
        sql = 'SELECT x, typeof(x) FROM (SELECT %s AS x FROM %s) WHERE x %s %s' % (expr(None), t, r.choice(['=', '<', '>', '<>']), val())
    elif k < 0.42:
        op = r.choice(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT'])
        sql = 'SELECT %s FROM %s %s SELECT %s FROM %s' % (c, t, op, c2, t2)
        if r.random() < 0.5: sql += ' ORDER BY 1%s' % r.choice(['', ' DESC'])
    elif k < 0.5:
        sql = 'SELECT %s FROM %s WHERE %s %sIN (SELECT %s FROM %s)' % (c, t, expr(None), r.choice(['', 'NOT ']), r.choice([c2, '+' + c2, 'CAST(%s AS TEXT)' % c2]), t2)
    elif k < 0.56:
        sql = 'SELECT %s FROM %s WHERE (SELECT %s(%s) FROM %s) %s %s' % (c, t, r.choice(['min', 'max']), c2, t2, r.choice(['=', '<', '>']), r.choice([c, '+' + c, val()]))
    elif k < 0.64:
        sql = 'SELECT CASE %s WHEN %s THEN \'y\' WHEN %s THEN \'z\' ELSE \'n\' END, %s FROM %s' % (r.choice([c, '+' + c]), val(), r.choice(cols), c, t)
    elif k < 0.76:
        f = r.choice(functions)
        sql = 'SELECT %s, %s FROM %s WHERE %s' % (f % tuple(expr(None) for _ in range(f.replace('%%', '').count('%s'))), c, t, cond(None))
    elif k < 0.84:
        g = r.choice(['count(DISTINCT %s)', 'length(group_concat(DISTINCT %s))', 'total(%s)', 'avg(%s)', 'sum(%s)', 'count(%s)'])
        sql = 'SELECT %s, %s FROM %s GROUP BY %s' % (c2, g % c, t, c2) if r.random() < 0.5 else 'SELECT %s FROM %s WHERE %s' % (g % c, t, cond(None))
    elif k < 0.9:
        sql = 'SELECT x.%s, y.%s FROM %s x LEFT JOIN %s y ON x.%s %s y.%s WHERE y.%s IS %sNULL' % (c, c2, t, t2, c, r.choice(['=', '<', 'IS']), c2, r.choice(cols), r.choice(['', 'NOT ']))
    elif k < 0.95:
        sql = 'SELECT id, %s FROM t3 WHERE %s %s %s ORDER BY %s, id' % (c, c, r.choice(['=', '<', '>', 'IN', 'BETWEEN']), val3(), c)
        if ' IN ' in sql: sql = sql.replace(' ORDER BY', ' OR %s IN (%s, %s) ORDER BY' % (c, val3(), val3())).replace(' IN ', ' = ', 1)
        if ' BETWEEN ' in sql: sql = sql.replace(' ORDER BY', ' AND %s ORDER BY' % val3())
    else:
        if r.random() < 0.5:
            stmt('UPDATE %s SET %s = %s WHERE %s' % (t, c, r.choice([val(), val3(), expr(None)]), cond(None)))
        else:
            stmt('DELETE FROM %s WHERE %s' % (t, cond(None)))
        sql = 'SELECT * FROM %s' % t
    check(sql)
print('hash-threshold 0\n')
print('\n'.join(out))
