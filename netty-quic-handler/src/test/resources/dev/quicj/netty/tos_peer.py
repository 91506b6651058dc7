# A UDP peer that reports the TOS / Traffic Class byte of each datagram it receives (IP_RECVTOS, IPV6_RECVTCLASS),
# driven line by line on stdin: "send HOST PORT HEX" sends, "recv" prints "LENGTH TOS HEX" or "timeout".
# Prints its port first. Used by QuicCloseHandlerEcnSocketTest.
import socket
import sys

host = sys.argv[1]
family = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
if family == socket.AF_INET:
    s.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
else:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVTCLASS, 1)
s.bind((host, 0))
s.settimeout(float(sys.argv[2]) if len(sys.argv) > 2 else 20.0)
print(s.getsockname()[1], flush=True)
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    if words[0] == "send":
        s.sendto(bytes.fromhex(words[3]), (words[1], int(words[2])))
        print("sent", flush=True)
    elif words[0] == "recv":
        try:
            data, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(4))
        except socket.timeout:
            print("timeout", flush=True)
            continue
        tos = -1
        for level, kind, value in anc:
            if (level, kind) in ((socket.IPPROTO_IP, socket.IP_TOS), (socket.IPPROTO_IPV6, socket.IPV6_TCLASS)):
                tos = value[0] if len(value) == 1 else int.from_bytes(value[:4], sys.byteorder)
        print(len(data), tos, data.hex(), flush=True)
