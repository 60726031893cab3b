"""Requests sent at the same moment, for the tests of what races: plain functions."""

import threading


def all_at_once(calls: list, timeout: float = 120) -> list:
    """Run each call in its own thread, released together; their answers, in order."""
    start = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(n, call):
        start.wait(timeout=30)
        answers[n] = call()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return answers
