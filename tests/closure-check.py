#!/usr/bin/python3
"""closure-check.py — the checks of tests/test-closure.sh, computed apart
from the library: the firmware: fields read from the modules' .modinfo
sections and modules.builtin.modinfo here, the firmware search path walked
here.

  closure-check.py firmware-tree TREE ROOT RELEASE
      make ROOT/lib/firmware from the firmware names TREE's modules carry:
      each name in one place of the search path (plain, .xz or .zst, in
      updates/RELEASE, updates, RELEASE or the top, behind a relative link,
      or missing); a pattern by a file it matches
  closure-check.py modules|order|firmware|json SETS OUT TREE ROOT RELEASE [SCHEMA]
      compare the outputs of test-closure.sh's runs for each set (line N of
      SETS, files OUT/N.*): with dracut-install's files, kmod's modprobe
      --show-depends, the firmware computed here, the --json and -0 forms

Prints what differs (as TAP diagnostics) and exits 1 on a difference."""
import glob
import json
import lzma
import gzip
import os
import posixpath
import struct
import subprocess
import sys

SUFFIXES = ['', '.zst', '.xz']


def search_dirs(release):
    return ['/lib/firmware/updates/' + release, '/lib/firmware/updates',
            '/lib/firmware/' + release, '/lib/firmware']


def read_module(path):
    data = open(path, 'rb').read()
    if path.endswith('.xz'):
        data = lzma.decompress(data)
    elif path.endswith('.gz'):
        data = gzip.decompress(data)
    elif path.endswith('.zst'):
        data = subprocess.run(['zstd', '-dc', path], capture_output=True, check=True).stdout
    return data


def modinfo_fields(path, key):
    """The values of KEY in the .modinfo section of an ELF64 LE module."""
    data = read_module(path)
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
    def section(i):
        name, _, _, _, off, size = struct.unpack_from('<IIQQQQ', data, shoff + i * shentsize)
        return name, off, size
    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, off, size = section(i)
        end = data.index(b'\0', stroff + name)
        if data[stroff + name:end] == b'.modinfo':
            out = []
            for rec in data[off:off + size].split(b'\0'):
                k, eq, v = rec.partition(b'=')
                if eq and k.decode() == key:
                    out.append(v.decode('utf-8', 'replace'))
            return out
    return []


def builtin_fields(tree, key):
    """{module: [values of KEY]} from modules.builtin.modinfo."""
    out = {}
    try:
        raw = open(os.path.join(tree, 'modules.builtin.modinfo'), 'rb').read()
    except FileNotFoundError:
        return out
    for rec in raw.split(b'\0'):
        name, dot, rest = rec.partition(b'.')
        k, eq, v = rest.partition(b'=')
        if dot and eq:
            out.setdefault(name.decode(), [])
            if k.decode() == key:
                out[name.decode()].append(v.decode('utf-8', 'replace'))
    return out


def find_firmware(root, release, name):
    """The kernel's direct lookup: paths on the way to the file, or []."""
    for suffix in SUFFIXES:
        for d in search_dirs(release):
            cur = d + '/' + name + suffix
            chain = []
            for _ in range(41):
                full = root + cur
                if os.path.islink(full):
                    chain.append(full)
                    target = os.readlink(full)
                    if not target.startswith('/'):
                        target = posixpath.dirname(cur) + '/' + target
                    cur = posixpath.normpath(target)
                    continue
                if os.path.isfile(full):
                    return chain + [full]
                break
    return []


def glob_firmware(root, release, pattern):
    names = []
    for d in search_dirs(release):
        for suffix in SUFFIXES:
            prefix = root + d + '/'
            for p in sorted(glob.glob(glob.escape(prefix) + pattern + suffix)):
                rel = p[len(prefix):]
                for s in SUFFIXES[1:]:
                    if rel.endswith(s):
                        rel = rel[:-len(s)]
                        break
                if rel not in names:
                    names.append(rel)
    return names


def expected_firmware(entries, tree, root, release, builtins, skip_builtin=False):
    """The firmware files of a closure's entries ('module', path) or
    ('builtin', name), in order, each name once."""
    seen, files = set(), []
    for kind, value in entries:
        if kind == 'module':
            fields = modinfo_fields(value, 'firmware')
        elif skip_builtin:
            continue
        else:
            fields = builtins.get(value, [])
        for field in fields:
            names = glob_firmware(root, release, field) if any(c in field for c in '*?[') \
                else [field]
            for name in names:
                if name in seen:
                    continue
                seen.add(name)
                files += find_firmware(root, release, name)
    return files


def firmware_tree(tree, root, release):
    names = set()
    for dirpath, _, files in os.walk(os.path.join(tree, 'kernel')):
        for f in files:
            if '.ko' in f:
                names.update(modinfo_fields(os.path.join(dirpath, f), 'firmware'))
    for values in builtin_fields(tree, 'firmware').values():
        names.update(values)
    fw = root + '/lib/firmware'
    counts = {}
    def put(path, content):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(content + '\n')
    for i, name in enumerate(sorted(names)):
        if any(c in name for c in '*?['):
            concrete = name.replace('*', 'x').replace('?', 'y')
            put(fw + '/' + concrete, name)
            counts['pattern'] = counts.get('pattern', 0) + 1
            continue
        kind = ['plain', 'xz', 'updates zst', 'release', 'updates release', 'link',
                'updates', 'missing'][i % 8]
        counts[kind] = counts.get(kind, 0) + 1
        if kind == 'plain':
            put(fw + '/' + name, name)
        elif kind == 'xz':
            put(fw + '/' + name + '.xz', name)
        elif kind == 'updates zst':
            put(fw + '/updates/' + name + '.zst', name)
        elif kind == 'release':
            put(fw + '/' + release + '/' + name, name)
        elif kind == 'updates release':
            put(fw + '/updates/' + release + '/' + name, name)
        elif kind == 'link':
            target = fw + '/targets/' + name
            put(target, name)
            link = fw + '/' + name
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink(os.path.relpath(target, os.path.dirname(link)), link)
        elif kind == 'updates':
            put(fw + '/updates/' + name, name)
    print('%d names: %s' % (len(names), ', '.join('%s %d' % kv for kv in sorted(counts.items()))))


def parse_text(path, sep='\n'):
    out = []
    for line in open(path, 'rb').read().decode().split(sep)[:-1]:
        kind, _, value = line.partition(' ')
        out.append((kind, value))
    return out


def fail(msgs):
    for m in msgs[:20]:
        print('# ' + m.replace('\n', '\n# '))
    if len(msgs) > 20:
        print('# ... %d more' % (len(msgs) - 20))
    sys.exit(1 if msgs else 0)


def main():
    what = sys.argv[1]
    if what == 'firmware-tree':
        firmware_tree(*sys.argv[2:5])
        return
    sets_file, out, tree, root, release = sys.argv[2:7]
    sets = open(sets_file).read().splitlines()
    moddir = root + '/lib/modules/' + release + '/'
    builtins = builtin_fields(tree, 'firmware')
    errors = []
    counts = {'sets': 0, 'modules': 0, 'builtin': 0, 'firmware': 0, 'links': 0, 'missing': 0}
    for n in range(1, len(sets) + 1):
        o = '%s/%d' % (out, n)
        real = parse_text(o + '.real')
        rooted = parse_text(o + '.root')
        counts['sets'] += 1
        if what == 'modules':
            ours = [v[len(tree) + 1:] for k, v in real if k == 'module']
            ours_root = [v[len(moddir):] for k, v in rooted if k == 'module']
            if ours != ours_root:
                errors.append('set %d: -b ROOT lists other modules than the real root' % n)
            marker = '/lib/modules/%s/' % release
            theirs = [l.split(marker, 1)[1] for l in open(o + '.dracut').read().splitlines()
                      if marker in '/' + l and '.ko' in l]
            if sorted(ours) != sorted(theirs):
                only_ours = sorted(set(ours) - set(theirs))
                only_theirs = sorted(set(theirs) - set(ours))
                errors.append('set %d (%s): only ours %s, only dracut-install\'s %s' % (
                    n, sets[n - 1][:60], only_ours[:5], only_theirs[:5]))
            counts['modules'] += len(ours)
            counts['builtin'] += sum(1 for k, _ in real if k == 'builtin')
            doc = json.load(open(o + '.json'))
            builtin_names = {m['name'] for m in doc['modules'] if m['builtin']}
            for m in doc['modules']:
                if m['reason'] == 'weakdep':
                    errors.append('set %d: %s is a weakdep, which dracut 059 does not '
                                  'follow' % (n, m['name']))
                if m['required_by'] in builtin_names and m['reason'] != 'dependency':
                    errors.append('set %d: %s is a soft dependency of built-in %s, which '
                                  'dracut-install skips' % (n, m['name'], m['required_by']))
        elif what == 'order':
            ours = [v if k == 'module' else 'builtin ' + v for k, v in real
                    if k in ('module', 'builtin')]
            theirs = []
            for line in open(o + '.modprobe').read().splitlines():
                kind, _, rest = line.partition(' ')
                entry = rest.split(' ')[0] if kind == 'insmod' else line
                if entry not in theirs:
                    theirs.append(entry)
            if ours != theirs:
                errors.append('set %d (%s):\nours    %s\nmodprobe %s' % (
                    n, sets[n - 1][:60], ours[:12], theirs[:12]))
            counts['modules'] += len(ours)
        elif what == 'firmware':
            for label, entries, r in (('real', real, ''), ('root', rooted, root)):
                want = expected_firmware([e for e in entries if e[0] != 'firmware'], tree, r,
                                         release, builtins)
                got = [v for k, v in entries if k == 'firmware']
                if got != want:
                    errors.append('set %d, %s root: firmware\nours     %s\ncomputed %s' % (
                        n, label, got[:6], want[:6]))
            got = [v for k, v in rooted if k == 'firmware']
            counts['firmware'] += sum(1 for f in got if not os.path.islink(f))
            counts['links'] += sum(1 for f in got if os.path.islink(f))
            counts['missing'] += sum(1 for f in json.load(open(o + '.json'))['firmware']
                                     if not f['found'])
            want = expected_firmware([e for e in rooted if e[0] != 'firmware'], tree, root,
                                     release, builtins, skip_builtin=True)
            fw = root + '/lib/firmware/'
            theirs = [fw + l.split('/lib/firmware/', 1)[1]
                      for l in open(o + '.dracut').read().splitlines()
                      if '/lib/firmware/' in '/' + l]
            if sorted(set(want)) != sorted(theirs):
                errors.append('set %d: firmware of the module files\ncomputed %s\n'
                              'dracut-install %s' % (n, sorted(set(want))[:6], sorted(theirs)[:6]))
        elif what == 'json':
            import jsonschema
            raw = open(o + '.json', 'rb').read()
            doc = json.loads(raw.decode('utf-8'))
            jsonschema.Draft202012Validator(json.load(open(sys.argv[7]))).validate(doc)
            text = []
            for m in doc['modules']:
                text.append(('module', m['path']) if m['path'] else ('builtin', m['name']))
            for f in doc['firmware']:
                if f['found'] != bool(f['files']):
                    errors.append('set %d: firmware %s: found but no files' % (n, f['name']))
                text += [('firmware', p) for p in f['files']]
            if text != rooted:
                errors.append('set %d: --json says other than the text' % n)
            if os.path.exists(o + '.null') and parse_text(o + '.null', '\0') != rooted:
                errors.append('set %d: -0 is not the text with NUL terminators' % n)
            for m in doc['modules']:
                if m['path'] and m['firmware'] != modinfo_fields(m['path'], 'firmware'):
                    errors.append('set %d: %s: firmware fields differ' % (n, m['name']))
            counts['modules'] += len(doc['modules'])
            counts['null'] = counts.get('null', 0) + os.path.exists(o + '.null')
    print('# %s: %s' % (what, ', '.join('%s %d' % kv for kv in counts.items() if kv[1])))
    fail(errors)


main()
