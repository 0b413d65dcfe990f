import sys

sys.dont_write_bytecode = True
import _hostile  # noqa: E402

_hostile.run("hang")
