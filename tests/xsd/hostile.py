#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hostile raw-socket clients and protocol details against vd-xenstored.

usage: hostile.py SOCKET

Each case misbehaves on the wire, checks that the server answers with the
right ERROR or drops only that client, and then proves with a fresh client
that the server still serves.  Prints "ok - name" / "not ok - name" lines.
"""
import socket
import struct
import sys
import time

XS = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
          TRANSACTION_START=6, TRANSACTION_END=7, GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12,
          SET_PERMS=14, WATCH_EVENT=15, ERROR=16, IS_DOMAIN_INTRODUCED=17, SET_TARGET=19,
          RESET_WATCHES=21, DIRECTORY_PART=22)
SOCK = sys.argv[1]
failures = 0


def report(ok, name, diag=None):
    global failures
    print(("ok - " if ok else "not ok - ") + name)
    if not ok:
        failures += 1
        if diag is not None:
            print("# " + repr(diag)[:300])


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCK)  # blocking: a full backlog makes us wait, not fail
    s.settimeout(10)
    return s


def msg(typ, payload, rid=1, tx=0):
    return struct.pack("<IIII", typ, rid, tx, len(payload)) + payload


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            return None
        b += d
    return b


def reply(s):
    h = recv_exact(s, 16)
    if h is None:
        return None
    typ, rid, tx, ln = struct.unpack("<IIII", h)
    return typ, rid, tx, recv_exact(s, ln)


def ask(typ, payload, rid=1, tx=0, s=None):
    own = s is None
    s = s or connect()
    s.sendall(msg(typ, payload, rid, tx))
    r = reply(s)
    if own:
        s.close()
    return r


def is_error(r, name):
    return r is not None and r[0] == XS["ERROR"] and r[3] == name.encode() + b"\0"


def alive():
    r = ask(XS["READ"], b"/local/domain/0/name\0", rid=99)
    return r == (XS["READ"], 99, 0, b"Domain-0")


def dropped(s):
    try:
        return s.recv(1) == b""
    except OSError:
        return True


def case(name, ok, diag=None):
    report(ok and alive(), name, diag)


def truncated_header():
    s = connect()
    s.sendall(b"\x02\x00\x00")
    s.close()
    case("hostile: truncated header then close", True)


def partial_then_complete():
    s = connect()
    m = msg(XS["READ"], b"/local/domain/0/domid\0", rid=5)
    s.sendall(m[:9])
    served = alive()  # the half-sent client must not block others
    time.sleep(0.05)
    s.sendall(m[9:20])
    time.sleep(0.05)
    s.sendall(m[20:])
    r = reply(s)
    s.close()
    case("hostile: request split over time, others served meanwhile",
         served and r == (XS["READ"], 5, 0, b"0"), r)


def byte_by_byte():
    s = connect()
    for b in msg(XS["READ"], b"/local/domain/0/name\0", rid=6):
        s.send(bytes([b]))
    r = reply(s)
    s.close()
    case("hostile: request sent one byte at a time", r == (XS["READ"], 6, 0, b"Domain-0"), r)


def pipelined():
    s = connect()
    s.sendall(b"".join(msg(XS["READ"], b"/local/domain/0/domid\0", rid=i) for i in range(200)))
    got = [reply(s) for _ in range(200)]
    s.close()
    case("hostile: 200 pipelined requests answered in order",
         got == [(XS["READ"], i, 0, b"0") for i in range(200)], got[:3])


def oversized():
    s = connect()
    s.sendall(struct.pack("<IIII", XS["WRITE"], 1, 0, 4097) + b"x" * 100)
    case("hostile: len 4097 > XENSTORE_PAYLOAD_MAX drops that client", dropped(s))
    s.close()


def max_payload():
    path = b"/hostile/max\0"
    r = ask(XS["WRITE"], path + b"v" * (4096 - len(path)))
    case("hostile: len 4096 exactly is accepted", r == (XS["WRITE"], 1, 0, b"OK\0"), r)


def malformed_payloads():
    checks = [
        (XS["READ"], b"/local", "EINVAL", "payload without NUL"),
        (XS["READ"], b"", "EINVAL", "empty payload"),
        (XS["READ"], b"/local\0/x\0", "EINVAL", "two strings where one is expected"),
        (XS["WRITE"], b"/no/nul/at/all", "EINVAL", "WRITE without NUL"),
        (XS["DIRECTORY_PART"], b"/local\0", "EINVAL", "DIRECTORY_PART without offset"),
        (XS["TRANSACTION_END"], b"X\0", "EINVAL", "TRANSACTION_END neither T nor F"),
        (XS["TRANSACTION_END"], b"T\0", "ENOENT", "TRANSACTION_END outside a transaction"),
        (XS["WATCH"], b"/local\0", "EINVAL", "WATCH without token"),
    ]
    for typ, payload, err, what in checks:
        r = ask(typ, payload)
        case("hostile: %s -> %s" % (what, err), is_error(r, err), r)
    r = ask(XS["READ"], b"/local/domain/0/name\0", tx=4242)
    case("hostile: unknown transaction id -> ENOENT", is_error(r, "ENOENT"), r)


def unknown_types():
    for typ in (XS["CONTROL"], XS["WATCH_EVENT"], XS["ERROR"], XS["SET_TARGET"], 20, 23, 999,
                0xFFFF):
        r = ask(typ, b"x\0", rid=typ)
        case("hostile: message type %d -> ENOSYS" % typ,
             is_error(r, "ENOSYS") and r[1] == typ, r)


def bad_paths():
    for path in (b"/a b", b"/a//b", b"/a/", b"/a\x01b", b"/a*", b"/" + b"x" * 2049,
                 b"/local/domain/5/" + b"y" * 2049):
        r = ask(XS["READ"], path + b"\0")
        case("hostile: bad path %r -> EINVAL" % path[:24], is_error(r, "EINVAL"), r)
    r = ask(XS["READ"], b"/local/domain/5/" + b"y" * 2048 + b"\0")
    case("hostile: 2048 chars below /local/domain/5/ is a valid path", is_error(r, "ENOENT"), r)
    r = ask(XS["READ"], b"domid\0")
    case("hostile: relative path resolves under /local/domain/0",
         r == (XS["READ"], 1, 0, b"0"), r)


def many_watches(n=10000):
    s = connect()
    s.sendall(b"".join(msg(XS["WATCH"], b"/hw\0t%d\0" % i, rid=i) for i in range(n)))
    acks = events = 0
    for _ in range(2 * n):
        r = reply(s)
        acks += r is not None and r[0] == XS["WATCH"]
        events += r is not None and r[0] == XS["WATCH_EVENT"]
    dup = ask(XS["WATCH"], b"/hw\0t7\0", s=s)
    ask(XS["WRITE"], b"/hw/x\0v")
    fired = sum(1 for _ in range(n) if (reply(s) or (0,))[0] == XS["WATCH_EVENT"])
    s.close()
    case("hostile: %d watches on one connection, each acked with its event" % n,
         acks == n and events == n, (acks, events))
    case("hostile: duplicate watch -> EEXIST", is_error(dup, "EEXIST"), dup)
    case("hostile: one write fires all %d watches" % n, fired == n, fired)


def vanish_mid_message():
    s = connect()
    s.sendall(struct.pack("<IIII", XS["WRITE"], 1, 0, 100) + b"/hostile/vanish\0")
    s.close()
    r = ask(XS["READ"], b"/hostile/vanish\0")
    case("hostile: client vanishing mid-message changes nothing", is_error(r, "ENOENT"), r)


def never_reads():
    s = connect()
    s.setblocking(False)
    sent = 0
    m = msg(XS["READ"], b"/local/domain/0/name\0")
    try:
        for _ in range(20000):
            s.send(m)
            sent += 1
    except BlockingIOError:
        pass
    served = alive()
    s.close()
    case("hostile: a client that never reads does not block others (%d sent)" % sent, served)


def many_clients(n=300):
    socks = [connect() for _ in range(n)]
    for i, s in enumerate(socks):
        s.sendall(msg(XS["READ"], b"/local/domain/0/domid\0", rid=i))
    got = [reply(s) for s in socks]
    for s in socks:
        s.close()
    case("hostile: %d simultaneous clients all answered" % n,
         got == [(XS["READ"], i, 0, b"0") for i in range(n)])


def proto_domains():
    r = ask(XS["GET_DOMAIN_PATH"], b"5\0")
    case("proto: GET_DOMAIN_PATH 5", r == (XS["GET_DOMAIN_PATH"], 1, 0, b"/local/domain/5\0"), r)
    r0 = ask(XS["IS_DOMAIN_INTRODUCED"], b"0\0")
    r77 = ask(XS["IS_DOMAIN_INTRODUCED"], b"77\0")
    case("proto: IS_DOMAIN_INTRODUCED T for dom0, F for an unknown domain",
         r0[3] == b"T\0" and r77[3] == b"F\0", (r0, r77))


def proto_directory_part():
    ask(XS["WRITE"], b"/dp/a\0")
    ask(XS["WRITE"], b"/dp/bb\0")
    r0 = ask(XS["DIRECTORY_PART"], b"/dp\0" + b"0\0")
    gen = r0[3].split(b"\0")[0]
    r2 = ask(XS["DIRECTORY_PART"], b"/dp\0" + b"2\0")
    r9 = ask(XS["DIRECTORY_PART"], b"/dp\0" + b"99\0")
    case("proto: DIRECTORY_PART gives generation, children from the offset, end mark",
         gen.isdigit() and r0[3] == gen + b"\0a\0bb\0\0" and r2[3] == gen + b"\0bb\0\0"
         and r9[3] == gen + b"\0\0", (r0, r2, r9))
    ask(XS["WRITE"], b"/dp/c\0")
    r = ask(XS["DIRECTORY_PART"], b"/dp\0" + b"0\0")
    case("proto: DIRECTORY_PART generation changes with the children",
         r[3].split(b"\0")[0] != gen, r)


def proto_ordering():
    s = connect()
    ask(XS["WATCH"], b"/ord\0tok\0", s=s)
    initial = reply(s)
    s.sendall(msg(XS["WRITE"], b"/ord/x\0" + b"1", rid=3))
    first, second = reply(s), reply(s)
    case("proto: a writer watching the node gets the event before its reply",
         initial[0] == XS["WATCH_EVENT"] and first == (XS["WATCH_EVENT"], 0, 0, b"/ord/x\0tok\0")
         and second == (XS["WRITE"], 3, 0, b"OK\0"), (initial, first, second))
    r = ask(XS["UNWATCH"], b"/ord\0other\0", s=s)
    case("proto: UNWATCH of an unknown watch -> ENOENT", is_error(r, "ENOENT"), r)
    r = ask(XS["RESET_WATCHES"], b"\0", s=s)
    ask(XS["WRITE"], b"/ord/y\0" + b"1")
    s.sendall(msg(XS["READ"], b"/ord/y\0", rid=4))
    after = reply(s)
    s.close()
    case("proto: RESET_WATCHES drops the watches", r[3] == b"OK\0" and
         after == (XS["READ"], 4, 0, b"1"), (r, after))


def proto_transactions():
    s = connect()
    t1 = ask(XS["TRANSACTION_START"], b"\0", s=s)
    nested = ask(XS["TRANSACTION_START"], b"\0", tx=1, s=s)
    t2 = ask(XS["TRANSACTION_START"], b"\0", s=s)
    s.close()
    case("proto: transaction ids start at 1 per connection, no nesting (EBUSY)",
         t1[3] == b"1\0" and t2[3] == b"2\0" and is_error(nested, "EBUSY"), (t1, nested, t2))
    ok = ask(XS["SET_PERMS"], b"@releaseDomain\0n0\0r5\0")
    bad = ask(XS["SET_PERMS"], b"@bogus\0n0\0")
    case("proto: SET_PERMS on @releaseDomain works, on other @names EINVAL",
         ok[3] == b"OK\0" and is_error(bad, "EINVAL"), (ok, bad))


for t in (proto_domains, proto_directory_part, proto_ordering, proto_transactions,
          truncated_header, partial_then_complete, byte_by_byte, pipelined, oversized,
          max_payload, malformed_payloads, unknown_types, bad_paths, many_watches,
          vanish_mid_message, never_reads, many_clients):
    try:
        t()
    except Exception as e:  # a hung or crashed server shows up here
        report(False, "hostile: " + t.__name__, e)
sys.exit(1 if failures else 0)
