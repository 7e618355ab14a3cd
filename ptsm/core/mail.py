"""What goes into an e-mail header must stay on one line."""


def header_text(value: str) -> str:
    """`value` on one line: carriage returns, line feeds and the other Unicode line breaks
    become spaces, so that a name typed or imported by someone ("…\\r\\nBcc: …") can neither add
    a header nor make Django refuse to send the message."""
    return " ".join(part.strip() for part in str(value).splitlines() if part.strip())
