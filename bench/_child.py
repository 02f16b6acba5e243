"""Runs one benchmark in its own process: `python -m bench._child NAME`.

Prints the benchmark's own lines, then one `@@RESULT {json}` line per result, and leaves with
os._exit so Qt/PySide6 teardown (see common.keep_none_alive) cannot abort a finished run.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import sys
import traceback

from bench import QT_BENCHMARKS


def main(name: str) -> int:
    if name in QT_BENCHMARKS:
        from bench.common import keep_none_alive, qapp

        qapp()
        keep_none_alive()
    module = importlib.import_module(f"bench.{name}")
    for result in module.run():
        print("@@RESULT " + json.dumps(dataclasses.asdict(result)), flush=True)
    return 0


if __name__ == "__main__":
    try:
        code = main(sys.argv[1])
    except Exception:  # noqa: BLE001 - reported to the parent, which prints the table
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
