"""What the per-app factory tests check: a factory for every model, each building a valid row."""

from types import ModuleType

from django.apps import apps
from factory.django import DjangoModelFactory


def factories_in(module: ModuleType) -> list[type[DjangoModelFactory]]:
    """The model factories a factory module defines (not those it imports)."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, DjangoModelFactory)
        and value.__module__ == module.__name__
    ]


def models_without_factory(app_label: str, module: ModuleType) -> list[str]:
    covered = {factory._meta.model for factory in factories_in(module)}
    models = apps.get_app_config(app_label).get_models()
    return sorted(model.__name__ for model in models if model not in covered)
