# A socket that accepts connections and never answers: a hung xenstored, for --timeout.
# Usage: mute-xenstored.py SOCKET PIDFILE
import socket, sys, time, os
p = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(p); s.listen(8)
open(sys.argv[2], 'w').write(str(os.getpid()))
conns = []
while True:
    c, _ = s.accept()
    conns.append(c)  # never answers
