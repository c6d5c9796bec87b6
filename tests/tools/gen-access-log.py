#!/usr/bin/env python3
# tests/tools/gen-access-log.py SEED LINES: an oxenstored access log (§3.1) that walks every
# path of the parser and of the threaded reader (src/log_bulk.c): VIF handshakes that
# finish, stall or go back, among reads, watch events, directory listings and writes no VIF
# can use (from socket clients and domain kernels), errors right after writes (of the same
# connection and of another), transactions that commit, conflict or are reused, endconn,
# @-paths, mkdirs, domains of unknown id, replays, lines cut at 180 characters, blank lines,
# CR and NUL endings, malformed lines, and a clock that now and then steps back. Same SEED,
# same log.
import random
import sys

seed, lines = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(seed)
t = 1764000000000  # ms
out = sys.stdout.buffer


def stamp(ms):
    import time
    s = time.gmtime(ms // 1000)
    return "[%04d%02d%02dT%02d:%02d:%02d.%03dZ]" % (s.tm_year, s.tm_mon, s.tm_mday, s.tm_hour,
                                                   s.tm_min, s.tm_sec, ms % 1000)


def line(con, op, data, ms=None):
    text = "%s  %-12s %-9s %s" % (stamp(t if ms is None else ms), con, op, data)
    if len(text) > 179:  # access-log-nb-chars 180
        text = text[:177] + ".."
    emit(text)


def emit(text, end="\n"):
    out.write(text.encode("latin-1") + end.encode())


vifs = [(d, v) for d in range(1, 9) for v in range(2)]
state = {k: 0 for k in vifs}
conns = ["A%d" % n for n in range(40000, 40040)] + ["D%d" % n for n in range(0, 9)]
tx = {}
for n in range(lines):
    t += rnd.choice([0, 0, 1, 3, 7, 40, 400, 2500])
    if rnd.random() < 0.004:
        t -= rnd.choice([5, 1000, 60000])  # the clock steps back
    r = rnd.random()
    c = rnd.choice(conns)
    if r < 0.25:
        line(c, "read", "/local/domain/%d/memory/target" % rnd.randrange(9))
    elif r < 0.45:
        line(c, "w event", "/local/domain/%d/data/updated tok%d" % (rnd.randrange(9), n % 7))
    elif r < 0.50:
        line(c, rnd.choice(["watch", "setperms", "unwatch", "getperms", "directory"]),
             "/local/domain/%d/data n0" % rnd.randrange(9))
    elif r < 0.66:
        path = rnd.choice(["/local/domain/%d/data/updated %d" % (rnd.randrange(9), n),
                           "control/feature-balloon 1", "device/vbd/768/state 4",
                           "/local/domain/3/name guest%d" % (n % 3), "@introduceDomain x",
                           "", "data/x\\000y 1"])
        line(c, rnd.choice(["write", "write", "mkdir"]), path)
        if rnd.random() < 0.2:
            line(rnd.choice([c, c, "A1"]), "error", rnd.choice(["EACCES", "ENOENT", "EQUOTA"]))
    elif r < 0.80:
        d, v = rnd.choice(vifs)
        s = state[(d, v)]
        who = rnd.random()
        if who < 0.4:
            st = rnd.choice([1, 2, 3, 4, 4, 5, 6])
            line("D0", "write", "backend/vif/%d/%d/state %d" % (d, v, st))
        elif who < 0.7:
            st = rnd.choice([1, 3, 4, 4, 5, 6])
            line("D%d" % d, "write", "device/vif/%d/state %d" % (v, st))
        elif who < 0.85:
            line("A9", "write", "/local/domain/0/backend/vif/%d/%d/hotplug-status %s"
                 % (d, v, rnd.choice(["connected", "error"])))
        else:
            line("A7", rnd.choice(["rm", "mkdir"]), "/local/domain/0/backend/vif/%d/%d" % (d, v))
        state[(d, v)] = s + 1
        if rnd.random() < 0.1:
            line("D0" if who < 0.4 else "D%d" % d, "error", "EACCES")
    elif r < 0.88:
        k = rnd.choice(["A40001", "A40002", "D0"])
        i = tx.get(k, 0)
        op = rnd.random()
        if op < 0.3:
            tx[k] = i + 1
            line("%s.%d" % (k, i + 1), "t start", "")
        elif op < 0.7:
            line("%s.%d" % (k, i), "write", rnd.choice(["/local/domain/2/device/vif/0/state 4",
                                                      "/local/domain/2/data/x 1"]))
        else:
            line("%s.%d" % (k, i), rnd.choice(["commit", "conflict", "coalesce"]), "")
    elif r < 0.90:
        line(c, "endconn", "")
    elif r < 0.92:
        line("r(%d):%s" % (n % 5, c), "write", "/local/domain/1/data/replayed 1")
    elif r < 0.93:
        line("D99999999999", "write", rnd.choice(["device/vif/0/state 3", "device/vbd/1 2"]))
    elif r < 0.94:
        line(c, "write", "/local/domain/4/device/vif/1/" + "x" * rnd.randrange(100, 300))
    elif r < 0.95:
        emit("")
    elif r < 0.96:
        emit("%s  A40003       read      /local/domain/1/name" % stamp(t), end="\r\n")
    elif r < 0.965:
        emit("%s  A40003       read      /local/domain/1/name\0" % stamp(t))
    elif r < 0.975:
        emit(rnd.choice(["garbage", "[2026-11-25 bad stamp]  A1 read x",
                         "[20261125T99:00:00.000Z]  A1           read      x",
                         "%s  Z1           read      x" % stamp(t),
                         "%s  A1           frobnicate x" % stamp(t),
                         "%s  A1 read /tight/layout" % stamp(t),
                         "%s =======> Live update begin" % stamp(t)]))
    else:
        line(c, "newconn", "")
