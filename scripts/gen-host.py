#!/usr/bin/env python3
# A realistic large Xen host as `xenstore-ls -fp` prints it (for vd-xenstored --tree, or
# vifdiag --from): DOMS guests x VIFS VIFs x QUEUES queues behind dom0's netback, with the
# non-VIF keys real guests carry (cpu, memory, console, control, data, store, vbd, /vm,
# /libxl; shapes from shared/captures/real-xen-4.17-cxenstored) and a deterministic mix of
# states: most connected, some in InitWait without netfront, some closing, one hotplug
# failure every 50 domains.
# Usage: gen-host.py DOMS [VIFS [QUEUES]] > tree.txt
import sys

doms = int(sys.argv[1])
vifs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
queues = int(sys.argv[3]) if len(sys.argv) > 3 else 4
out = []
w = out.append


def node(path, val="", perms="n0"):
    w('%s = "%s"   (%s)' % (path, val, perms))


node("/tool")
node("/tool/xenstored")
node("/local")
node("/local/domain")
d0 = "/local/domain/0"
node(d0)
node(d0 + "/control")
for f in ("feature-poweroff", "feature-reboot", "feature-suspend"):
    node(d0 + "/control/" + f, "1")
node(d0 + "/domid", "0")
node(d0 + "/name", "Domain-0")
node(d0 + "/memory")
node(d0 + "/memory/target", "1048576")
node(d0 + "/memory/static-max", "1048576")
node(d0 + "/backend")


def kind(d):
    if d % 50 == 7:
        return "hotplug-fail"
    if d % 10 == 3:
        return "initwait"
    if d % 25 == 11:
        return "closing"
    return "connected"


def mac(d, v):
    return "00:16:3e:%02x:%02x:%02x" % ((d >> 8) & 0xff, d & 0xff, v & 0xff)


# dom0's backends: vbd, console and vif, per guest
for typ in ("vbd", "console", "vif"):
    node("%s/backend/%s" % (d0, typ))
    for d in range(1, doms + 1):
        r = "n0,r%d" % d
        base = "%s/backend/%s/%d" % (d0, typ, d)
        node(base)
        if typ == "vbd":
            b = base + "/51712"
            node(b, "", r)
            for k, v in (("frontend", "/local/domain/%d/device/vbd/51712" % d),
                         ("params", "/var/lib/xen/images/guest%d.img" % d),
                         ("script", "/etc/xen/scripts/block"), ("frontend-id", str(d)),
                         ("online", "1"), ("removable", "0"), ("bootable", "1"),
                         ("state", "4"), ("dev", "xvda"), ("type", "phy"), ("mode", "w"),
                         ("device-type", "disk"), ("discard-enable", "1"),
                         ("physical-device", "fe:%x" % d), ("hotplug-status", "connected"),
                         ("feature-flush-cache", "1"), ("sectors", "20971520"),
                         ("info", "0"), ("sector-size", "512")):
                node(b + "/" + k, v, r)
            continue
        if typ == "console":
            b = base + "/0"
            node(b, "", r)
            for k, v in (("frontend", "/local/domain/%d/console" % d), ("frontend-id", str(d)),
                         ("online", "1"), ("state", "1"), ("protocol", "vt100")):
                node(b + "/" + k, v, r)
            continue
        k = kind(d)
        for v in range(vifs):
            b = "%s/%d" % (base, v)
            state = {"connected": "4", "initwait": "2", "closing": "5", "hotplug-fail": "2"}[k]
            node(b, "", r)
            for key, val in (("frontend", "/local/domain/%d/device/vif/%d" % (d, v)),
                             ("frontend-id", str(d)), ("online", "1"), ("state", state),
                             ("script", "/etc/xen/scripts/vif-bridge"), ("mac", mac(d, v)),
                             ("bridge", "xenbr%d" % (v % 2)), ("handle", str(v)),
                             ("type", "vif")):
                node(b + "/" + key, val, r)
            if k == "hotplug-fail":
                node(b + "/hotplug-error", "/etc/xen/scripts/vif-bridge failed; error detected.", r)
                node(b + "/hotplug-status", "error", r)
            elif k != "initwait" or d % 20 != 3:
                node(b + "/hotplug-status", "connected", r)
            for f in ("feature-sg", "feature-gso-tcpv4", "feature-gso-tcpv6",
                      "feature-ipv6-csum-offload", "feature-rx-copy", "feature-xdp-headroom",
                      "feature-multicast-control", "feature-dynamic-multicast-control",
                      "feature-split-event-channels", "feature-ctrl-ring"):
                node(b + "/" + f, "1", r)
            node(b + "/feature-rx-flip", "0", r)
            node(b + "/multi-queue-max-queues", str(max(queues, 1)), r)

for d in range(1, doms + 1):
    base = "/local/domain/%d" % d
    r = "n0,r%d" % d
    g = "n%d,r0" % d
    uuid = "%08x-b438-492a-a9bb-%012x" % (d, d)
    node(base, "", r)
    node(base + "/vm", "/vm/" + uuid, r)
    node(base + "/name", "guest-%04d" % d, r)
    node(base + "/cpu", "", r)
    for c in range(2):
        node("%s/cpu/%d" % (base, c), "", r)
        node("%s/cpu/%d/availability" % (base, c), "online", r)
    node(base + "/memory", "", r)
    for k, v in (("static-max", "1048576"), ("target", "1048576"), ("videoram", "0")):
        node(base + "/memory/" + k, v, r)
    node(base + "/device", "", r)
    node(base + "/device/suspend", "", r)
    node(base + "/device/suspend/event-channel", "", "n%d" % d)
    node(base + "/device/vbd", "", r)
    vb = base + "/device/vbd/51712"
    node(vb, "", g)
    for k, v in (("backend", "/local/domain/0/backend/vbd/%d/51712" % d), ("backend-id", "0"),
                 ("state", "4"), ("virtual-device", "51712"), ("device-type", "disk"),
                 ("multi-queue-num-queues", "2"), ("ring-ref", "8"), ("event-channel", "5"),
                 ("protocol", "x86_64-abi"), ("feature-persistent", "1")):
        node(vb + "/" + k, v, g)
    node(base + "/device/vif", "", r)
    k = kind(d)
    for v in range(vifs):
        f = "%s/device/vif/%d" % (base, v)
        node(f, "", g)
        node(f + "/backend", "/local/domain/0/backend/vif/%d/%d" % (d, v), g)
        node(f + "/backend-id", "0", g)
        node(f + "/state", {"connected": "4", "initwait": "1", "closing": "5",
                            "hotplug-fail": "1"}[k], g)
        node(f + "/handle", str(v), g)
        node(f + "/mac", mac(d, v), g)
        node(f + "/trusted", "1", g)
        node(f + "/mtu", "1500", r)
        if k not in ("connected", "closing"):
            continue
        node(f + "/xdp-headroom", "0", g)
        node(f + "/multi-queue-num-queues", str(queues), g)
        if queues <= 1:
            for key, val in (("tx-ring-ref", "1548"), ("rx-ring-ref", "1549"),
                             ("event-channel-tx", "19"), ("event-channel-rx", "20")):
                node(f + "/" + key, val, g)
        for q in range(queues if queues > 1 else 0):
            qb = "%s/queue-%d" % (f, q)
            node(qb, "", g)
            for key, val in (("tx-ring-ref", str(1032 + 2 * q)), ("rx-ring-ref", str(1033 + 2 * q)),
                             ("event-channel-tx", str(15 + 2 * q)),
                             ("event-channel-rx", str(16 + 2 * q))):
                node(qb + "/" + key, val, g)
        for key in ("request-rx-copy", "feature-rx-notify", "feature-sg", "feature-gso-tcpv4",
                    "feature-gso-tcpv6", "feature-ipv6-csum-offload"):
            node(f + "/" + key, "1", g)
    node(base + "/control", "", r)
    node(base + "/control/shutdown", "", "n%d" % d)
    for key in ("feature-poweroff", "feature-reboot", "feature-suspend"):
        node(base + "/control/" + key, "1", "n%d" % d)
    node(base + "/control/sysrq", "", "n%d" % d)
    node(base + "/control/platform-feature-multiprocessor-suspend", "1", r)
    node(base + "/control/platform-feature-xs_reset_watches", "1", r)
    for key in ("data", "drivers", "feature", "attr", "error"):
        node(base + "/" + key, "", "n%d" % d)
    node(base + "/domid", str(d), r)
    node(base + "/store", "", r)
    node(base + "/store/port", "1", r)
    node(base + "/store/ring-ref", "259585", r)
    node(base + "/console", "", r)
    for key, val in (("backend", "/local/domain/0/backend/console/%d/0" % d), ("backend-id", "0"),
                     ("limit", "1048576"), ("type", "xenconsoled"), ("output", "pty"),
                     ("tty", "/dev/pts/%d" % d), ("port", "2"), ("ring-ref", "259586")):
        node(base + "/console/" + key, val, r)
node("/local/pool")
node("/local/pool/0")
node("/local/pool/0/name", "Pool-0")
node("/vm")
for d in range(1, doms + 1):
    uuid = "%08x-b438-492a-a9bb-%012x" % (d, d)
    vm = "/vm/" + uuid
    r = "n0,r%d" % d
    node(vm, "", r)
    node(vm + "/name", "guest-%04d" % d, r)
    node(vm + "/uuid", uuid, r)
    node(vm + "/image", "", r)
    node(vm + "/image/ostype", "linux", r)
    node(vm + "/start_time", "1795580139.93", r)
node("/libxl")
for d in range(1, doms + 1):
    lb = "/libxl/%d" % d
    node(lb)
    node(lb + "/device")
    node(lb + "/device/vif")
    for v in range(vifs):
        b = "%s/device/vif/%d" % (lb, v)
        node(b)
        for key, val in (("frontend", "/local/domain/%d/device/vif/%d" % (d, v)),
                         ("backend", "/local/domain/0/backend/vif/%d/%d" % (d, v)),
                         ("frontend-id", str(d)), ("online", "1"), ("state", "1"),
                         ("script", "/etc/xen/scripts/vif-bridge"), ("mac", mac(d, v)),
                         ("bridge", "xenbr%d" % (v % 2)), ("handle", str(v)), ("type", "vif"),
                         ("hotplug-status", "")):
            node(b + "/" + key, val)
    node(lb + "/type", "pv")
    node(lb + "/dm-version", "qemu_xen")
sys.stdout.write("\n".join(out) + "\n")
