#!/usr/bin/env python3
"""Replays one query of a sqllogictest file (e.g. from sqlite_differential.py) after the file's
successful statements, against `sfs sql` and the sqlite3 shell, and prints both results.

    python3 sqlite_replay.py FILE.test "SUBSTRING OF THE QUERY" [path/to/sfs]

The script it ran is left in replay.sql in the current directory."""
import os, subprocess, sys

path, needle = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
sfs = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, '..', '..', '..', 'build', 'sfs')
setup, query = [], None
for record in open(path).read().split('\n\n'):
    lines = record.strip().split('\n')
    if lines[0].startswith('statement ok'): setup.append(lines[1] + ';')
    if needle in record and lines[0].startswith('query'):
        query = lines[1]
        break
if query is None: sys.exit('no query contains %r' % needle)
sql = '\n'.join(setup) + "\nSELECT '-----';\n" + query + ';\n'
open('replay.sql', 'w').write(sql)
def run(argv):
    out = subprocess.run(argv, input=sql.encode(), capture_output=True).stdout.decode('utf-8', 'replace')
    return sorted(out.split('-----\n', 1)[-1].splitlines())
print('sfs   :', run([sfs, 'sql']))
print('sqlite:', run(['sqlite3']))
