-- Reference data the warehouse network loads from files (imports of kind
-- products, warehouses, countries), upserted by natural key. Orders price
-- against products; answers name warehouses and countries where known.
CREATE TABLE products (
    product_id text PRIMARY KEY,
    name       text NOT NULL,
    category   text,
    brand      text,
    unit_price numeric(14, 2) NOT NULL CHECK (unit_price >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE countries (
    country_id text PRIMARY KEY,
    name       text NOT NULL,
    continent  text,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- country_id is not a foreign key: a warehouse may be loaded before its country.
CREATE TABLE warehouses (
    warehouse_id uuid PRIMARY KEY,
    code         text NOT NULL UNIQUE CHECK (code ~ '^WH-[0-9]{4}$'),
    name         text NOT NULL,
    city         text,
    country_id   text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
