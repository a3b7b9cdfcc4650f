"""A training worker: the main module of each process of `cnnviz.process_runner`.

Started as `python -m cnnviz.worker FD [THREADS]`, with FD one end of a socket pair, so
the process's `__main__` is this small module: never the app's page script, which is what
multiprocessing's spawn would re-import under `streamlit run`. It imports TensorFlow
once, with THREADS threads for its operations (the runner gives each of its workers its
share of the cores), then runs the jobs the server sends, one at a time. It stays warm
between jobs: its data (`cnnviz.data.recent`) and its compiled models
(`cnnviz.compiled`) serve the next job of the same kind.

Messages in: ("job", job_id, request document, run folder), ("stop", job_id), ("exit",).
Messages out: ("ready", pid), ("warm", seconds to import Keras), ("event", job_id,
event document), ("done", job_id). When the server goes away (the pipe breaks), the
job in progress stops after its batch and keeps what it learned, and the worker leaves.
A worker runs below the server's priority (`lower_priority`).
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["serve"]

SERVER_GONE = "the server went away during training"
NICENESS = 10  # how much lower than the server a worker runs (Unix niceness, 0-19)


def lower_priority() -> None:
    """Let the server's pages have the cores first: a page waits for its answer, a
    training does not. Training takes every cycle the server leaves (at 60 desks and two
    jobs on 2 cores the interaction p95 while jobs trained went 1,386 -> 323 ms,
    bench_classroom); an idle server leaves it all."""
    try:
        os.nice(NICENESS)
    except (AttributeError, OSError):  # not on Unix, or not allowed: same priority
        pass


def serve(conn: Connection, threads: int | None = None) -> None:
    """Run the jobs the server sends over `conn` until it says exit or goes away.

    Args:
        threads: TensorFlow's threads within and between operations (None: its own
            default, one per core).
    """
    began = time.perf_counter()
    jobs: queue.Queue = queue.Queue()
    stops: dict[str, threading.Event] = {}
    gone = threading.Event()  # the pipe to the server broke
    send_lock = threading.Lock()

    def leave() -> None:
        gone.set()
        for stop in list(stops.values()):
            stop.set()

    def send(*message: Any) -> None:
        if gone.is_set():
            return
        try:
            with send_lock:
                conn.send(message)
        except (OSError, ValueError):  # BrokenPipeError among them: stop, save, leave
            leave()
            jobs.put(None)

    def listen() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):  # the server has gone: finish the batch and leave
                leave()
                message = ("exit",)
            if message[0] == "job":
                stops[message[1]] = threading.Event()
                jobs.put(message[1:])
            elif message[0] == "stop" and message[1] in stops:
                stops[message[1]].set()
            elif message[0] == "exit":
                for stop in list(stops.values()):
                    stop.set()
                jobs.put(None)
                return

    threading.Thread(target=listen, daemon=True, name="cnnviz-worker-listen").start()
    send("ready", os.getpid())
    import keras  # noqa: F401  (warm: TensorFlow is imported before the first job arrives)

    if threads:  # before TensorFlow runs anything
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:  # TensorFlow had started: its own threads stay
            pass
    from cnnviz.request import TrainRequest, run_job
    from cnnviz.train import fail_run

    send("warm", time.perf_counter() - began)
    while (item := jobs.get()) is not None:
        job_id, document, run_dir = item

        def emit(event, job_id=job_id):
            send("event", job_id, event.to_dict())

        try:
            run_job(
                TrainRequest.from_dict(document),
                run_dir=run_dir,
                emit=emit,
                should_stop=lambda stop=stops[job_id]: (
                    (gone.is_set() and SERVER_GONE) or stop.is_set()
                ),
            )
        except BaseException as err:  # run_job returns failures; this is a last resort
            fail_run(run_dir, f"the job ended unexpectedly: {err!r}", emit=emit)
        finally:
            stops.pop(job_id, None)
            send("done", job_id)
        if gone.is_set():
            return


def main(argv: list[str]) -> None:
    from cnnviz.cli.quiet import quiet_tensorflow_import
    from cnnviz.settings import quiet_tensorflow

    quiet_tensorflow()
    quiet_tensorflow_import()  # its start-up lines stay out of the server's log
    lower_priority()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's, not ours
    serve(Connection(int(argv[1])), int(argv[2]) if len(argv) > 2 else None)


if __name__ == "__main__":
    main(sys.argv)
