"""Signed audit checkpoints outside the database: Ed25519 key files and the checkpoint
directory (docs/operations.md, "Signed audit checkpoints")."""
