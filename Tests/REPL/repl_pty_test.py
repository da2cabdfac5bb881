#!/usr/bin/env python3
"""Drives the real `cmdb` REPL in a pseudo-terminal, as a configuration manager would, and checks the screen.

usage: repl_pty_test.py CMDB_BINARY FIXTURE.jsonl

Everything happens in a temporary directory (database, HOME, history file). Each step types keys and waits
for text to appear on the screen; a step that times out fails the test and prints what the screen showed.
Exit 0 when every step passed.
"""
import fcntl, os, pty, re, select, shutil, signal, struct, subprocess, sys, tempfile, termios, time

BINARY, FIXTURE = sys.argv[1], sys.argv[2]
ROWS, COLUMNS = 40, 132


class Screen:
    """The child on a pty, and a small model of the terminal it draws on.

    Lines are kept as the terminal would show them: carriage return, backspace, cursor to column (ESC[nG),
    cursor left/right (ESC[nD, ESC[nC) and erase to end of line (ESC[K) are applied, other escapes and bells
    dropped. `expect` searches the text drawn since the end of the previous match.
    """

    ESCAPE = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b[=>()][0-9A-Za-z]?")

    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            # As from a login shell: whatever ran this test may have blocked or ignored SIGINT.
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.lines = []  # finished lines
        self.line = []  # the line the cursor is on
        self.column = 0
        self.mark = (0, 0)  # (line, column) where the next expect starts
        self.pending = ""

    def type(self, keys):
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)

    def draw(self, text):
        i = 0
        while i < len(text):
            c = text[i]
            if c == "\x1b":
                m = self.ESCAPE.match(text, i)
                if not m:
                    self.pending = text[i:]  # an escape cut in two by the read
                    return
                args, op = m.group(1), m.group(2)
                n = int(args) if args and args.isdigit() else 1
                if op == "G":
                    self.column = max(0, n - 1)
                elif op == "D":
                    self.column = max(0, self.column - n)
                elif op == "C":
                    self.column += n
                elif op == "K":
                    del self.line[self.column:]
                i = m.end()
                continue
            if c == "\r":
                self.column = 0
            elif c == "\n":
                self.lines.append("".join(self.line).rstrip())
                self.line, self.column = [], 0
            elif c == "\b":
                self.column = max(0, self.column - 1)
            elif c >= " ":
                while len(self.line) < self.column:
                    self.line.append(" ")
                if self.column < len(self.line):
                    self.line[self.column] = c
                else:
                    self.line.append(c)
                self.column += 1
            i += 1

    def read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            self.raw = (getattr(self, "raw", b"") + chunk)[-400:]
            text, self.pending = self.pending + chunk.decode("utf-8", "replace"), ""
            self.draw(text)
        return True

    @property
    def seen(self):
        """The screen since the mark."""
        line, column = self.mark
        rows = self.lines[line:] + ["".join(self.line)]
        rows[0] = rows[0][column:]
        return "\n".join(rows)

    def advance(self, offset):
        """Moves the mark `offset` characters into `seen`."""
        line, column = self.mark
        rows = self.lines[line:] + ["".join(self.line)]
        for row in rows:
            rest = len(row) - column
            if offset <= rest:
                self.mark = (line, column + offset)
                return
            offset -= rest + 1
            line, column = line + 1, 0
        self.mark = (len(self.lines), len(self.line))

    def expect(self, pattern, timeout=10, what="", editing=False):
        """Waits until `pattern` (a regex) is on the screen; returns the text up to and including it.

        `editing`: the match is on the line being edited, which the editor redraws in place; the next expect
        starts at the beginning of that line, not after the match."""
        deadline = time.time() + timeout
        regex = re.compile(pattern, re.S)
        while True:
            seen = self.seen
            m = regex.search(seen)
            if m:
                self.advance(m.end())
                if editing:
                    self.mark = (self.mark[0], 0)
                return seen[: m.end()]
            if time.time() > deadline:
                fail(f"{what or pattern!r}: not on the screen after {timeout}s", seen)
            self.read(min(0.2, max(0.0, deadline - time.time())))

    def drain(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            self.read(0.05)
        seen = self.seen
        self.advance(len(seen))
        return seen


def fail(message, screen=""):
    print(f"FAIL: {message}\n--- screen:\n{screen}\n---", file=sys.stderr)
    sys.exit(1)


def check(condition, message, screen=""):
    if not condition:
        fail(message, screen)


def main():
    work = tempfile.mkdtemp(prefix="cmdb-repl-pty-")
    try:
        db = os.path.join(work, "db")
        history = os.path.join(work, "history")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "TERM": "xterm",
            "CMDB_HISTORY": history, "CMDB_ACTOR": "pty-test",  # no LANG: the shell must manage UTF-8 itself
            # Long output goes through this "pager", which marks its lines so the test can see paging happen.
            "PAGER": "sed 's/^/PAGED|/'",
        }
        for args in (["init"], ["import", FIXTURE]):
            subprocess.run([BINARY, "--db", db] + args, env=env, check=True, capture_output=True)

        started = time.time()
        s = Screen([BINARY, "--db", db], env)  # no command on a terminal: the REPL
        s.expect(r"cmdb> ", what="the first prompt")
        print(f"prompt after {1000 * (time.time() - started):.0f} ms (debug build)", flush=True)

        # A statement over three lines: continuation prompts, then an aligned table.
        s.type("MATCH (s:Hypervisor)\r")
        s.expect(r"\.\.\.> ", what="continuation prompt")
        s.type("WHERE s.id STARTS WITH 'hv-bb'\r")
        s.expect(r"\.\.\.> ")
        s.type("RETURN s.id AS id, s.name AS name ORDER BY id;\r")
        table = s.expect(r"\d+ rows?\n", what="the table's summary line")
        check(re.search(r"\nid {8}name\n─{8}  ─{11}\nhv-bb-00  ESX00 \(oud\)\nhv-bb-01  ESX01\n", table),
              "the table is aligned with a rule under the header", table)
        s.expect(r"cmdb> ")

        # A syntax error shows the statement with a caret under the place.
        s.type("RETURN 1 +;\r")
        error = s.expect(r"cmdb> ", what="the prompt after the error")
        check("[SyntaxError.UnexpectedSyntax] 1:11" in error, "the error names its code, line and column", error)
        check(re.search(r"\n  RETURN 1 \+\n {12}\^\n", error), "a caret under column 11", error)

        # Up-arrow twice brings back the three-line statement as one line; Enter runs it again.
        s.type("\x1b[A")
        s.expect(r"RETURN 1 \+;", what="the last statement from the history", editing=True)
        s.type("\x1b[A")
        s.expect(r"MATCH \(s:Hypervisor\) WHERE s\.id STARTS WITH 'hv-bb' RETURN s\.id AS id, s\.name AS name ORDER BY id;",
                 what="the multi-line statement from the history, as one line", editing=True)
        s.type("\r")
        again = s.expect(r"rows?\n")
        check("hv-bb-02  ESX02" in again, "the statement from the history ran again", again)
        s.expect(r"cmdb> ")

        # Tab completes a class after ':', a keyword, and a CI id inside quotes.
        s.type("MATCH (c:Clus\t")
        s.expect(r"Cluster", what="the class completed", editing=True)
        s.type(" {id: 'clu-bb-vsp\t")
        s.expect(r"clu-bb-vsphere'", what="the CI id completed with its closing quote", editing=True)
        s.type("}) RET\t")
        s.expect(r"RETURN ", what="the keyword completed", editing=True)
        s.type("c.name AS cluster;\r")
        out = s.expect(r"1 row\n")
        check("vSphere-cluster BB-PROD" in out, "the completed statement ran", out)
        s.expect(r"cmdb> ")

        # Non-ASCII typed on the line, and a table that counts wide characters as two columns.
        s.type("RETURN 'café 日本' AS c;\r")
        out = s.expect(r"1 row\n")
        check("\nc\n─────────\ncafé 日本\n" in out, "UTF-8 typed in, display width 9 in the table", out)
        s.expect(r"cmdb> ")

        # Ctrl-C while editing drops the line and keeps the session.
        s.type("RETURN 1")
        s.expect(r"RETURN 1", editing=True)
        s.type("\x03")
        s.expect(r"\^C\ncmdb> ", what="a fresh prompt after Ctrl-C")
        s.type("RETURN 2 AS two;\r")
        out = s.expect(r"1 row\n")
        check(re.search(r"two\n───\n2\n", out), "the dropped line did not leak into the next statement", out)
        s.expect(r"cmdb> ")

        # Ctrl-C cancels a long statement (424³ rows) and the session goes on.
        s.type("MATCH (a), (b), (c) RETURN count(*) AS n;\r")
        s.expect(r"RETURN count\(\*\) AS n;\n")
        busy = s.drain(1.0)
        check("row" not in busy, "the long statement is still running after a second", busy)
        s.type("\x03")
        s.expect(r"cancelled.*?cmdb> ", timeout=10, what="the statement cancelled")
        s.type("RETURN 42 AS answer;\r")
        out = s.expect(r"1 row\n")
        check("42" in out, "the session survived the cancel", out)
        s.expect(r"cmdb> ")

        # :change shows in the prompt and is recorded with writes; :history shows it.
        s.type(":change CHG-PTY-1\r")
        s.expect(r"cmdb CHG-PTY-1> ", what="the change reference in the prompt")
        s.type("CREATE (:Application {id: 'app-pty', name: 'REPL test'});\r")
        s.expect(r"1 CI created.*?in transaction \d+.*?cmdb CHG-PTY-1> ")
        s.type(":history app-pty\r")
        out = s.expect(r"cmdb CHG-PTY-1> ")
        check("CHG-PTY-1" in out and "created" in out and "pty-test" in out, ":history shows the change", out)

        # :param, :format, :timing.
        s.type(":param ids => ['hv-bb-01', 'hv-bb-02']\r")
        s.expect(r"\$ids => \['hv-bb-01', 'hv-bb-02'\]\ncmdb CHG-PTY-1> ")
        s.type(":format csv\r")
        s.expect(r"results as csv\ncmdb CHG-PTY-1> ")
        s.type("MATCH (h) WHERE h.id IN $ids RETURN h.id AS id ORDER BY id;\r")
        out = s.expect(r"rows?\ncmdb CHG-PTY-1> ")
        check("id\nhv-bb-01\nhv-bb-02\n" in out, "csv rows for the parameter", out)
        s.type(":format table\r")
        s.expect(r"results as table\ncmdb CHG-PTY-1> ")
        s.type(":timing\r")
        s.expect(r"timing on\ncmdb CHG-PTY-1> ")
        s.type("RETURN 1 AS one;\r")
        s.expect(r"1 row \([\d.]+ ms\)\ncmdb CHG-PTY-1> ", what="the summary with the time")

        # A value wider than the terminal is cut with … so the table fits.
        s.type("RETURN 'head-' + reduce(s = '', i IN range(1, 40) | s + 'abcdef') AS wide, 'x' AS next;\r")
        out = s.expect(r"1 row \([\d.]+ ms\)\n")
        rows = [line for line in out.split("\n") if line.startswith("head-")]
        check(rows and rows[0].rstrip().endswith("x") and "…" in rows[0] and len(rows[0]) <= COLUMNS,
              f"the wide cell is cut with … and the row fits in {COLUMNS} columns", out)
        s.expect(r"cmdb CHG-PTY-1> ")

        # A result longer than the terminal goes through the pager.
        s.type("UNWIND range(1, 60) AS i RETURN i;\r")
        out = s.expect(r"PAGED\|60\n", what="the long result through $PAGER")
        check("PAGED|i\n" in out, "the whole table went through the pager", out)
        s.expect(r"cmdb CHG-PTY-1> ")

        # :describe shows both directions; :schema the classes; :impact the tree.
        s.type(":describe clu-bb-vsphere\r")
        out = s.expect(r"cmdb CHG-PTY-1> ")
        check("clu-bb-vsphere (Cluster)" in out and "outgoing:" in out and "incoming:" in out and "hv-bb-01" in out,
              ":describe shows the CI and its relations", out)
        s.type(":schema\r")
        out = s.expect(r"cmdb CHG-PTY-1> ")
        check("VirtualServer" in out and "HOSTED_ON" in out, ":schema lists classes and relation types", out)
        s.type(":impact hv-bb-01\r")
        out = s.expect(r"cmdb CHG-PTY-1> ")
        check("hv-bb-01" in out and ("risk:" in out or "not available in this build" in out), ":impact answers", out)

        # Ctrl-D leaves with exit 0, and the history was saved.
        s.type("\x04")
        deadline = time.time() + 10
        while time.time() < deadline:
            pid, status = os.waitpid(s.pid, os.WNOHANG)
            if pid:
                break
            s.read(0.1)
        else:
            os.kill(s.pid, signal.SIGKILL)
            fail("Ctrl-D did not end the session", repr(getattr(s, "raw", b"")))
        check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"exit status 0 after Ctrl-D, got {status}")
        with open(history, encoding="utf-8", errors="replace") as f:
            saved = f.read()
        check("Hypervisor" in saved, "the history file holds the statements", saved)
        check(oct(os.stat(history).st_mode & 0o777) == "0o600", "the history file is private")
        print("REPL pty test: all steps passed")
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
