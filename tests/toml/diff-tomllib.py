#!/usr/bin/env python3
# diff-tomllib.py: differential check of the TOML reader against Python's
# tomllib (TOML 1.0) on any set of files, e.g. a fuzzing corpus.  Run by
# hand: TOML_JSON=BUILD/tests/toml-json tests/toml/diff-tomllib.py FILES...
# Known, intended differences: integers past 64 bits (TOML asks for an
# error; Python has big integers) and a UTF-8 BOM at the start (tomllib
# reads str, so a BOM is a stray character to it).
import sys, os, json, subprocess, tomllib, datetime, math
tj = os.environ.get('TOML_JSON', 'build/tests/toml-json')
def conv(o):
    if isinstance(o, dict): return {k: conv(v) for k, v in o.items()}
    if isinstance(o, list): return [conv(v) for v in o]
    if isinstance(o, bool): return ('bool', str(o).lower())
    if isinstance(o, int): return ('integer', o)
    if isinstance(o, float): return ('float', o)
    if isinstance(o, str): return ('string', o)
    if isinstance(o, datetime.datetime):
        return ('datetime' if o.tzinfo else 'datetime-local', o)
    if isinstance(o, datetime.date): return ('date-local', o)
    if isinstance(o, datetime.time): return ('time-local', o)
    raise Exception(type(o))
def ours(o):
    if isinstance(o, dict) and set(o) == {'type', 'value'} and isinstance(o['type'], str) and isinstance(o['value'], str):
        t, v = o['type'], o['value']
        if t == 'integer': return (t, int(v))
        if t == 'float': return (t, float(v))
        if t == 'datetime':
            return (t, datetime.datetime.fromisoformat(v.replace('Z', '+00:00')))
        if t == 'datetime-local': return (t, datetime.datetime.fromisoformat(v))
        if t == 'date-local': return (t, datetime.date.fromisoformat(v))
        if t == 'time-local': return (t, datetime.time.fromisoformat(v))
        return (t, v)
    if isinstance(o, dict): return {k: ours(v) for k, v in o.items()}
    if isinstance(o, list): return [ours(v) for v in o]
    raise Exception(o)
def eq(a, b):
    if isinstance(a, dict): return isinstance(b, dict) and a.keys() == b.keys() and all(eq(a[k], b[k]) for k in a)
    if isinstance(a, list): return isinstance(b, list) and len(a) == len(b) and all(eq(x, y) for x, y in zip(a, b))
    if a[0] != b[0]: return False
    if a[0] == 'float' and math.isnan(a[1]): return math.isnan(b[1])
    return a[1] == b[1]
bad = 0; n = 0
for f in sys.argv[1:]:
    data = open(f, 'rb').read()
    try:
        py = conv(tomllib.loads(data.decode('utf-8'))); pyok = True
    except Exception as e:
        pyok = False; pyerr = str(e)
    r = subprocess.run([tj, f], capture_output=True)
    ok = r.returncode == 0
    n += 1
    if ok != pyok:
        bad += 1
        print('DISAGREE', f, 'ours', ok, r.stderr.decode(errors='replace').strip()[:150], '| py', pyok, '' if pyok else pyerr[:100])
        continue
    if ok:
        try:
            o = ours(json.loads(r.stdout.decode('utf-8', errors='surrogateescape')))
        except Exception as e:
            print('OURS-UNREADABLE', f, e); bad += 1; continue
        if not eq(py, o):
            bad += 1; print('VALUE', f)
print(n, 'files', bad, 'disagreements')
