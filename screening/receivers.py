"""What screening does when the base app (reviewapp.signals) or Django's accounts send a
signal: people who leave a project, or whose account is deactivated, keep no assignments."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from reviewapp.signals import membership_ended
from screening.services.screening import assignments_release


@receiver(membership_ended)
def release_assignments_of_a_leaving_member(sender, *, project, user, actor, **kwargs) -> None:
    assignments_release(user=user, actor=actor, project=project)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def release_assignments_of_a_deactivated_account(sender, *, instance, created, **kwargs) -> None:
    # Accounts are deactivated in Django's admin (or by erasure), not through a service of
    # ours: whenever an inactive account is saved, nothing stays assigned to it (an UPDATE
    # on the few assigned items, through the partial index `item_assigned`).
    if not created and not instance.is_active:
        assignments_release(user=instance, actor=None)
