"""The one place mail is built: a subject, a plain-text body and an HTML body
from templates `<name>_subject.txt`, `<name>.txt` and `<name>.html`; and the one
way the apps' own mails are sent: once per key (common.mail claims the key before
the mail server gets it, so no key is ever mailed twice)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from common.mail import mail_send_once

Attachment = tuple[str, bytes, str]  # filename, content, mimetype


def build_mail(*, to: str, template: str, context: dict, attachments: list[Attachment] = ()) -> EmailMultiAlternatives:
    context = {"site_name": settings.SITE_NAME, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=render_to_string(f"{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_mail_once(*, key: str, to: str, template: str, context: dict, attachments: list[Attachment] = ()) -> bool:
    """Mail `to` unless `key` was mailed (or may have been) before; True if this call
    sent it. Call outside any transaction: the claim commits before the send."""
    return mail_send_once(
        key=key, build=lambda: build_mail(to=to, template=template, context=context, attachments=attachments)
    )
