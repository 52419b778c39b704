#!/usr/bin/env python3
# Lists pairs of modules that import each other (in the app, the contract and the server):
# `python3 xtask/scripts/seams.py` prints each crate with its cycles; [] means none.
import os,re
def modules(root):
    mods={}
    for dp,_,fs in os.walk(root):
        for f in fs:
            if not f.endswith('.rs'): continue
            p=os.path.join(dp,f); rel=os.path.relpath(p,root)[:-3].split(os.sep)
            if rel==['main'] or rel[0]=='bin': continue
            if rel[-1] in ('mod','lib'): rel=rel[:-1]
            mods[tuple(rel)]=p
    return mods
def expand(prefix, body):
    # body after 'crate' or 'super': '::a::b' or '::{a, b::{c}}'
    out=[]
    body=body.strip()
    if body.startswith('::'): body=body[2:]
    if body.startswith('{'):
        depth=0; cur=''; items=[]
        for ch in body[1:]:
            if ch=='{': depth+=1
            if ch=='}':
                if depth==0: items.append(cur); break
                depth-=1
            if ch==',' and depth==0: items.append(cur); cur=''; continue
            cur+=ch
        for it in items:
            it=it.strip()
            if not it: continue
            m=re.match(r'(\w+)(.*)',it,re.S)
            if m.group(2).strip().startswith('::'): out+=expand(prefix+[m.group(1)], m.group(2))
            else: out.append(prefix+[m.group(1)])
    else:
        m=re.match(r'(\w+)(.*)',body,re.S)
        if not m: return [prefix]
        rest=m.group(2)
        if rest.startswith('::'): out+=expand(prefix+[m.group(1)], rest)
        else: out.append(prefix+[m.group(1)])
    return out
for root in ['src','crates/api/src','crates/server/src']:
    mods=modules(root); edges=set()
    for m,p in mods.items():
        text=open(p).read()
        text=re.sub(r'#\[cfg\(test\)\]\s*mod tests \{.*','',text,flags=re.S)
        is_mod_file=os.path.basename(p) in ('mod.rs','lib.rs')
        for mt in re.finditer(r'\b(crate|super|self)(::(?:\{[^;]*?\}|\w+(?:::\w+)*(?:::\{[^;]*?\})?))',text):
            kind=mt.group(1)
            if kind=='crate': base=[]
            elif kind=='super': base=list(m)[:-1]
            else: base=list(m)
            for parts in expand(base, mt.group(2)):
                best=()
                for i in range(len(parts),-1,-1):
                    if tuple(parts[:i]) in mods: best=tuple(parts[:i]); break
                if best!=m: edges.add((m,best))
        for child in [k for k in mods if len(k)==len(m)+1 and k[:len(m)]==m]:
            if re.search(r'(?<![:\w])'+child[-1]+r'::',text): edges.add((m,child))
    cyc=sorted({tuple(sorted([a,b])) for a,b in edges if (b,a) in edges})
    print(root, [('/'.join(a) or '<root>')+' <-> '+('/'.join(b) or '<root>') for a,b in cyc])
