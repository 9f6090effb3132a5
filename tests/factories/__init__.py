"""factory_boy factories, one module per app and one factory per model.

Import a factory from its app's module (``from tests.factories.reviewapp import UserFactory``);
this package re-exports nothing. A factory creates its object and what the object must have
(its required foreign keys), nothing more: no audit entries, no verdicts, no stale marks.
Where a test needs what a service does besides saving the row, it calls the service.
"""
