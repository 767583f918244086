"""The floor: an index-only count of the rows of every table the answer must touch.

No correct query can read less than this for one organization: its products, their
images, their certification assignments, the offers of its products (whoever owns
them), and its own offers. Each count reads only an index, after VACUUM.
"""

from __future__ import annotations

FLOOR_STATEMENTS = {
    "products of the organization": """
        SELECT count(*) FROM products_product AS p
        WHERE p.owner_id = :organization_id
    """,
    "their images": """
        SELECT count(*) FROM products_productimage AS i
        JOIN products_product AS p ON p.id = i.product_id
        WHERE p.owner_id = :organization_id
    """,
    "their certification assignments": """
        SELECT count(*) FROM certifications_certificationassignment AS a
        JOIN products_product AS p ON p.id = a.product_id
        WHERE p.owner_id = :organization_id
    """,
    "in-store offers of their products": """
        SELECT count(*) FROM retailers_instoreoffer AS s
        JOIN products_product AS p ON p.id = s.product_id
        WHERE p.owner_id = :organization_id
    """,
    "online offers of their products": """
        SELECT count(*) FROM retailers_onlineoffer AS o
        JOIN products_product AS p ON p.id = o.product_id
        WHERE p.owner_id = :organization_id
    """,
    "in-store offers of the organization": """
        SELECT count(*) FROM retailers_instoreoffer AS s
        WHERE s.organization_id = :organization_id
    """,
    "online offers of the organization": """
        SELECT count(*) FROM retailers_onlineoffer AS o
        WHERE o.organization_id = :organization_id
    """,
}
