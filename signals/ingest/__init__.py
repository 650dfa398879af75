"""The loader: a folder of signal documents -> a Corpus (`load.load_corpus`, also `signals.load_corpus`).

    files       the data folder: list it, read each file once, fingerprint and decode what was read
    lineparse   one document's text -> a record (pure; its rules public, reused by batchparse)
    batchparse  many texts -> raw tables + the texts it declines (pure, in named stages)
    raw         the raw tables' columns, the reserved attribute names, the one section-columns merge
    workers     the unit of work, the process pool and its /dev/shm hand-over
    cache       the on-disk Parquet cache, keyed by the files' fingerprints
    frames      raw tables -> the frames users see
    load        load_corpus (and combine): the steps above in order

Nothing is imported here, so that worker processes import only what they use (no pandas).
See docs/architecture.md, "The loading package".
"""
