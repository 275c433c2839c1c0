#!/usr/bin/env python3
"""Where a run's slow writes sit in time: safepoint pauses and the wall clock's 100-ms phase.

usage: tail-phases.py LATENCIES.txt SAFEPOINTS.log

LATENCIES.txt is NodeBenchmark's --latency-file ("start_epoch_us latency_us" per write);
SAFEPOINTS.log is the run's -Xlog:safepoint=info,gc=info:file=...:time,uptime output (the forked
run's file: use %p in the name). Prints p50/p99, how many writes >= p99 (and >= 3x p50)
overlapped a safepoint of more than 1 ms, the p99 without those writes, how the writes >= p99
cluster (per 100 ms of the run: 32 clients held at once show as multiples of the client count),
and when they completed modulo 100 ms of wall-clock time (uniform: 10 % per 10 ms).
"""
import collections, datetime, re, sys


def main():
    writes = [tuple(map(int, line.split())) for line in open(sys.argv[1])]
    lat = sorted(l for _, l in writes)
    p50, p99 = lat[len(lat) // 2], lat[int(len(lat) * 0.99)]
    pauses = []
    for line in open(sys.argv[2]):
        m = re.match(r'\[(\S+?)\+0000\].*Safepoint "(\w+)".*Total: (\d+) ns', line)
        if m:
            end = datetime.datetime.strptime(m.group(1), '%Y-%m-%dT%H:%M:%S.%f').replace(
                tzinfo=datetime.timezone.utc).timestamp() * 1e6
            d = int(m.group(3)) / 1000
            if d > 1000:
                pauses.append((end - d, end, m.group(2)))
    print(f'writes {len(writes)} p50_us {p50} p99_us {p99}; safepoints > 1 ms: {len(pauses)}',
          ', '.join(f'{n} {(e - b) / 1000:.1f} ms' for b, e, n in pauses))

    def overlaps(s, l):
        return any(s < e and s + l > b for b, e, _ in pauses)

    for threshold, label in ((p99, '>= p99'), (3 * p50, '>= 3x p50')):
        slow = [(s, l) for s, l in writes if l >= threshold]
        print(f'{label}: {len(slow)} writes, {sum(overlaps(s, l) for s, l in slow)} overlapped a pause')
    rest = sorted(l for s, l in writes if not overlaps(s, l))
    print(f'without the pause-overlapping writes: p99_us {rest[int(len(rest) * 0.99)]}')
    t0 = min(s for s, _ in writes)
    groups = collections.Counter((s - t0) // 100_000 for s, l in writes if l >= p99)
    print(f'>= p99 writes by 100 ms of the run: {len(groups)} periods, sizes',
          sorted(collections.Counter(groups.values()).items()))
    phase = collections.Counter(((s + l) // 1000) % 100 // 10 * 10 for s, l in writes if l >= p99)
    print('>= p99 completions by wall-clock ms mod 100:',
          ' '.join(f'{k}-{k + 10}:{phase.get(k, 0)}' for k in range(0, 100, 10)))


if __name__ == '__main__':
    main()
