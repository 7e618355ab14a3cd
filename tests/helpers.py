import html


def page_text(response) -> str:
    """The page's HTML with entities decoded, so that assertions read like what users see."""
    return html.unescape(response.content.decode())
