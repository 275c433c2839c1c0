#!/usr/bin/env python3
"""Summarises a JFR recording of a benchmark run (benchmarks/PROFILE.md): the top allocated classes
and allocation sites by sampled weight (jdk.ObjectAllocationSample), allocation and CPU samples
(jdk.ExecutionSample) grouped by the first io.jangada frame on the stack (protobuf and the shaded
gRPC classes skipped), and the top self frames. JDK 17's `jfr` has no `view` command.

usage: jfr-summary.py recording.jfr [rows, default 25] [seconds of start-up and warm-up to drop]
"""
import json, subprocess, sys, collections
f = sys.argv[1]; n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
skip = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0  # seconds of start-up and warm-up to drop
import datetime
def ts(e):
    return datetime.datetime.fromisoformat(e['values']['startTime'][:26].rstrip('Z'))
def events(name):
    out = subprocess.run(['jfr', 'print', '--json', '--stack-depth', '64', '--events', name, f],
                         capture_output=True, text=True, check=True).stdout
    evs = json.loads(out)['recording']['events']
    if not evs or skip <= 0:
        return evs
    t0 = min(ts(e) for e in evs)
    return [e for e in evs if (ts(e) - t0).total_seconds() >= skip]
def frame(fr):
    m = fr['method']; return m['type']['name'].replace('/','.').split('.')[-1] + '.' + m['name']
def first_project(frames):
    for fr in frames:
        t = fr['method']['type']['name'].replace('/', '.')
        if t.startswith('io.jangada') and '$$Lambda' not in t and 'thirdparty' not in t and '.proto.' not in t:
            return frame(fr)
    return '-'
alloc_proj = collections.Counter(); alloc = collections.Counter(); alloc_cls = collections.Counter(); total = 0
for e in events('jdk.ObjectAllocationSample'):
    v = e['values']; w = v['weight']; total += w
    frames = (v.get('stackTrace') or {}).get('frames') or []
    top = frame(frames[0]) if frames else '-'
    alloc[(v['objectClass']['name'], top, first_project(frames))] += w
    alloc_cls[v['objectClass']['name']] += w
    alloc_proj[first_project(frames)] += w
print(f'# allocation samples: total sampled weight {total/1e6:.1f} MB')
print('## top allocated classes (share of sampled weight)')
for k, w in alloc_cls.most_common(n): print(f'{100*w/total:5.1f}%  {k}')
print('## top allocation sites (class, allocating frame, first io.jangada frame)')
for k, w in alloc.most_common(n): print(f'{100*w/total:5.1f}%  {k[0]}  @ {k[1]}  <- {k[2]}')
print('## allocation by first io.jangada frame (outside protobuf)')
for k, w in alloc_proj.most_common(n): print(f'{100*w/total:5.1f}%  {k}')
cpu = collections.Counter(); cpu_proj = collections.Counter(); cnt = 0
for e in events('jdk.ExecutionSample'):
    frames = (e['values'].get('stackTrace') or {}).get('frames') or []
    if not frames: continue
    cnt += 1; cpu[frame(frames[0])] += 1; cpu_proj[first_project(frames)] += 1
print(f'# CPU samples: {cnt}')
print('## top frames (self)')
for k, c in cpu.most_common(n): print(f'{100*c/cnt:5.1f}%  {k}')
print('## by first io.jangada frame on the stack')
for k, c in cpu_proj.most_common(n): print(f'{100*c/cnt:5.1f}%  {k}')
