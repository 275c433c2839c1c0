#!/usr/bin/env python3
"""Inclusive and self shares of the frames in the samples of one thread group, from
`perf script -F comm,tid,ip,sym,dso` output (benchmarks/profile/http-perf.sh).

usage: perf-stacks.py script.txt THREAD_NAME_PREFIX [rows, default 40]
"""
import collections, re, sys

path, prefix = sys.argv[1], sys.argv[2]
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 40
samples, current = [], None
for line in open(path, errors='replace'):
    if not line.strip():
        continue
    if not line[0].isspace():
        current = [line.rsplit(None, 1)[0].strip(), []]
        samples.append(current)
        continue
    m = re.match(r'\s*[0-9a-f]+ (.*) \((.*)\)\s*$', line)
    if m and current is not None:
        name = re.sub(r'\(.*\)$', '', m.group(1)).split(' ')[-1]  # drop the return type and params
        current[1].append((name, 'kernel' in m.group(2)))
chosen = [s for s in samples if s[0].startswith(prefix)]
total = max(len(chosen), 1)
in_kernel = sum(1 for _, stack in chosen if stack and stack[0][1])
print(f'{prefix}: {len(chosen)} of {len(samples)} samples, {100 * in_kernel / total:.1f}% with the leaf in the kernel')
inclusive, self_ = collections.Counter(), collections.Counter()
for _, stack in chosen:
    if stack:
        self_[stack[0][0]] += 1
        for name in {frame for frame, _ in stack}:
            inclusive[name] += 1
print('## inclusive')
for name, count in inclusive.most_common(rows):
    print(f'{100 * count / total:5.1f}%  {name}')
print('## self')
for name, count in self_.most_common(rows // 2):
    print(f'{100 * count / total:5.1f}%  {name}')
