#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Finds bytes a terminal would obey in text vifdiag printed.

usage: raw-controls.py [--sgr] FILE...

Allowed: newline, printable ASCII, valid UTF-8 that is not a C1 control (U+0080..U+009F);
with --sgr also our own colour sequences (ESC [ digits/semicolons m). Anything else (C0
controls, DEL, C1, invalid UTF-8, other escape sequences) is reported as FILE:OFFSET with
the bytes around it; the exit status is 1 if any was found.
"""
import re
import sys

args = sys.argv[1:]
sgr = bool(args) and args[0] == "--sgr"
if sgr:
    args = args[1:]
bad = 0
for name in args:
    data = open(name, "rb").read()
    if sgr:
        data = re.sub(rb"\x1b\[[0-9;]*m", b"", data)
    i = 0
    while i < len(data):
        c = data[i]
        if c == 0x0A or 0x20 <= c < 0x7F:
            i += 1
            continue
        n = 2 if 0xC2 <= c < 0xE0 else 3 if 0xE0 <= c < 0xF0 else 4 if 0xF0 <= c < 0xF5 else 0
        ch = None
        if n:
            try:
                ch = data[i:i + n].decode("utf-8")
            except UnicodeDecodeError:
                ch = None
        if ch is not None and len(ch) == 1 and not 0x80 <= ord(ch) <= 0x9F:
            i += n
            continue
        print("# %s:%d: raw byte 0x%02x in %r" % (name, i, c, data[max(0, i - 30):i + 30]))
        bad += 1
        break
sys.exit(1 if bad else 0)
