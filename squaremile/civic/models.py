"""Bodies and representatives, problem reports, questions, Open311 and Open Referral: the data and its invariants."""
