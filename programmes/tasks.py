from celery import shared_task

from . import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def send_invitations(invitation_ids: list[int]) -> int:
    return services.invitations_send(invitation_ids=invitation_ids)
