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
    try:
        cur = db.execute(sql); rows = cur.fetchall(); n = len(cur.description)
    except sqlite3.Error as e:
        # Python cannot decode a TEXT value that is not UTF-8 (a blob cast to text): not an SQL
        # error, so the query says nothing about SQLite's behaviour and is left out.
        if 'decode' not in str(e): out.append('statement error\n%s\n' % sql)
        continue
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
    if sorted(again) != sorted(vals): continue
    if ordered and again != vals:
        if ' LIMIT ' in sql: continue
        ordered = False
    # The same holds where SQLite does not reverse: rows tied in ORDER BY that print differently
    # (5 and 5.0), and DISTINCT, GROUP BY, min() and max() choosing between 5 and 5.0.
    if ordered and any(a == b and fa != fb for a, b, fa, fb in zip(rows, rows[1:], vals, vals[1:])):
        if ' LIMIT ' in sql: continue
        ordered = False
    if ambiguous_choice(sql): continue
    mode = 'nosort' if ordered else 'rowsort'
    if mode == 'rowsort': vals.sort()
    out.append('query %s %s\n%s\n----\n%s\n' % ('T'*n, mode, sql, '\n'.join(v for row in vals for v in row)))
print('hash-threshold 0\n')
print('\n'.join(out))
