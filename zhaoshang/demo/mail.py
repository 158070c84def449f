"""The e-mail backend of the demo load only: it accepts every message for a domain that
receives mail and keeps nothing (nothing is printed, nothing leaves the machine, nothing is
built into MIME), and refuses an address whose domain cannot receive mail, as an SMTP server
answers ``550`` for a domain that does not exist."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend

#: The domains that receive mail in the demo city (reserved-looking, never real).
RECEIVING_DOMAINS = ("example.cn", "example.com")


def receives_mail(address: str) -> bool:
    domain = address.rpartition("@")[2].lower()
    return any(domain == d or domain.endswith("." + d) for d in RECEIVING_DOMAINS)


class DemoEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        for message in messages:
            refused = {
                address: (550, f"5.1.2 <{address}>: Recipient address rejected: Domain not found")
                for address in message.recipients()
                if not receives_mail(address)
            }
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
        return len(messages)
