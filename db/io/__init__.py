"""Import and export of the registry: readers, validation, bulk writers, export."""
from db.io.stream_url import StreamURLError, redact_stream_url, validate_stream_url
from db.io.writers import (
                           UnknownReference,
                           WriteSummary,
                           assign_districts,
                           replace_layer,
                           upsert_cameras,
                           upsert_districts,
                           upsert_duty_units,
                           upsert_owners,
                           upsert_posts,
)

__all__ = ["StreamURLError", "UnknownReference", "WriteSummary", "assign_districts", "redact_stream_url",
           "replace_layer", "upsert_cameras", "upsert_districts", "upsert_duty_units", "upsert_owners",
           "upsert_posts", "validate_stream_url"]
