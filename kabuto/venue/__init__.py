"""A reference PTS (私設取引システム) for Kabuto's securities: order books matched off-chain,
executions settled on-chain in netted batches through the platform's ``BatchSettlement``.

Layers, lowest first (a module imports only from the ones above it in this list):

| module | what it holds |
|---|---|
| ``rules`` | tick and price-limit tables, the price checks |
| ``calendar`` | the PTS calendar (weekends, national holidays, year-end) and the day's phases in JST |
| ``config`` | the venue config file (products, tables, sessions, participants, settlement times) |
| ``model`` | orders, executions, refusals, acknowledgements (plain data) |
| ``book`` | one security's order book: price-time priority, continuous matching, cancel/amend |
| ``auction`` | itayose (板寄せ): the single price of a call auction and its allocation |
| ``facts`` | what the venue knows of the chain (eligibility, locks, yen): the interface, in memory |
| ``chainfacts`` | the same read from the chain (kabuto.ops.chain), cached until a batch settles |
| ``engine`` | the venue: pre-trade checks, books, phases, the journal, market data |
| ``journal`` | the append-only journal that replays to the same books after a crash |
| ``settlement`` | executions into netted batches on BatchSettlement, fails found and reported |
| ``report`` | the end-of-day report (OHLC, volume, VWAP, settled and failed trades) |
| ``files`` | the executions file (the CSV settle_batch reads) |
| ``replay`` | an order file (CSV) through the engine into the executions file settle_batch reads |
| ``server`` | the HTTP/WebSocket interface (FastAPI + uvicorn) |
| ``demo`` | ``ape run venue``: a trading day on the demo's securities |
| ``cli`` | options the venue's scripts share |
"""
