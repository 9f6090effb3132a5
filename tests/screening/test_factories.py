"""Every screening model has a factory (tests/factories/screening.py); each builds a valid row."""

import pytest

from tests.factories import screening as factories
from tests.factories.checks import factories_in, models_without_factory


def test_every_screening_model_has_a_factory():
    assert models_without_factory("screening", factories) == []


@pytest.mark.django_db
@pytest.mark.parametrize("factory", factories_in(factories), ids=lambda factory: factory.__name__)
def test_screening_factory_creates_a_valid_row(factory):
    instance = factory()

    instance.full_clean()
    assert type(instance)._default_manager.filter(pk=instance.pk).exists()
