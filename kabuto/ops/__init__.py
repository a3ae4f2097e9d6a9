"""Operator jobs: what the Ape scripts in scripts/ do, as plain functions on a connected
network, so that tests call exactly what the scripts call. Scripts stay thin (arguments,
output); every check and every transaction lives here."""
