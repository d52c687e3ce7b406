"""Build test emails."""

from __future__ import annotations

from email.message import EmailMessage


def make_mail(
    *,
    sender: str = "Ann Acme <ann@acme.example>",
    to: str = "helpdesk@example.test",
    subject: str = "Agents cannot open scripts",
    body: str = "Since this morning every agent gets a blank screen.",
    message_id: str | None = "<first.mail@acme.example>",
    date: str = "Tue, 10 Mar 2026 09:40:00 +0000",
    headers: dict[str, str] | None = None,
    html: str = "",
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    for name, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()
