"""The interactive REPL, driven through a real pseudo-terminal with pexpect.

Run with `python3 -m pytest -q Tests/repl` after `swift build`. The binary is $KEEL_BIN,
else .build/debug/keel; the tests skip when it is missing. Each test gets its own HOME,
so ~/.keel_history is private to it.
"""

import os
import re
import subprocess
import sys

import pytest

pexpect = pytest.importorskip("pexpect")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEEL = os.environ.get("KEEL_BIN") or os.path.join(REPO, ".build", "debug", "keel")
TIMEOUT = 10  # generous: debug builds on a shared machine; a passing test takes well under 1 s

PROMPT = r"keel> "
MORE = r"\.\.\.> "

pytestmark = pytest.mark.skipif(not os.access(KEEL, os.X_OK), reason=f"no keel binary at {KEEL}")


def environment(home, term="xterm"):
    env = dict(os.environ)
    env.update(HOME=str(home), TERM=term, NO_COLOR="1", INPUTRC=os.devnull)
    env.pop("KEEL_BIN", None)
    return env


class Session:
    def __init__(self, home, term="xterm"):
        self.child = pexpect.spawn(KEEL, [], env=environment(home, term), cwd=REPO,
                                   encoding="utf-8", timeout=TIMEOUT, dimensions=(24, 200))
        if os.environ.get("REPL_TEST_LOG"):
            self.child.logfile_read = sys.stdout
        self.child.expect(PROMPT)

    def run(self, line):
        """Sends a line and returns what was printed before the next `keel> ` prompt."""
        self.child.sendline(line)
        self.child.expect(PROMPT)
        return self.output()

    def complete(self, typed, shown, rest=""):
        """Types `typed` and a Tab, waits for readline to show `shown`, finishes the line
        with `rest`, and returns what it printed."""
        self.child.send(typed + "\t")
        self.child.expect(shown)
        return self.run(rest)

    def output(self):
        text = self.child.before.replace("\r\n", "\n").replace("\r", "")
        text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # readline's cursor and bracketed-paste codes
        return text

    def quit(self):
        self.child.sendeof()
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus

    def close(self):
        if self.child.isalive():
            self.child.close(force=True)


@pytest.fixture
def repl(tmp_path):
    session = Session(tmp_path)
    yield session
    session.close()


def test_echoes_value_and_type(repl):
    assert "3 : Int" in repl.run("1 + 2")
    assert repl.quit() == 0


def test_multiline_input_uses_continuation_prompt(repl):
    repl.child.sendline("fn f(x: Int) -> Int {")
    repl.child.expect(MORE)
    repl.child.sendline("x * 2 }")
    repl.child.expect(PROMPT)
    assert "42 : Int" in repl.run("f(21)")


def test_type_command(repl):
    assert "List[Dec]" in repl.run(":type [1.5]")


def test_error_keeps_earlier_definitions(repl):
    repl.run("let x = 40")
    assert "error" in repl.run("let y: Int = \"no\"")
    assert "error" in repl.run("undefined_name + 1")
    assert "42 : Int" in repl.run("x + 2")


def test_redefinition_of_a_binding(repl):
    repl.run("let x = 1")
    repl.run("let x = 2")
    assert "2 : Int" in repl.run("x")


def test_redefinition_of_a_function(repl):
    repl.run("fn f() -> Int { 1 }")
    assert "error" not in repl.run("fn f() -> Int { 2 }")
    assert "2 : Int" in repl.run("f()")


def test_reset_forgets_definitions_and_completion_follows(repl):
    repl.run("let zebra_count = 3")
    repl.run(":reset")
    assert "error" in repl.run("zebra_count")
    repl.run("let yak_total = 4")
    assert "4 : Int" in repl.complete("yak_t", "yak_total")


def test_tab_completes_builtin(repl):
    printed = repl.complete("pri", "print", "(7)")
    assert "7" in printed
    assert "error" not in printed


def test_tab_completes_module_member(repl):
    repl.run("use random")
    assert "[1] : List[Int]" in repl.complete("random.sh", "random.shuffle", "([1])")
    # a module name completes to `random.` with no space, so members complete next
    repl.child.send("rando\t")
    repl.child.expect(r"random\.")
    assert "[2] : List[Int]" in repl.complete("sh", "shuffle", "([2])")


def test_tab_completes_commands(repl):
    assert "Int" in repl.complete(":ty", ":type", "1 + 1")


def test_tab_completes_file_names_after_load(repl, tmp_path):
    (tmp_path / "greeting_script.keel").write_text('let greeting = "hi"\n')
    repl.complete(f":load {tmp_path}/greeting_sc", "greeting_script.keel")
    assert '"hi" : String' in repl.run("greeting")


def test_history_persists_across_sessions(tmp_path):
    first = Session(tmp_path)
    first.run("let remembered = 12345")
    first.run("let remembered = 12345")  # a repeat is not stored twice
    assert first.quit() == 0
    history = (tmp_path / ".keel_history").read_text().splitlines()
    assert history.count("let remembered = 12345") == 1

    second = Session(tmp_path)
    try:
        second.child.send("\x1b[A")
        second.child.expect("let remembered = 12345")
        second.child.sendline("")
        second.child.expect(PROMPT)
        assert "12345 : Int" in second.run("remembered")
        assert second.quit() == 0
    finally:
        second.close()


def test_ctrl_c_stops_a_running_loop(repl):
    repl.run("let kept = 7")
    repl.child.sendline("while true { }")
    # The loop is running once its line has been echoed back; give it a moment to start.
    repl.child.expect("while true")
    repl.child.sendintr()
    repl.child.expect(PROMPT, timeout=5)
    assert "cancelled by the host" in repl.output()
    assert "2 : Int" in repl.run("1 + 1")
    assert "7 : Int" in repl.run("kept")


def test_ctrl_c_discards_the_line_being_edited(repl):
    repl.child.send("1 + ")
    repl.child.sendintr()
    repl.child.expect(PROMPT)
    assert "5 : Int" in repl.run("2 + 3")
    # also an unfinished multi-line input
    repl.child.sendline("fn g() -> Int {")
    repl.child.expect(MORE)
    repl.child.sendintr()
    repl.child.expect(PROMPT)
    assert "6 : Int" in repl.run("3 + 3")


def test_ctrl_d_exits_zero(repl):
    assert repl.quit() == 0


def test_quit_command_exits_zero_and_writes_history(repl, tmp_path):
    repl.run("1 + 1")
    repl.child.sendline(":quit")
    repl.child.expect(pexpect.EOF)
    repl.child.close()
    assert repl.child.exitstatus == 0
    assert "1 + 1" in (tmp_path / ".keel_history").read_text()


def test_without_home_there_is_no_history(tmp_path):
    env = environment(tmp_path, "dumb")
    del env["HOME"]
    child = pexpect.spawn(KEEL, [], env=env, cwd=str(tmp_path), encoding="utf-8", timeout=TIMEOUT)
    try:
        child.expect(PROMPT)
        child.sendline("1 + 2")
        child.expect("3 : Int")
        child.expect(PROMPT)
        child.sendeof()
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
        assert not (tmp_path / ".keel_history").exists()
    finally:
        if child.isalive():
            child.close(force=True)


def test_dumb_terminal(tmp_path):
    session = Session(tmp_path, term="dumb")
    try:
        assert "3 : Int" in session.run("1 + 2")
        assert session.quit() == 0
    finally:
        session.close()


def test_stdin_not_a_terminal_runs_a_program(tmp_path):
    result = subprocess.run([KEEL], input="print(1)\nprint(2 + 3)\n", capture_output=True, text=True,
                            env=environment(tmp_path), timeout=TIMEOUT)
    assert result.returncode == 0
    assert result.stdout == "1\n5\n"
    assert not (tmp_path / ".keel_history").exists()


def test_stdin_programs_keep_files_in_the_working_directory(tmp_path):
    # As with `keel run`: a book kept in a journal file, reopened by a second program.
    program = ('use orders\nlet r = orders.open_book("R", "r.journal", tick: 0.01, lot: 1)\n'
               'print(len(r.events))\nr.book.submit(orders.limit(len(r.events) + 1, Side.buy, 1.00, 1))\n')
    outputs = []
    for _ in range(2):
        result = subprocess.run([KEEL], input=program, capture_output=True, text=True, cwd=tmp_path,
                                env=environment(tmp_path), timeout=TIMEOUT)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs == ["0\n", "1\n"]
    assert (tmp_path / "r.journal.book").read_text() == "R 0.01 1\n"


def test_stdin_not_a_terminal_reports_errors(tmp_path):
    result = subprocess.run([KEEL], input="print(nope)\n", capture_output=True, text=True,
                            env=environment(tmp_path), timeout=TIMEOUT)
    assert result.returncode == 1
    assert "<stdin>:1:" in result.stderr
