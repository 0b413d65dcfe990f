"""Helper for mixbench bridged methods (protocol mixbench.bridge/1), standard library only.

A bridged method is a program that reads one JSON object per line on stdin and answers each
request with one JSON object per line on stdout (logs go to stderr). This module runs that loop
around a method object and implements the suite's random generator, so that a port can draw the
same random numbers as its TypeScript original:

- ``Rng``: xoshiro128** (Blackman and Vigna, 2018) seeded through splitmix32, doubles from 53
  bits of two outputs, ``int``, ``shuffle`` (Fisher-Yates) and ``fork`` exactly as
  numerics/rng.ts.
- ``derive_seed``: FNV-1a over UTF-16 code units with a murmur3 finaliser, parts joined by U+241F.

``init`` carries ``rng.seed``, the seed of the TypeScript method's ``ctx.rng``:
``Rng(init["rng"]["seed"])`` is the same stream.

Usage::

    from mixbench_bridge import serve

    class MyMethod:
        def __init__(self, init): ...          # init["context"], init["seed"], init["rng"]
        def ask(self, spent, remaining): ...   # -> list of {"mixture": [...], "fidelity": "..."}
        def tell(self, observations): ...
        def recommend(self): ...               # -> {"mixture": [...]} (optionally "predicted")
        def fit(self, examples): ...           # Predict track (optional): [{"mixture", "value"}]
        def predict(self, mixtures): ...       # -> list of predicted objective values

    serve(MyMethod, version="1")
"""

import json
import math
import sys

PROTOCOL = "mixbench.bridge/1"
M32 = 0xFFFFFFFF


def _imul(a, b):
    return (a * b) & M32


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def hash_string(text):
    """FNV-1a over UTF-16 code units, then a murmur3 finaliser (numerics/rng.ts hashString)."""
    h = 0x811C9DC5
    units = text.encode("utf-16-le")
    for i in range(0, len(units), 2):
        h ^= units[i] | (units[i + 1] << 8)
        h = _imul(h, 0x01000193)
    h ^= h >> 16
    h = _imul(h, 0x85EBCA6B)
    h ^= h >> 13
    h = _imul(h, 0xC2B2AE35)
    h ^= h >> 16
    return h & M32


def derive_seed(*parts):
    """The seed named by parts (numerics/rng.ts deriveSeed); integers as decimal strings."""
    return hash_string("\u241f".join(str(p) for p in parts))


class Rng:
    """xoshiro128** seeded through splitmix32, as numerics/rng.ts Rng."""

    def __init__(self, seed):
        x = seed & M32
        s = []
        for _ in range(4):
            x = (x + 0x9E3779B9) & M32
            z = x
            z = _imul(z ^ (z >> 16), 0x85EBCA6B)
            z = _imul(z ^ (z >> 13), 0xC2B2AE35)
            s.append((z ^ (z >> 16)) & M32)
        if (s[0] | s[1] | s[2] | s[3]) == 0:
            s[0] = 1
        self.s = s

    def next_uint32(self):
        s = self.s
        result = _imul(_rotl(_imul(s[1], 5), 7), 9)
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 11)
        return result

    def next(self):
        """A uniform double in [0, 1) with 53 random bits."""
        hi = self.next_uint32() >> 5
        lo = self.next_uint32() >> 6
        return (hi * 67108864 + lo) / 9007199254740992.0

    def int(self, n):
        """A uniform integer in [0, n)."""
        if n <= 0:
            raise ValueError("n must be positive")
        return math.floor(self.next() * n)

    def fork(self, label):
        return Rng(derive_seed(self.next_uint32(), label))

    def shuffle(self, items):
        """Fisher-Yates in place, as Rng.shuffle."""
        for i in range(len(items) - 1, 0, -1):
            j = self.int(i + 1)
            items[i], items[j] = items[j], items[i]
        return items


def _write(obj):
    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")
    sys.stdout.flush()


def serve(make_method, version=None):
    """Answers requests on stdin until ``shutdown`` or end of input.

    ``make_method(init)`` builds the method from the ``init`` message (``init["track"]`` is
    ``optimise`` or ``predict``). ``hello`` is answered with ``fit`` (whether ``make_method`` has a
    ``fit`` method: the Predict track), the first line of the program's docstring and ``version``
    (written in every results line; bump it whenever results may change — without one the bench
    writes a hash of the script file). An exception
    in any call is answered with an ``error`` message (the cell fails with it).
    """
    method = None
    for raw in sys.stdin:
        if not raw.strip():
            continue
        msg = json.loads(raw)
        kind = msg.get("type")
        try:
            if kind == "shutdown":
                return
            if kind == "hello":
                doc = (sys.modules["__main__"].__doc__ or "").strip().split("\n")[0]
                hello = {"type": "hello", "fit": callable(getattr(make_method, "fit", None)),
                         "description": doc}
                if version is not None:
                    hello["version"] = str(version)
                _write(hello)
            elif kind == "init":
                if msg.get("protocol", "").split("/")[0] != PROTOCOL.split("/")[0] or \
                        msg["protocol"] != PROTOCOL:
                    raise ValueError("unsupported protocol %r" % msg.get("protocol"))
                method = make_method(msg)
                _write({"type": "ready"})
            elif kind == "ask":
                _write({"type": "proposals",
                        "proposals": list(method.ask(msg["spent"], msg["remaining"]))})
            elif kind == "tell":
                method.tell(msg["observations"])
                _write({"type": "ok"})
            elif kind == "recommend":
                _write(dict(method.recommend(), type="recommendation"))
            elif kind == "fit":
                method.fit(msg["examples"])
                _write({"type": "ok"})
            elif kind == "predict":
                _write({"type": "predictions", "values": list(method.predict(msg["mixtures"]))})
            else:
                raise ValueError("unknown request type %r" % kind)
        except Exception as e:  # noqa: BLE001 - every failure goes back as a message
            _write({"type": "error", "message": "%s: %s" % (type(e).__name__, e)})


def l1_nearest(pool, target):
    """Index of the pool member nearest to target in L1 (first of ties), as core/mixture.ts."""
    best, best_d = -1, math.inf
    for i, p in enumerate(pool):
        d = 0.0
        for a, b in zip(p, target):
            d += abs(a - b)
        if d < best_d:
            best, best_d = i, d
    return best
