#!/usr/bin/env python3
"""Runs sqllogictest files against SQLite itself (Python's sqlite3 module), with the same record
rules as `sfs sql logictest`, to find how many records SQLite passes. The README's conformance
table compares `sfs sql` against these numbers ("the records SQLite itself passes").

usage: systems/sql/tests/slt_reference.py FILE.test...
"""
import hashlib
import re
import sqlite3
import sys


def main(paths):
    total = [0, 0, 0]
    for path in paths:
        counts = run(path)
        print(f"{path}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped")
        for i in range(3):
            total[i] += counts[i]
    print(f"total: {total[0]} passed, {total[1]} failed, {total[2]} skipped")


def formatter(db):
    def as_int(v):
        # sqlite3_column_int64 of the value, computed by SQLite itself.
        return db.execute("SELECT CAST(? AS INTEGER)", (v,)).fetchone()[0] if not isinstance(v, int) else v

    def fmt(v, t):
        if v is None:
            return "NULL"
        if t == "I":
            return str(as_int(v))
        if t == "R":
            return db.execute("SELECT printf('%.3f', CAST(? AS REAL))", (v,)).fetchone()[0]
        if isinstance(v, float):
            v = db.execute("SELECT CAST(? AS TEXT)", (v,)).fetchone()[0]
        if isinstance(v, bytes):
            v = v.decode("utf-8", "replace")
        s = str(v)
        if s == "":
            return "(empty)"
        return "".join(c if " " <= c <= "~" else "@" for c in s)
    return fmt


def run(path):
    db = sqlite3.connect(":memory:", isolation_level=None)
    fmt = formatter(sqlite3.connect(":memory:", isolation_level=None))
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    passed = failed = skipped = 0
    threshold = 0
    labels = {}
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        if not line.strip() or line.startswith("#"):
            i += 1
            continue
        conditions = []
        while i < len(lines) and lines[i].split()[:1] in (["skipif"], ["onlyif"]):
            conditions.append(lines[i].split())
            i += 1
        if i >= len(lines):
            break
        header = lines[i].split()
        record_line = i + 1
        i += 1
        if not header:
            continue
        kind = header[0]
        sql, expected, marker = [], [], False
        if kind in ("statement", "query"):
            while i < len(lines) and lines[i].strip():
                if kind == "query" and lines[i].rstrip("\r") == "----":
                    marker = True
                    i += 1
                    break
                sql.append(lines[i].rstrip("\r"))
                i += 1
            if marker:
                while i < len(lines) and lines[i].strip():
                    expected.append(lines[i].rstrip("\r"))
                    i += 1
        skip = any((c[0] == "skipif" and c[1] == "sqlite") or (c[0] == "onlyif" and c[1] != "sqlite")
                   for c in conditions if len(c) >= 2)
        if kind == "halt":
            if not skip:
                break
            continue
        if kind == "hash-threshold":
            threshold = int(header[1])
            continue
        if kind not in ("statement", "query"):
            continue
        if skip:
            skipped += 1
            continue
        text = "\n".join(sql)
        if kind == "statement":
            try:
                db.executescript(text)  # sqlite3_exec(): a record may hold several statements
                ok = True
            except sqlite3.Error:
                ok = False
            if ok == (header[1] == "ok"):
                passed += 1
            else:
                failed += 1
                report(path, record_line)
            continue
        types = header[1] if len(header) > 1 else ""
        sort = header[2] if len(header) > 2 else "nosort"
        label = header[3] if len(header) > 3 else ""
        try:
            rows = db.execute(text).fetchall()
        except sqlite3.Error:
            failed += 1
            report(path, record_line)
            continue
        rows = [[fmt(v, types[c] if c < len(types) else "T") for c, v in enumerate(r)] for r in rows]
        if sort == "rowsort":
            rows.sort()
        values = [v for r in rows for v in r]
        if sort == "valuesort":
            values.sort()
        md5 = hashlib.md5("".join(v + "\n" for v in values).encode()).hexdigest()
        digest = f"{len(values)} values hashing to {md5}"
        if not marker:
            ok = True
        elif len(expected) == 1 and " values hashing to " in expected[0]:
            ok = digest == expected[0]
        else:
            ok = values == expected
            if not ok and types:
                w = len(types)
                ok = [" ".join(values[k:k + w]) for k in range(0, len(values), w)] == expected
        if ok and label:
            if label in labels and labels[label] != digest:
                ok = False
            labels.setdefault(label, digest)
        if ok:
            passed += 1
        else:
            failed += 1
            report(path, record_line)
    return passed, failed, skipped


def report(path, line):
    if "-v" in sys.argv:
        print(f"FAIL {path}:{line}")


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if a != "-v"])
