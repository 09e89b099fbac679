"""The domain: communities, membership, the ledger and the market. No chat-platform imports."""
