#!/usr/bin/env python3
# Reads the diagnosis catalogue (src/catalogue.c) and prints
#   --codes   its finding codes, sorted
#   --check   problems: IDs not VD001.. in order, duplicate codes, empty fields
#   --man     the man page's DIAGNOSES section (what man/vifdiag.1 must contain verbatim)
import re, sys

def rows(path):
    s = open(path).read()
    s = re.sub(r'/\*.*?\*/', '', s, flags=re.S)
    body = s[s.index('vd_rules[] = {'):]
    body = body[:body.index('\n};')]
    out = []
    for m in re.finditer(r'\{\s*"VD', body):
        depth, i = 0, m.start()
        while True:
            c = body[i]
            if c == '"':
                j = i + 1
                while body[j] != '"':
                    j += 2 if body[j] == '\\' else 1
                i = j
            elif c == '{':
                depth += 1
            elif c == '}':
                depth -= 1
                if depth == 0:
                    break
            i += 1
        out.append(fields(body[m.start() + 1:i]))
    return out

def fields(text):
    # top-level comma-separated; adjacent string literals concatenate
    parts, cur, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            cur.append(('s', text[i + 1:j].encode().decode('unicode_escape')))
            i = j + 1
            continue
        if c == ',':
            parts.append(cur); cur = []
        elif not c.isspace():
            m = re.match(r'[A-Za-z_][A-Za-z0-9_]*', text[i:])
            if m:
                cur.append(('w', m.group(0))); i += len(m.group(0)); continue
        i += 1
    if cur:
        parts.append(cur)
    def val(p):
        if all(k == 's' for k, _ in p):
            return ''.join(v for _, v in p)
        return ' '.join(v for _, v in p)
    return [val(p) for p in parts]

SEV = {'E': 'error', 'W': 'warning', 'I': 'info'}

def man_esc(s):
    s = s.replace('\\', '\\e').replace('-', '\\-')
    return ('\\&' + s) if s[:1] in ('.', "'") else s

def main():
    mode, path = sys.argv[1], sys.argv[2]
    rs = rows(path)
    if mode == '--codes':
        print('\n'.join(sorted(r[1] for r in rs)))
    elif mode == '--check':
        bad = 0
        for n, r in enumerate(rs, 1):
            if len(r) != 7 or r[0] != 'VD%03d' % n or r[2] not in SEV or not all(r):
                print('row %d: %r' % (n, r)); bad = 1
        codes = [r[1] for r in rs]
        for c in set(codes):
            if codes.count(c) > 1:
                print('duplicate code ' + c); bad = 1
        sys.exit(bad)
    elif mode == '--man':
        print('.SH DIAGNOSES')
        print('Every finding comes from one rule of this catalogue: a stable rule ID (never')
        print('renumbered), the finding code (an alias of the ID), its severity, what it means,')
        print('an example message and the remedy.')
        print('.B vifdiag check')
        print('lists the evidence of each finding.')
        for r in rs:
            print('.TP')
            print('.B %s %s' % (r[0], man_esc(r[1])))
            print('(%s) %s.' % (SEV[r[2]], man_esc(r[3])))
            print('.br')
            print('Example: %s' % man_esc(r[5]))
            print('.br')
            print('Fix: %s.' % man_esc(r[4]))

main()
