import html


def page_text(response) -> str:
    """The page's HTML with entities decoded, so that assertions read like what users see."""
    return html.unescape(response.content.decode())


def visible_text(response) -> str:
    """The page's text without its tags (as a screen reader would read it, roughly)."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))


def form_data(response, *, action: str | None = None) -> dict:
    """What a browser would submit from a page's form as loaded (inputs, textareas, selected
    options, checked boxes), keyed by name; lists for multiple values. With `action`, the form
    whose action contains that text; otherwise the first form with a csrf token."""
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.forms, self.current, self.textarea, self.select = [], None, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.current = {"action": attrs.get("action") or "", "fields": []}
                self.forms.append(self.current)
            elif self.current is None:
                return
            elif tag == "input" and attrs.get("name"):
                kind = attrs.get("type", "text")
                if kind in ("checkbox", "radio") and "checked" not in attrs:
                    return
                if kind in ("submit", "button", "file"):
                    return
                self.current["fields"].append((attrs["name"], attrs.get("value", "")))
            elif tag == "textarea" and attrs.get("name"):
                self.textarea = [attrs["name"], ""]
            elif tag == "select" and attrs.get("name"):
                self.select = attrs["name"]
            elif tag == "option" and self.select and "selected" in attrs:
                self.current["fields"].append((self.select, attrs.get("value", "")))

        def handle_data(self, data):
            if self.textarea is not None:
                self.textarea[1] += data

        def handle_endtag(self, tag):
            if tag == "textarea" and self.textarea is not None:
                name, text = self.textarea
                self.current["fields"].append((name, text.removeprefix("\n")))
                self.textarea = None
            elif tag == "select":
                self.select = None
            elif tag == "form":
                self.current = None

    parser = Forms()
    parser.feed(response.content.decode())
    for form in parser.forms:
        form["action"] = form["action"] or response.request["PATH_INFO"]  # posts to itself
        names = [n for n, _v in form["fields"]]
        if (action is None and "csrfmiddlewaretoken" in names) or (
            action is not None and action in form["action"]
        ):
            data: dict = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            return {k: v[0] if len(v) == 1 else v for k, v in data.items()}
    raise AssertionError(f"No form {action or ''} on the page")
