#!/usr/bin/env python3
"""C2 work per compilation root in a benchmark's measured window, from a JFR recording.

usage: jit-roots.py RUN.jfr RUN.txt [TOP]

RUN.jfr is a recording with jdk.Compilation (threshold 0 ms), jdk.Deoptimization and
jdk.ThreadEnd enabled; RUN.txt holds the run's RESULT line (ops=, ops_per_s=). The measured
window is taken as the ops / ops_per_s seconds before the first jangada-loop-* thread ended
(the nodes close right after the measured phase). Prints totals of C2 (level 4) compilations in
the window and the whole run, the TOP roots by C2 time in the window (with how often each
method was compiled by C2 in the whole run and its largest code size), and the window's
deoptimizations by method and reason.
"""
import collections, json, re, subprocess, sys
from datetime import datetime


def ts(s):
    # 2026-12-01T05:01:02.123456789Z or with an offset; keep microseconds
    m = re.match(r'(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(.*)', s)
    frac = (m.group(2) or '.0')[1:7].ljust(6, '0')
    return datetime.fromisoformat(m.group(1)).timestamp() + int(frac) / 1e6


def dur(s):  # JFR JSON durations: "PT0.001234S" or "PT1M2.3S"
    m = re.match(r'PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?', s)
    h, mi, se = m.groups()
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(se or 0)


def name(method):
    return method['type']['name'].replace('/', '.') + '.' + method['name']


def main():
    jfr, txt = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    result = [l for l in open(txt) if l.startswith('RESULT')][0]
    fields = dict(f.split('=', 1) for f in result.split() if '=' in f)
    seconds = float(fields['ops']) / float(fields['ops_per_s'])
    out = subprocess.run(['jfr', 'print', '--json', '--events',
                          'jdk.Compilation,jdk.Deoptimization,jdk.ThreadEnd', jfr],
                         capture_output=True, text=True, check=True).stdout
    events = json.loads(out)['recording']['events']
    ends = [ts(e['values']['startTime']) for e in events if e['type'] == 'jdk.ThreadEnd'
            and (e['values'].get('thread') or {}).get('javaName', '').startswith('jangada-loop-')]
    end = min(ends)
    start = end - seconds
    c2 = [e['values'] for e in events if e['type'] == 'jdk.Compilation'
          and e['values']['compileLevel'] == 4]
    runs = collections.Counter(name(v['method']) for v in c2)
    size = collections.defaultdict(int)
    for v in c2:
        size[name(v['method'])] = max(size[name(v['method'])], v['codeSize'])
    win = [v for v in c2 if start <= ts(v['startTime']) + dur(v['duration']) / 2 <= end]
    ours = [v for v in win if name(v['method']).startswith('io.jangada')
            and '.shaded.' not in name(v['method'])]
    def tot(vs):
        return len(vs), sum(dur(v['duration']) for v in vs), sum(v['codeSize'] for v in vs) // 1024
    print('window %.1f s (%s ops at %s ops/s)' % (seconds, fields['ops'], fields['ops_per_s']))
    for label, vs in (('C2 whole run', c2), ('C2 in window', win), ('  ours (io.jangada, unshaded)', ours)):
        n, t, kb = tot(vs)
        print('%-32s %4d compilations %6.2f s %6d kB' % (label, n, t, kb))
    byroot = collections.defaultdict(lambda: [0, 0.0, 0])
    for v in win:
        r = byroot[name(v['method']) + (' (osr)' if v.get('isOsr') else '')]
        r[0] += 1
        r[1] += dur(v['duration'])
        r[2] += v['codeSize']
    print('\ntop C2 roots in the window: count, seconds, kB code; [C2 compilations whole run, max kB]')
    for k, (n, t, b) in sorted(byroot.items(), key=lambda kv: -kv[1][1])[:top]:
        base = k.replace(' (osr)', '')
        print('%2d %6.3f s %5.1f kB  [%d, %.1f]  %s' % (n, t, b / 1024, runs[base], size[base] / 1024, k))
    deopts = collections.Counter()
    nwin = 0
    for e in events:
        if e['type'] != 'jdk.Deoptimization':
            continue
        v = e['values']
        if start <= ts(v['startTime']) <= end:
            nwin += 1
            deopts[(name(v['method']), v['reason'], v.get('action'))] += 1
    print('\ndeoptimizations in the window: %d' % nwin)
    for (m, r, a), n in deopts.most_common(top):
        print('%3d %s %s %s' % (n, r, a, m))


main()
