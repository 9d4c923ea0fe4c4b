"""Compliance and due process: the sweep, notices, cases, decisions, referrals, objections."""
