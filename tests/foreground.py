"""Test helper: commands that take Ctrl-C as they would in a terminal's foreground."""
import signal


def as_foreground():
    "`preexec_fn` restoring SIGINT's default action: a runner that starts the tests in the background (`cmd &` in a script) has SIGINT ignored, and its children inherit that, so a command would never see the test's Ctrl-C."
    signal.signal(signal.SIGINT, signal.SIG_DFL)
