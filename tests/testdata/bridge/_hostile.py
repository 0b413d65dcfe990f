"""A bridged method that misbehaves on purpose (tests/bench/bridge_test.ts): run(fault) names
the fault. Valid until the faulty call; standard library only."""

import json
import subprocess
import sys
import time

def write(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def run(FAULT):
    """Serves requests with the named fault."""
    ctx = None
    for raw in sys.stdin:
        msg = json.loads(raw)
        kind = msg["type"]
        if kind == "hello":
            write({"type": "hello", "fit": False})
        elif kind == "init":
            ctx = msg["context"]
            if FAULT == "exit-early":
                sys.exit(3)
            write({"type": "ready"})
        elif kind == "ask":
            if FAULT == "crash":
                raise RuntimeError("deliberate crash in ask")
            if FAULT == "hang":
                # A grandchild too: the cell must reap the whole process group.
                subprocess.Popen(["sleep", "297.531"])
                time.sleep(300)
            if FAULT == "garbage":
                sys.stdout.write("this is not json\n")
                sys.stdout.flush()
                continue
            if FAULT == "error":
                write({"type": "error", "message": "no proposals for you"})
                continue
            p = ctx["pool"][0] if ctx["pool"] else {"mixture": ctx["prior"], "fidelity": ctx["fidelities"][0]}
            write({"type": "proposals", "proposals": [] if msg["spent"] > 0 else [p]})
        elif kind == "tell":
            write({"type": "ok"})
        elif kind == "recommend":
            m = ctx["prior"]
            write({"type": "recommendation", "mixture": m[:-1] if FAULT == "wrong-length" else m})
        elif kind == "shutdown":
            break
