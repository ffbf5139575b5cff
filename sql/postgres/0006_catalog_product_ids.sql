-- Stock is kept under the catalog's product id, whichever stream names the
-- product: seed 001's movements use UUIDs, the catalog and seed 004's orders
-- also ids like '13681706' or 'item1'. A UUID is stored as its canonical
-- lowercase text (the validators lowercase it), so equality is unchanged.
-- Indexes on these columns are rebuilt by the type change.
ALTER TABLE movements
    ALTER COLUMN product_id TYPE text,
    ALTER COLUMN dep_product_id TYPE text,
    ALTER COLUMN arr_product_id TYPE text;
ALTER TABLE stock ALTER COLUMN product_id TYPE text;
ALTER TABLE stock_ledger ALTER COLUMN product_id TYPE text;
ALTER TABLE stock_counts ALTER COLUMN product_id TYPE text;
