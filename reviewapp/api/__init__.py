"""The REST API over the whole review (docs/api.md): DRF views that validate with
serializers and call the same services as the pages, under the same permission rules."""
