import html


def page_text(response) -> str:
    """The page's HTML with entities decoded, so that assertions read like what users see."""
    return html.unescape(response.content.decode())


def visible_text(response) -> str:
    """The page's text without its tags (as a screen reader would read it, roughly)."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))
