"""The one place mail is built: a subject, a plain-text body and an HTML body
from templates `<name>_subject.txt`, `<name>.txt` and `<name>.html`."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def build_mail(*, to: str, template: str, context: dict) -> EmailMultiAlternatives:
    context = {"site_name": settings.SITE_NAME, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=render_to_string(f"{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def send_mail(*, to: str, template: str, context: dict) -> None:
    build_mail(to=to, template=template, context=context).send()
