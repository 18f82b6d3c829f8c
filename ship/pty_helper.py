"""Terminal helper of the ship (see ship/pty.ts).

Usage: python3 -u pty_helper.py COLS ROWS

Runs as the sandbox user. Forks a login shell (``bash -l``) on a new PTY with
the given window size, in the helper's own environment and working directory.

- PTY output is relayed raw to stdout.
- stdin carries frames: 1 byte type, 4-byte big-endian length, payload.
  Type 0: bytes typed into the terminal. Type 1: JSON ``{"cols", "rows"}``,
  a window resize (the kernel then sends SIGWINCH to the foreground job).
- stdin EOF hangs the shell up: SIGHUP (and SIGCONT) to the shell's process
  group and to the terminal's foreground group, and the PTY master is closed
  (the kernel hangs the terminal up: reads on it end). So does a broken stdout.
- The first line on stderr is ``pid N``: the shell's pid (= its process group).
- The helper exits with the shell's exit code (128+N when killed by signal N),
  once the shell has ended and the output still buffered in the PTY was relayed.

Keystrokes destined for the PTY are buffered (at most about 64 KiB) and written
without blocking, so a shell that does not read its input never stops the
relay of its output; stdin is not read while that buffer is full, which is
the backpressure the ship sees.
"""

import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

CHUNK = 65536
MAX_PENDING = 65536
MAX_FRAME = 1 << 20
DATA, RESIZE = 0, 1
DRAIN_S = 0.5


def set_size(fd, cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def exit_code(status):
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def start_shell(cols, rows):
    """Fork the shell on a new PTY; returns (pid, master fd) in the parent."""
    pid, master = pty.fork()
    if pid == 0:
        try:
            for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGCHLD):
                signal.signal(sig, signal.SIG_DFL)
            signal.set_wakeup_fd(-1)
            set_size(0, cols, rows)
            os.execvp("bash", ["bash", "-l"])
        finally:
            os._exit(127)
    return pid, master


class Relay:
    def __init__(self, pid, master):
        self.pid, self.master = pid, master
        self.stdin_open = self.master_open = self.out_open = True
        self.inbuf = bytearray()
        self.to_master = bytearray()
        self.status = None  # wait status once the shell was reaped

    def hang_up(self):
        """SIGHUP the shell's group and the terminal's foreground group (never
        our own), then close the master: the kernel hangs the terminal up, so
        a shell that missed the signal still reads EOF."""
        if self.status is not None or not self.master_open:
            return
        groups = {self.pid}
        try:
            groups.add(os.tcgetpgrp(self.master))  # 0 once the shell left the terminal
        except OSError:
            pass
        for group in groups - {0, os.getpgrp()}:
            for sig in (signal.SIGHUP, signal.SIGCONT):
                try:
                    os.killpg(group, sig)
                except OSError:
                    pass
        self.master_open = False
        self.to_master.clear()
        os.close(self.master)

    def output(self, data):
        if not self.out_open:
            return
        try:
            write_all(1, data)
        except OSError:  # the ship stopped reading: nobody sees this terminal any more
            self.out_open = False
            self.hang_up()

    def read_master(self):
        try:
            data = os.read(self.master, CHUNK)
        except BlockingIOError:
            return True
        except OSError:  # EIO: no process holds the terminal any more
            data = b""
        if not data:
            self.master_open = False
            return False
        self.output(data)
        return True

    def flush_master(self):
        try:
            del self.to_master[:os.write(self.master, self.to_master)]
        except BlockingIOError:
            pass
        except OSError:
            self.to_master.clear()

    def read_stdin(self):
        data = os.read(0, CHUNK)
        if not data:
            self.stdin_open = False
            self.hang_up()
            return
        self.inbuf += data
        while len(self.inbuf) >= 5:
            kind, size = self.inbuf[0], int.from_bytes(self.inbuf[1:5], "big")
            if size > MAX_FRAME:
                sys.exit("pty_helper: frame too large")
            if len(self.inbuf) < 5 + size:
                break
            payload = bytes(self.inbuf[5:5 + size])
            del self.inbuf[:5 + size]
            if kind == DATA and self.master_open:
                self.to_master += payload
            elif kind == RESIZE and self.master_open:
                try:
                    req = json.loads(payload)
                    set_size(self.master, int(req["cols"]), int(req["rows"]))
                except (ValueError, KeyError, TypeError, OSError):
                    pass

    def run(self, wake):
        while self.status is None:
            readable = [wake]
            if self.master_open:
                readable.append(self.master)
            if self.stdin_open and len(self.to_master) < MAX_PENDING:
                readable.append(0)
            writable = [self.master] if self.to_master and self.master_open else []
            r, w, _ = select.select(readable, writable, [])
            if wake in r:
                try:
                    while os.read(wake, 512):
                        pass
                except BlockingIOError:
                    pass
            if w and self.master_open:
                self.flush_master()
            if self.master_open and self.master in r:
                self.read_master()
            if 0 in r:
                self.read_stdin()
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid != 0:
                self.status = status
        # The shell is gone: relay what it wrote last (a background job that
        # keeps writing is cut off after DRAIN_S).
        deadline = time.monotonic() + DRAIN_S
        while self.master_open and self.read_master() and time.monotonic() < deadline:
            if not select.select([self.master], [], [], 0.05)[0]:
                break
        return exit_code(self.status)


def main():
    cols, rows = int(sys.argv[1]), int(sys.argv[2])
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    pid, master = start_shell(cols, rows)
    os.set_blocking(master, False)
    sys.stderr.write(f"pid {pid}\n")
    sys.stderr.flush()
    code = Relay(pid, master).run(wake_r)
    sys.exit(code)


if __name__ == "__main__":
    main()
