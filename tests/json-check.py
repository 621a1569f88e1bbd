#!/usr/bin/python3
"""json-check.py — checks for the --json documents of modinfo, lsmod and
modprobe, run by tests/test-modinfo-json.sh, tests/test-lsmod.sh and
tests/test-modprobe-json.sh.

  json-check.py modinfo SCHEMA JSON TEXT0   the modinfo --json document
      equals what modinfo -0 printed for the same operands (TEXT0)
  json-check.py lsmod SCHEMA JSON TEXT ROOT the lsmod --json document
      equals lsmod's table (TEXT), its state and taint the fake system's
      (ROOT/proc/modules' state and taint columns, null for a module
      without ROOT/sys/module/NAME)
  json-check.py strings JSON MODINFO...     the document's info strings
      are the given "key=value" byte strings decoded with U+FFFD replacement
  json-check.py show-depends SCHEMA JSON TEXT CONFIG MODDIR
      the modprobe -D --json document says what modprobe -D printed (TEXT):
      the same lines in the same order; and each entry's reason holds, as
      the modprobe -c --json document CONFIG and MODDIR/modules.dep and
      modules.builtin say
  json-check.py config SCHEMA JSON TEXT     the modprobe -c --json document
      equals what modprobe -c printed (TEXT)

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


def text_lines(path):
    return open(path, 'rb').read().decode('utf-8', 'replace').splitlines()


def entry_line(e):
    """The line modprobe -D prints for a load list entry, or None."""
    if e['install'] is not None:
        return 'install %s %s' % (e['install'], e['options'])
    if e['path'] is not None:
        return 'insmod %s %s' % (e['path'], e['options'])
    if e['builtin']:
        return 'builtin ' + e['name']
    return None


def alias_normalize(name):
    out, bracket = [], False
    for c in name:
        if c == '[':
            bracket = True
        elif c == ']':
            bracket = False
        out.append('_' if c == '-' and not bracket else c)
    return ''.join(out)


def modname(path):
    return os.path.basename(path).split('.')[0].replace('-', '_')


def first_match(entries, name):
    import fnmatch
    for e in entries:
        if fnmatch.fnmatchcase(name, e['module']):
            return e
    return None


def check_reason(e, top, deps, config):
    """Why the entry is in the list, checked against the inputs."""
    reason, of = e['reason'], e['of']
    if reason == 'requested':
        return of is None and e['name'] == top['name']
    if of is None:
        return False
    if reason == 'dependency':
        return e['name'] in deps.get(of, ())
    soft = first_match(config['softdep'], of)
    if soft is None:
        return False
    import fnmatch
    names = [alias_normalize(n) for n in soft['pre' if reason == 'softdep-pre' else 'post']]
    return any(n in (e['name'], e['alias']) or
               (e['alias'] is not None and fnmatch.fnmatchcase(n, e['alias']))
               for n in names)


def check_show_depends(schema, doc_path, text_path, config_path, moddir):
    doc = load(doc_path, schema)
    config = load(config_path)
    deps, paths = {}, {}
    for line in open(os.path.join(moddir, 'modules.dep')):
        mod, _, rest = line.partition(':')
        deps[modname(mod)] = [modname(d) for d in rest.split()]
        paths[modname(mod)] = os.path.join(moddir, mod)
    builtin = {modname(l.strip()) for l in open(os.path.join(moddir, 'modules.builtin'))}
    lines, reasons = [], {}
    for obj in doc:
        if 'load' not in obj:
            continue
        for e in obj['load']:
            where = '%s: %s' % (obj['operand'], e['name'])
            line = entry_line(e)
            if line is not None:
                lines.append(line)
            if not check_reason(e, obj, deps, config):
                fail('%s: reason %r of %r does not hold' % (where, e['reason'], e['of']))
            reasons[e['reason']] = reasons.get(e['reason'], 0) + 1
            by_path = e['reason'] == 'requested' and obj['operand'].startswith(('/', './'))
            if e['name'] in paths and e['path'] != paths[e['name']] and not by_path:
                fail('%s: path %r, modules.dep says %r' % (where, e['path'],
                                                           paths.get(e['name'])))
            if e['builtin'] != (e['path'] is None and e['name'] in builtin):
                fail('%s: builtin %r' % (where, e['builtin']))
            weak = first_match(config['weakdep'], e['name'])
            if e['weakdeps'] != (weak['modules'] if weak else []):
                fail('%s: weakdeps %r, the configuration says %r' % (where, e['weakdeps'], weak))
    text = text_lines(text_path)
    if lines != text:
        for i, (a, b) in enumerate(zip(lines, text)):
            if a != b:
                fail('line %d: the document says\n%s\nthe text says\n%s' % (i + 1, a, b))
        fail('%d lines in the document, %d in the text' % (len(lines), len(text)))
    print('# %d modules, %d lines compared; reasons %s' %
          (len(doc), len(lines), ', '.join('%s %d' % r for r in sorted(reasons.items()))))


def config_lines(doc):
    """modprobe -c's text for a modprobe -c --json document."""
    lines = ['blacklist ' + b for b in doc['blacklist']]
    for kind in ('install', 'remove'):
        lines += ['%s %s %s' % (kind, e['module'], e['command']) for e in doc[kind]]
    lines += ['alias %s %s' % (e['alias'], e['module']) for e in doc['alias']]
    lines += ['options %s %s' % (e['module'], e['options']) for e in doc['options']]
    for e in doc['softdep']:
        value = ('pre: ' + ' '.join(e['pre']) if e['pre'] else '') + \
                ('post: ' + ' '.join(e['post']) if e['post'] else '')
        lines.append('softdep %s %s' % (e['module'], value))
    lines += ['weakdep %s %s' % (e['module'], ' '.join(e['modules'])) for e in doc['weakdep']]
    lines += ['', '# End of configuration files. Dumping indexes now:', '']
    for index in ('alias', 'symbols'):
        lines += ['alias %s %s' % (e['alias'], e['module'])
                  for e in doc['indexes'][index]['entries'] or []]
    return lines


def check_config(schema, doc_path, text_path):
    doc = load(doc_path, schema)
    lines, text = config_lines(doc), text_lines(text_path)
    if lines != text:
        for i, (a, b) in enumerate(zip(lines, text)):
            if a != b:
                fail('line %d: the document says\n%s\nthe text says\n%s' % (i + 1, a, b))
        fail('%d lines in the document, %d in the text' % (len(lines), len(text)))
    print('# %d lines compared (%d configuration entries, %d index entries)' %
          (len(lines), sum(len(doc[k]) for k in doc if k != 'indexes'),
           sum(len(doc['indexes'][i]['entries'] or []) for i in doc['indexes'])))


def main():
    what = sys.argv[1]
    if what == 'modinfo':
        check_modinfo(*sys.argv[2:5])
    elif what == 'lsmod':
        check_lsmod(*sys.argv[2:6])
    elif what == 'strings':
        check_strings(sys.argv[2], sys.argv[3:])
    elif what == 'show-depends':
        check_show_depends(*sys.argv[2:7])
    elif what == 'config':
        check_config(*sys.argv[2:5])
    else:
        fail('unknown check ' + what)


main()
