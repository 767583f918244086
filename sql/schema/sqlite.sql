-- Reference schema of the Closient platform tables that closient reads (SQLite).
-- A UUID is TEXT in canonical lowercase form, a bool is INTEGER 0 or 1, a date is TEXT
-- YYYY-MM-DD, a timestamp is TEXT YYYY-MM-DD HH:MM:SS in UTC, nutrition is TEXT JSON.

CREATE TABLE organization_organization (
    id TEXT PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    created TEXT NOT NULL
);

CREATE TABLE accounts_user (
    id TEXT PRIMARY KEY,
    email VARCHAR(254) NOT NULL UNIQUE,
    is_active INTEGER NOT NULL CHECK (is_active IN (0, 1))
);

CREATE TABLE organization_membership (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organization_organization (id),
    user_id TEXT NOT NULL REFERENCES accounts_user (id),
    role VARCHAR(16) NOT NULL
        CHECK (role IN ('owner', 'manager', 'editor', 'billing', 'viewer')),
    is_active INTEGER NOT NULL CHECK (is_active IN (0, 1)),
    UNIQUE (organization_id, user_id)
);

CREATE TABLE accounts_apikey (
    id TEXT PRIMARY KEY,
    prefix VARCHAR(3) NOT NULL CHECK (prefix IN ('csb', 'csu', 'cpk')),
    key_hash CHAR(64) NOT NULL UNIQUE,
    user_id TEXT NULL REFERENCES accounts_user (id),
    organization_id TEXT NULL REFERENCES organization_organization (id),
    name VARCHAR(100) NOT NULL,
    is_active INTEGER NOT NULL CHECK (is_active IN (0, 1)),
    expires_at TEXT NULL,
    created TEXT NOT NULL
);

CREATE TABLE brands_brand (
    id TEXT PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    organization_id TEXT NULL REFERENCES organization_organization (id)
);

CREATE TABLE products_productcategory (
    id TEXT PRIMARY KEY,
    name VARCHAR(255) NOT NULL
);

CREATE TABLE products_product (
    id TEXT PRIMARY KEY,
    gtin CHAR(14) NOT NULL UNIQUE,
    owner_id TEXT NULL REFERENCES organization_organization (id),
    brand_id TEXT NULL REFERENCES brands_brand (id),
    category_id TEXT NULL REFERENCES products_productcategory (id),
    product_name VARCHAR(255) NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    country_of_origin VARCHAR(2) NOT NULL DEFAULT '',
    image_url VARCHAR(1000) NOT NULL DEFAULT '',
    nutrition TEXT NULL,
    created TEXT NOT NULL
);

CREATE TABLE products_productimage (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products_product (id),
    image_url VARCHAR(1000) NOT NULL,
    is_primary INTEGER NOT NULL CHECK (is_primary IN (0, 1)),
    priority INTEGER NOT NULL,
    created TEXT NOT NULL
);

CREATE TABLE retailers_instoreoffer (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products_product (id),
    organization_id TEXT NOT NULL REFERENCES organization_organization (id),
    physical_store_id TEXT NOT NULL,
    sku VARCHAR(64) NOT NULL DEFAULT '',
    status VARCHAR(16) NOT NULL
        CHECK (status IN ('active', 'discontinued', 'seasonal', 'out_of_stock'))
);

CREATE TABLE retailers_onlineoffer (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products_product (id),
    organization_id TEXT NOT NULL REFERENCES organization_organization (id),
    online_store_id TEXT NOT NULL,
    sku VARCHAR(64) NOT NULL DEFAULT '',
    url VARCHAR(1000) NOT NULL DEFAULT '',
    status VARCHAR(16) NOT NULL
        CHECK (status IN ('active', 'discontinued', 'seasonal', 'out_of_stock')),
    url_status VARCHAR(16) NOT NULL
        CHECK (url_status IN ('unchecked', 'ok', 'redirect', 'broken', 'timeout',
                              'dns_failure')),
    url_checked_at TEXT NULL
);

CREATE TABLE certifications_certification (
    id TEXT PRIMARY KEY,
    code VARCHAR(64) NOT NULL,
    label VARCHAR(255) NOT NULL
);

CREATE TABLE certifications_certificationassignment (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products_product (id),
    certification_id TEXT NOT NULL REFERENCES certifications_certification (id),
    verification_status VARCHAR(16) NOT NULL
        CHECK (verification_status IN ('unverified', 'verified', 'expired')),
    valid_from TEXT NULL,
    expiry_date TEXT NULL
);

-- Indexes closient recommends, the same as on PostgreSQL.
CREATE INDEX closient_membership_user ON organization_membership (user_id, organization_id);
CREATE INDEX closient_product_owner ON products_product (owner_id, id);
CREATE INDEX closient_productimage_product ON products_productimage (product_id);
CREATE INDEX closient_certassignment_product
    ON certifications_certificationassignment (product_id, expiry_date);
CREATE INDEX closient_instoreoffer_org_status ON retailers_instoreoffer (organization_id, status);
CREATE INDEX closient_instoreoffer_product_active ON retailers_instoreoffer (product_id)
    WHERE status = 'active';
CREATE INDEX closient_onlineoffer_org_status ON retailers_onlineoffer (organization_id, status);
CREATE INDEX closient_onlineoffer_product_active ON retailers_onlineoffer (product_id)
    WHERE status = 'active';
CREATE INDEX closient_onlineoffer_org_failing ON retailers_onlineoffer (organization_id)
    WHERE url_status IN ('broken', 'timeout', 'dns_failure');
