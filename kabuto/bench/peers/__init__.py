"""One module per peer; each exposes ``PEER`` (see kabuto.bench.registry.Peer)."""
