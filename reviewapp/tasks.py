"""Background work of the base app: notification mails (thin leaves, see reviewapp.tasking)."""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def notification_send_task(*, notification_id: int) -> None:
    from reviewapp.notifications import notification_send  # noqa: PLC0415 -- tasks stay leaves

    notification_send(notification_id=notification_id)


@shared_task
def notifications_digest_task() -> int:
    from reviewapp.notifications import notifications_send_digests  # noqa: PLC0415 -- tasks stay leaves

    return notifications_send_digests()


@shared_task
def deleted_purge_task() -> int:
    from reviewapp.services import deleted_purge  # noqa: PLC0415 -- tasks stay leaves

    return deleted_purge()
