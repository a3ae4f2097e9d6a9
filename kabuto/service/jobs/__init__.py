"""Operator jobs submitted through the API, run by the same kabuto.ops code as the scripts.

A job is checked completely when it is submitted (files, rows, fields, then the chain), so
bad input is a 422 before anything is sent; then it is stored (``jobs`` table) and run in the
background. Its status and progress are in the database; after a restart or a SIGKILL of
the service, a job that was running runs again, and the ops code reads what is done from
the chain, so no step is done twice (kabuto.batching). Steps that are not batches carry
their job id to the chain (forced transfers) or record what they expect to find there
(partial freezes), so their re-run can tell them apart too.
"""
