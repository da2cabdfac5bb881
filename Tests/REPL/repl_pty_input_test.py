#!/usr/bin/env python3
"""Hostile input to the real `cmdb` REPL on a pseudo-terminal: what the terminal receives, byte for byte.

usage: repl_pty_input_test.py CMDB_BINARY

- Tab completion of stored ids that hold escape sequences (ESC[2J clears the screen, ESC]0;…BEL retitles the
  window) shows them as `\\u001B`-style escapes, never raw, and inserts them in a form CIQL (and :describe)
  reads back as that id.
- Bytes that are not UTF-8, typed on the line, each become U+FFFD; the characters after them (and Enter) stay.

Everything happens in a temporary directory. Exit 0 when every step passed.
"""
import json, os, pty, re, select, shutil, signal, subprocess, sys, tempfile, time

BINARY = sys.argv[1]
EVIL = "evil\x1b[2J\x1b]0;PWNED\x07a"
EVIL_ESCAPED = "evil\\u001B[2J\\u001B]0;PWNED\\u0007a"


def fail(message, seen=b""):
    print(f"FAIL: {message}\n--- terminal received:\n{seen!r}\n---", file=sys.stderr)
    sys.exit(1)


class Terminal:
    """The child on a pty; `output` is every byte it wrote, `expect` waits for a pattern in the bytes written
    since the previous match."""

    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.execve(argv[0], argv, env)
        self.output = b""
        self.mark = 0

    def type(self, keys):
        os.write(self.fd, keys)

    def read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            self.output += chunk

    def expect(self, pattern, what, timeout=10):
        deadline = time.time() + timeout
        regex = re.compile(pattern, re.S)
        while True:
            m = regex.search(self.output, self.mark)
            if m:
                seen = self.output[self.mark:m.end()]
                self.mark = m.end()
                return seen
            if time.time() > deadline:
                fail(f"{what}: {pattern!r} not received after {timeout}s", self.output[self.mark:])
            self.read(0.1)

    def drain(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            self.read(0.05)
        seen = self.output[self.mark:]
        self.mark = len(self.output)
        return seen


def check_no_raw_escapes(seen, what):
    # The id's own sequences: the screen clear, the title and its BEL terminator.
    for raw in (b"\x1b[2J", b"\x1b]0;", b"PWNED\x07"):
        if raw in seen:
            fail(f"{what}: the stored id reached the terminal raw ({raw!r})", seen)


def main():
    work = tempfile.mkdtemp(prefix="cmdb-repl-input-")
    try:
        db = os.path.join(work, "db")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "TERM": "xterm",
               "CMDB_HISTORY": os.path.join(work, "history"), "PAGER": ""}
        data = os.path.join(work, "in.jsonl")
        with open(data, "w", encoding="utf-8") as f:
            for ci in ({"kind": "ci", "id": EVIL, "class": "X"}, {"kind": "ci", "id": "evilplain", "class": "X"},
                       {"kind": "ci", "id": "o'brien", "class": "X"}, {"kind": "ci", "id": "two words", "class": "X"}):
                f.write(json.dumps(ci) + "\n")
        subprocess.run([BINARY, "--db", db, "init", "--schema", "none"], env=env, check=True, capture_output=True)
        subprocess.run([BINARY, "--db", db, "import", data], env=env, check=True, capture_output=True)

        t = Terminal([BINARY, "--db", db, "shell"], env)
        t.expect(rb"cmdb> ", "the first prompt")

        # Two tabs list both ids starting with 'ev': the evil one escaped, as CIQL would write it in quotes.
        t.type(b":describe ev\t\t")
        seen = t.expect(rb"evilplain.*?cmdb> :describe ev", "the list of candidates")
        check_no_raw_escapes(seen, ":describe ev<TAB><TAB>")
        if ("'" + EVIL_ESCAPED + "'").encode() not in seen:
            fail("the evil id is listed as a quoted CIQL string with \\u001B escapes", seen)
        # Typed as a quoted CIQL string, the prefix (escapes and all) completes to the id's quoted form, which
        # :describe reads back as that id.
        t.type(b"\x15:describe 'evil\\u\t")
        # (The editor draws only what it inserted, after moving the cursor.)
        seen = t.expect(re.escape(EVIL_ESCAPED[6:].encode()) + rb"'", "the quoted id completed after :describe '")
        check_no_raw_escapes(seen, ":describe 'evil\\u<TAB>")
        t.type(b"\r")
        seen = t.expect(rb"cmdb> ", "the prompt after :describe")
        check_no_raw_escapes(seen, ":describe of the completed id")
        if (EVIL_ESCAPED + " (X)").encode() not in seen:
            fail(":describe found the CI named by the completed, quoted id", seen)

        # Inside a CIQL string: the id completed with its escapes and the closing quote, and the statement finds it.
        t.type(b"MATCH (n {id: 'evil\\u\t")
        seen = t.expect(re.escape(EVIL_ESCAPED[6:].encode()) + rb"'", "the id completed inside quotes")
        check_no_raw_escapes(seen, "completion inside quotes")
        t.type(b"}) RETURN count(*) AS found;\r")
        seen = t.expect(rb"rows?\r?\n", "the count of the completed id")
        if not re.search(rb"found\r?\n\S+\r?\n1\r?\n", seen):
            fail("the completed id matches the stored CI", seen)
        t.expect(rb"cmdb> ", "the prompt")
        # A quote in the id is escaped for the string it completes in.
        t.type(b"MATCH (n {id: 'o\t")
        t.expect(rb"\\'brien'", "o'brien completed as o\\'brien inside '...'")
        t.type(b"}) RETURN n.id AS id;\r")
        seen = t.expect(rb"rows?\r?\n", "the row of o'brien")
        if b"\no'brien\r" not in seen and b"\no'brien\n" not in seen:
            fail("the completed o\\'brien reads back as o'brien", seen)
        t.expect(rb"cmdb> ", "the prompt")
        # After :describe, an id with a space is completed quoted.
        t.type(b":describe tw\t")
        t.expect(rb"'two words' ", "'two words' completed quoted after :describe")
        t.type(b"\r")
        seen = t.expect(rb"cmdb> ", "the prompt after :describe 'two words'")
        if b"two words (X)" not in seen:
            fail(":describe 'two words' found the CI", seen)

        # Bytes that are not UTF-8: each becomes U+FFFD and what follows stays (csv shows the value as it is).
        t.type(b":format csv\r")
        t.expect(rb"cmdb> ", "the prompt after :format")
        t.type(b"RETURN 'caf\xe9 au lait' AS s;\r")
        seen = t.expect(rb"rows?\r?\n", "the Latin-1 line's result")
        if "caf\ufffd au lait".encode() not in seen:
            fail("0xE9 before ' au lait' became U+FFFD and ' a' was kept", seen)
        t.expect(rb"cmdb> ", "the prompt")
        t.type(b"RETURN '\xf0a\xe6\x97\xa5\xc3' AS s;\r")
        seen = t.expect(rb"rows?\r?\n", "the result of a line with cut sequences")
        if "\ufffda\u65e5\ufffd".encode() not in seen:
            fail("a cut 4-byte lead, then 'a', then a whole 日, then a lone lead before the quote each stayed", seen)
        t.expect(rb"cmdb> ", "the prompt")
        # At the end of a line the bad byte does not swallow Enter: the statement continues on the next line.
        t.type(b"RETURN 'end\xe9\r")
        t.expect(rb" \.\.\.> ", "the continuation prompt after a line ending in 0xE9", timeout=5)
        t.type(b"' AS s;\r")
        seen = t.expect(rb"rows?\r?\n", "the two-line string")
        if "end\ufffd".encode() not in seen:
            fail("the line ending in 0xE9 ends in U+FFFD", seen)
        t.expect(rb"cmdb> ", "the prompt")

        t.type(b":quit\r")
        deadline = time.time() + 10
        while time.time() < deadline:
            pid, status = os.waitpid(t.pid, os.WNOHANG)
            if pid:
                break
            t.read(0.1)
        else:
            os.kill(t.pid, signal.SIGKILL)
            fail(":quit did not end the session", t.output[-400:])
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            fail(f"exit status 0 after :quit, got {status}")
        check_no_raw_escapes(t.output, "the whole session")
        print("REPL pty input test: all steps passed")
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
