"""Privacy by construction: pseudonyms, encrypted addresses, erasure, redaction."""
