"""The tamper-evident audit log: a hash chain and an RFC 9162 Merkle tree over entries.

`merkle` and `canonical` are pure (the algorithms an outsider reimplements);
`append` writes entries, `verify` and `checkpoint` check and sign the log.
"""
