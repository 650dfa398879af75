"""The loader: a folder of signal documents -> a Corpus. Nothing is imported here, so that worker
processes import only the modules they use (no pandas)."""
