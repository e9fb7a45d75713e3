"""Source deliveries: the catalogue (declared in dbt's sources YAML), parsing and raw storage."""
