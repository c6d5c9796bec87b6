#!/usr/bin/env python3
# Prints every finding code the analysis can emit: the third argument of each
# vd_vif_add_finding() call in the given C files (both arms of a ternary).
import re,sys
def args_of(s, start):
    # split the call's arguments at top-level commas
    depth=0; i=start; cur=''; out=[]; instr=False
    while i < len(s):
        c=s[i]
        if instr:
            cur+=c
            if c=='\\': cur+=s[i+1]; i+=1
            elif c=='"': instr=False
        elif c=='"': instr=True; cur+=c
        elif c in '([': depth+=1; cur+=c
        elif c in ')]':
            if depth==0: out.append(cur); return out
            depth-=1; cur+=c
        elif c==',' and depth==0: out.append(cur); cur=''
        else: cur+=c
        i+=1
    return out
codes=set()
for p in sys.argv[1:]:
    s=open(p).read()
    for m in re.finditer(r'vd_vif_add_finding\(', s):
        a=args_of(s, m.end())
        if len(a) > 2:
            codes.update(re.findall(r'"([a-z][a-z0-9-]*)"', a[2]))
print('\n'.join(sorted(codes)))
