"""The batch runner's own logic against a fake chain that records what was sent."""

import os
import signal
from dataclasses import dataclass, field

import pytest

from kabuto.batching import BatchJob, run_batches
from kabuto.errors import BatchInterrupted, ChainStateError


@dataclass
class FakeChain:
    """Holds which keys are done; counts how often each was sent."""

    done: set = field(default_factory=set)
    sends: dict = field(default_factory=dict)
    batches: list = field(default_factory=list)

    def done_keys(self, keys):
        return {k for k in keys if k in self.done}

    def send(self, items):
        self.batches.append(list(items))
        for item in items:
            self.sends[item] = self.sends.get(item, 0) + 1
            self.done.add(item)


def job(chain, items, send=None, batch_size=10):
    return BatchJob(
        items=items,
        key=lambda item: item,
        done_keys=chain.done_keys,
        send=send or chain.send,
        batch_size=batch_size,
        description="test",
    )


def test_run__chunks_everything_once():
    chain = FakeChain()
    report = run_batches(job(chain, list(range(25))), progress=False)
    assert [len(b) for b in chain.batches] == [10, 10, 5]
    assert report.sent == 25 and report.batches == 3 and report.already_done == 0
    assert set(chain.sends.values()) == {1}


def test_rerun__done_items_on_chain__skipped():
    chain = FakeChain(done={0, 1, 2, 13})
    report = run_batches(job(chain, list(range(20))), progress=False)
    assert report.already_done == 4 and report.sent == 16
    assert set(chain.sends) == set(range(20)) - {0, 1, 2, 13}
    again = run_batches(job(chain, list(range(20))), progress=False)
    assert again.sent == 0 and again.batches == 0 and max(chain.sends.values()) == 1


def test_run__item_done_meanwhile__rechecked_before_its_chunk():
    chain = FakeChain()

    def send(items):
        chain.send(items)
        if items[0] == 0:
            chain.done.add(15)  # another operator (or a late transaction) did item 15

    report = run_batches(job(chain, list(range(20)), send=send), progress=False)
    assert 15 not in chain.sends and report.skipped_late == 1 and report.sent == 19


def test_run__send_without_effect__chain_state_error():
    chain = FakeChain()
    with pytest.raises(ChainStateError, match="does not show 10 of its 10 items"):
        run_batches(job(chain, list(range(20)), send=lambda items: None), progress=False)


def test_ctrl_c_mid_batch__batch_finishes_then_stops_and_rerun_completes():
    chain = FakeChain()
    calls = []
    handler_before = signal.getsignal(signal.SIGINT)  # Ape's own, under `ape test`

    def send(items):
        calls.append(items[0])
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C during batch 2
        chain.send(items)

    with pytest.raises(BatchInterrupted, match="20 of 50 items done") as raised:
        run_batches(job(chain, list(range(50)), send=send), progress=False)
    assert raised.value.done == 20 and len(chain.done) == 20  # batch 2 was not cut
    assert signal.getsignal(signal.SIGINT) is handler_before
    report = run_batches(job(chain, list(range(50))), progress=False)
    assert report.already_done == 20 and report.sent == 30
    assert set(chain.sends.values()) == {1} and len(chain.sends) == 50


def test_ctrl_c_outside_a_batch__plain_keyboard_interrupt():
    chain = FakeChain()

    def done_keys(keys):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batches(
            BatchJob(items=[1], key=lambda i: i, done_keys=done_keys, send=chain.send),
            progress=False,
        )
    assert chain.sends == {}


def test_duplicate_keys__refused():
    with pytest.raises(ValueError, match="share a key"):
        run_batches(job(FakeChain(), [1, 2, 1]), progress=False)


def test_progress_bar__starts_at_done_count(capsys):
    chain = FakeChain(done={0, 1, 2})
    run_batches(job(chain, list(range(5))), progress=True)
    err = capsys.readouterr().err
    assert "test" in err and "5/5" in err
