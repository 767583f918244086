-- Reference schema of the Closient platform tables that closient reads (PostgreSQL).
-- Tables and columns follow the platform; the indexes at the end are the ones closient
-- recommends for its queries.

CREATE TABLE organization_organization (
    id uuid PRIMARY KEY,
    name varchar(255) NOT NULL,
    created timestamptz NOT NULL
);

CREATE TABLE accounts_user (
    id uuid PRIMARY KEY,
    email varchar(254) NOT NULL UNIQUE,
    is_active boolean NOT NULL
);

CREATE TABLE organization_membership (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organization_organization (id),
    user_id uuid NOT NULL REFERENCES accounts_user (id),
    role varchar(16) NOT NULL
        CHECK (role IN ('owner', 'manager', 'editor', 'billing', 'viewer')),
    is_active boolean NOT NULL,
    UNIQUE (organization_id, user_id)
);

CREATE TABLE accounts_apikey (
    id uuid PRIMARY KEY,
    prefix varchar(3) NOT NULL CHECK (prefix IN ('csb', 'csu', 'cpk')),
    key_hash char(64) NOT NULL UNIQUE,
    user_id uuid NULL REFERENCES accounts_user (id),
    organization_id uuid NULL REFERENCES organization_organization (id),
    name varchar(100) NOT NULL,
    is_active boolean NOT NULL,
    expires_at timestamptz NULL,
    created timestamptz NOT NULL
);

CREATE TABLE brands_brand (
    id uuid PRIMARY KEY,
    name varchar(255) NOT NULL,
    organization_id uuid NULL REFERENCES organization_organization (id)
);

CREATE TABLE products_productcategory (
    id uuid PRIMARY KEY,
    name varchar(255) NOT NULL
);

CREATE TABLE products_product (
    id uuid PRIMARY KEY,
    gtin char(14) NOT NULL UNIQUE,
    owner_id uuid NULL REFERENCES organization_organization (id),
    brand_id uuid NULL REFERENCES brands_brand (id),
    category_id uuid NULL REFERENCES products_productcategory (id),
    product_name varchar(255) NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    country_of_origin varchar(2) NOT NULL DEFAULT '',
    image_url varchar(1000) NOT NULL DEFAULT '',
    nutrition jsonb NULL,
    created timestamptz NOT NULL
);

CREATE TABLE products_productimage (
    id uuid PRIMARY KEY,
    product_id uuid NOT NULL REFERENCES products_product (id),
    image_url varchar(1000) NOT NULL,
    is_primary boolean NOT NULL,
    priority integer NOT NULL,
    created timestamptz NOT NULL
);

CREATE TABLE retailers_instoreoffer (
    id uuid PRIMARY KEY,
    product_id uuid NOT NULL REFERENCES products_product (id),
    organization_id uuid NOT NULL REFERENCES organization_organization (id),
    physical_store_id uuid NOT NULL,
    sku varchar(64) NOT NULL DEFAULT '',
    status varchar(16) NOT NULL
        CHECK (status IN ('active', 'discontinued', 'seasonal', 'out_of_stock'))
);

CREATE TABLE retailers_onlineoffer (
    id uuid PRIMARY KEY,
    product_id uuid NOT NULL REFERENCES products_product (id),
    organization_id uuid NOT NULL REFERENCES organization_organization (id),
    online_store_id uuid NOT NULL,
    sku varchar(64) NOT NULL DEFAULT '',
    url varchar(1000) NOT NULL DEFAULT '',
    status varchar(16) NOT NULL
        CHECK (status IN ('active', 'discontinued', 'seasonal', 'out_of_stock')),
    url_status varchar(16) NOT NULL
        CHECK (url_status IN ('unchecked', 'ok', 'redirect', 'broken', 'timeout',
                              'dns_failure')),
    url_checked_at timestamptz NULL
);

CREATE TABLE certifications_certification (
    id uuid PRIMARY KEY,
    code varchar(64) NOT NULL,
    label varchar(255) NOT NULL
);

CREATE TABLE certifications_certificationassignment (
    id uuid PRIMARY KEY,
    product_id uuid NOT NULL REFERENCES products_product (id),
    certification_id uuid NOT NULL REFERENCES certifications_certification (id),
    verification_status varchar(16) NOT NULL
        CHECK (verification_status IN ('unverified', 'verified', 'expired')),
    valid_from date NULL,
    expiry_date date NULL
);

-- Indexes closient recommends. Every counter starts from one organization, so each
-- index leads with the column that reaches it.
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
