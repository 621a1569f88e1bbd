#!/usr/bin/python3
"""json-check.py — checks for the --json documents of modinfo and lsmod,
run by tests/test-modinfo-json.sh and tests/test-lsmod.sh.

  json-check.py modinfo SCHEMA JSON TEXT0   the modinfo --json document
      equals what modinfo -0 printed for the same operands (TEXT0)
  json-check.py lsmod SCHEMA JSON TEXT ROOT the lsmod --json document
      equals lsmod's table (TEXT), its state and taint the fake system's
      (ROOT/proc/modules' state and taint columns, null for a module
      without ROOT/sys/module/NAME)
  json-check.py strings JSON MODINFO...     the document's info strings
      are the given "key=value" byte strings decoded with U+FFFD replacement

The document must be valid UTF-8, parse with Python's json module and
validate against SCHEMA (with python3-jsonschema when it is installed).
Prints what differs and exits 1 on a difference."""
import json
import os
import sys


def load(path, schema=None):
    raw = open(path, 'rb').read()
    text = raw.decode('utf-8')  # strict: no invalid byte may reach the output
    doc = json.loads(text)
    if schema:
        try:
            import jsonschema
        except ImportError:
            if os.environ.get('CI') == 'true':
                raise
            print('# python3-jsonschema missing: schema not checked')
        else:
            jsonschema.Draft202012Validator(json.load(open(schema))).validate(doc)
    return doc


def fail(msg):
    print('# ' + msg.replace('\n', '\n# '))
    sys.exit(1)


def text_modules(path):
    """Split modinfo -0 output into (name, filename, [(key, value)], [parm])."""
    mods = []
    cur = None
    for rec in open(path, 'rb').read().split(b'\0')[:-1]:
        rec = rec.decode('utf-8', 'replace')
        if rec.startswith('name:') and '=' not in rec.split(':', 1)[0]:
            cur = {'name': rec[5:].lstrip(' '), 'filename': None, 'kv': [], 'parm': []}
            mods.append(cur)
        elif rec.startswith('filename:'):
            if cur is None or cur['filename'] is not None or cur['kv'] or cur['parm']:
                cur = {'name': None, 'filename': None, 'kv': [], 'parm': []}
                mods.append(cur)
            cur['filename'] = rec[9:].lstrip(' ')
        elif rec.startswith('parm:') and '=' not in rec.split(':', 1)[0]:
            cur['parm'].append(rec[5:].lstrip(' '))
        else:
            key, _, value = rec.partition('=')
            cur['kv'].append((key, value))
    return mods


def parm_text(p):
    """A parameter as modinfo's default output shows it after "parm:"."""
    if p['description'] is None:
        return '%s:%s' % (p['name'], p['type'])
    if p['type'] is None:
        return '%s:%s' % (p['name'], p['description'])
    return '%s:%s (%s)' % (p['name'], p['description'], p['type'])


def expected_info(kv):
    info = {}
    for key, value in kv:
        if key in ('sig_key', 'signature'):
            value = value.replace('\n\t\t', '')
        vals = info.setdefault(key, [])
        if key == 'depends':
            vals.extend(v for v in value.split(',') if v)
        else:
            vals.append(value)
    return info


def check_modinfo(schema, doc_path, text_path):
    doc = load(doc_path, schema)
    mods = [m for m in doc if 'info' in m]
    text = text_modules(text_path)
    if len(mods) != len(text):
        fail('%d modules in the document, %d in the text' % (len(mods), len(text)))
    fields = 0
    for m, t in zip(mods, text):
        where = m['operand']
        filename = m['filename'] if m['filename'] is not None else '(builtin)'
        if filename != t['filename'] or m['builtin'] != (m['filename'] is None):
            fail('%s: filename %r builtin %r, text says %r' % (where, m['filename'],
                                                               m['builtin'], t['filename']))
        if t['name'] is not None and t['name'] != m['name']:
            fail('%s: name %r, text says %r' % (where, m['name'], t['name']))
        info = dict(m['info'])
        params = info.pop('parm', [])
        want = expected_info(t['kv'])
        if list(info) != list(want) or info != want:
            fail('%s: info\n%s\ntext says\n%s' % (where, json.dumps(info, indent=1),
                                                   json.dumps(want, indent=1)))
        # modinfo lists parameters in reverse order of first appearance
        if [parm_text(p) for p in reversed(params)] != t['parm']:
            fail('%s: parm %r, text says %r' % (where, params, t['parm']))
        fields += sum(len(v) for v in want.values()) + len(params) + 2
    print('# %d modules, %d values compared' % (len(mods), fields))


STATES = {'Live': 'live', 'Loading': 'coming', 'Unloading': 'going'}


def check_lsmod(schema, doc_path, text_path, root):
    doc = load(doc_path, schema)
    proc = [l.split() for l in open(root + '/proc/modules')]
    for m, cols in zip(doc, proc):
        if os.path.isdir('%s/sys/module/%s' % (root, m['name'])):
            want = (STATES[cols[4]], cols[6].strip('()') if len(cols) > 6 else '')
        else:
            want = (None, None)
        if (m['state'], m['taint']) != want:
            fail('%s: state %r taint %r, want %r' % (m['name'], m['state'], m['taint'], want))
    lines = open(text_path).read().splitlines()[1:]
    if len(doc) != len(lines):
        fail('%d modules in the document, %d lines in the table' % (len(doc), len(lines)))
    for m, line in zip(doc, lines):
        cols = line.split()
        def num(v):
            return None if v is None or v < 0 else v
        size, refcnt = int(cols[1]), int(cols[2])
        holders = cols[3].split(',') if len(cols) > 3 else []
        got_holders = m['holders'] if m['holders'] is not None else []
        if (m['name'], m['size'], m['use_count'], got_holders) != \
                (cols[0], num(size), num(refcnt), holders):
            fail('%r, the table says %r' % (m, line))
    print('# %d modules compared' % len(doc))


def check_strings(doc_path, entries):
    doc = load(doc_path)
    info = doc[0]['info']
    for entry in entries:
        key, _, value = os.fsencode(entry).partition(b'=')
        want = value.decode('utf-8', 'replace')
        got = info.get(key.decode('utf-8', 'replace'))
        if got != [want]:
            fail('%r: %r, want %r' % (key, got, [want]))


def main():
    what = sys.argv[1]
    if what == 'modinfo':
        check_modinfo(*sys.argv[2:5])
    elif what == 'lsmod':
        check_lsmod(*sys.argv[2:6])
    elif what == 'strings':
        check_strings(sys.argv[2], sys.argv[3:])
    else:
        fail('unknown check ' + what)


main()
