-- The schema registry (Apicurio) keeps its tables in a database of its own, so that
-- stockflow's migrations never see them and either side can be reset alone.
-- Postgres runs this once, when the data volume is first initialised; on an existing
-- volume, create it by hand or remove the volume (`docker compose down -v`).
CREATE DATABASE apicurio OWNER stockflow;
