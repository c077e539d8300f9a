-- Discovery: free-form tags on restaurants (searched with names, cuisines and dishes), and the
-- index that counts a restaurant's recent orders for popularity.

ALTER TABLE restaurants ADD COLUMN tags JSONB NOT NULL DEFAULT '[]';
CREATE INDEX orders_created ON orders (created_at);
