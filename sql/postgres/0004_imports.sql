-- Bulk imports of CSV files: one row per job, and every file row that failed
-- with its line, the raw text as it was in the file and every reason.
CREATE TABLE imports (
    import_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           text NOT NULL,
    file_name      text NOT NULL,
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    forced         boolean NOT NULL DEFAULT false,
    status         text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    bytes_total    bigint NOT NULL,
    bytes_done     bigint NOT NULL DEFAULT 0,
    rows_read      bigint NOT NULL DEFAULT 0,
    rows_imported  bigint NOT NULL DEFAULT 0,
    rows_failed    bigint NOT NULL DEFAULT 0,
    rows_duplicate bigint NOT NULL DEFAULT 0,
    error          text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz,
    CHECK (status <> 'succeeded' OR rows_read = rows_imported + rows_failed + rows_duplicate)
);

-- A file (by content) imports once unless forced: a re-import finds this row.
CREATE UNIQUE INDEX imports_once_per_file ON imports (kind, sha256)
    WHERE status = 'succeeded' AND NOT forced;
CREATE INDEX imports_newest_first ON imports (import_id DESC);

CREATE TABLE failed_rows (
    import_id bigint NOT NULL REFERENCES imports ON DELETE CASCADE,
    line      bigint NOT NULL,
    raw       text NOT NULL,
    reasons   jsonb NOT NULL,
    PRIMARY KEY (import_id, line)
);
