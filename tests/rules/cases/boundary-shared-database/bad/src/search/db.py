from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

# search indexes the catalog straight from its tables
CATALOG_DSN = "postgresql://search:search@catalog-db.internal:5432/catalog"  # expect: boundary-shared-database
engine = create_engine(CATALOG_DSN, pool_pre_ping=True)
SessionLocal = sessionmaker(engine)
