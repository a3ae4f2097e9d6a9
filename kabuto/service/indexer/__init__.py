"""The indexer: follows every platform contract's events into the index database.

* :mod:`.events`: decoding logs with the compiled contracts' ABIs.
* :mod:`.rpc`: reading logs and blocks from the node (JSON-RPC, batched).
* :mod:`.projections`: the tables that events update (investors, holdings, ...).
* :mod:`.follow`: the loop: blocks in order, each group's rows committed with the cursor.
* :mod:`.verify`: reconciling the index with the chain.
"""
