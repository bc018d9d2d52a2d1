# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Reads an `strace -f -o FILE` trace of one portcullis command and prints its kill
# points, one "SYSCALL N" a line: strace's inject=SYSCALL:signal=KILL:when=N stops
# the command at that call, before it runs (strace counts each syscall on its own).
# A kill point is every call, from the first one that touches the state (under
# /sys/fs/bpf, or a bpf command that pins, links or writes a map), that changes
# something, and the last call of all: between two of them the command only reads,
# and a kill there leaves what a kill at the next one leaves. The first line printed
# is "total T", the number of calls in the trace. The points come spread out (every
# 16th, then the 8ths between, ...), so that a run cut short by its time budget still
# covers the whole command.
import re
import sys

CHANGES = re.compile(
    r"^(mkdir|mkdirat|unlink|unlinkat|rename|renameat2?|symlink|symlinkat|rmdir)\(|"
    r"^bpf\(BPF_(OBJ_PIN|LINK_CREATE|LINK_UPDATE|LINK_DETACH|MAP_UPDATE_ELEM|"
    r"MAP_DELETE_ELEM|PROG_ATTACH|PROG_DETACH)|^(sendto|sendmsg)\(.*RTM_(NEW|DEL)TFILTER")
call = re.compile(r"^(?:\d+ +)?([a-z0-9_]+)\((.*)$")
seen, points, total, started = {}, [], 0, False
for line in open(sys.argv[1]):
    m = call.match(line)
    if not m or line.startswith("<") or "resumed>" in line:
        continue
    name = m.group(1)
    total += 1
    seen[name] = seen.get(name, 0) + 1
    text = name + "(" + m.group(2)
    if not started and ("/sys/fs/bpf/portcullis" in text and CHANGES.match(text)):
        started = True
    if started and CHANGES.match(text):
        points.append((name, seen[name]))
    last = (name, seen[name])
if total:
    points.append(last)
print("total", total)
done = set()
for step in (16, 8, 4, 2, 1):
    for i in range(0, len(points), step):
        if i not in done:
            done.add(i)
            print(*points[i])
