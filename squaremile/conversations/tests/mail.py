"""Real e-mail messages as mail clients send them, for the inbound tests."""

from email.message import EmailMessage
from email.utils import formatdate, make_msgid


def reply_message(*, sender: str, to: str, new_text: str, quoted: str = "", subject: str = "Re: New post",
                  headers: dict | None = None, html: bool = True) -> bytes:  # fmt: skip
    """A multipart/alternative reply with the quoted original below the new words, like Gmail's."""
    msg = EmailMessage()
    msg["From"] = f"Reply Person <{sender}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="mail.example.org")
    for name, value in (headers or {}).items():
        msg[name] = value
    quoted_lines = "\n".join(f"> {line}" for line in quoted.splitlines())
    text = (
        f"{new_text}\n\nOn Sun, 6 Dec 2026 at 10:01, Square Mile <noreply@example.org> wrote:\n\n{quoted_lines}\n"
        "\n-- \nJo Bloggs\nAllotment secretary\n"
    )
    msg.set_content(text)
    if html:
        msg.add_alternative(
            f"<div dir='ltr'><p>{new_text}</p></div><div class='gmail_quote'><div>On Sun, 6 Dec 2026 at 10:01, "
            f"Square Mile wrote:</div><blockquote>{quoted}</blockquote></div>",
            subtype="html",
        )
    return msg.as_bytes()
