"""What may follow a signature in a signed PDF: pyHanko's standard rules, plus comments.

PAdES lets a signed PDF receive, after its signature, form filling, further signatures, DSS/LTV
data and annotations (comments, highlights, stamps). pyHanko's default difference policy
whitelists all of these but annotations; `AnnotationAdditionRule` adds them, narrowly: on a
page whose only change is its /Annots array, the earlier annotations stay and the new ones are
markup annotations (no link, no action, no attachment, no widget). Anything else still counts as
"modified after signature".
"""

from pyhanko.pdf_utils import generic
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel, StandardDiffPolicy
from pyhanko.sign.diff_analysis.rules_api import QualifiedWhitelistRule, ReferenceUpdate

# Markup annotations (ISO 32000, 12.5.6): they comment a page, they do not act.
MARKUP_SUBTYPES = {
    "/Text",
    "/FreeText",
    "/Line",
    "/Square",
    "/Circle",
    "/Polygon",
    "/PolyLine",
    "/Highlight",
    "/Underline",
    "/Squiggly",
    "/StrikeOut",
    "/Stamp",
    "/Caret",
    "/Ink",
    "/Popup",
}
# Keys through which an annotation could act (actions) or carry a file.
ACTIVE_KEYS = {"/A", "/AA", "/FS", "/Parent"}
MAX_PAGES = 10_000


def _reference(value):
    return value.reference if isinstance(value, generic.IndirectObject) else None


def _page_refs(resolver):
    """The pages of a revision (references), walking the page tree with a bound."""
    found = []
    stack = [_reference(resolver.root.raw_get("/Pages"))]
    while stack and len(found) < MAX_PAGES:
        ref = stack.pop()
        if ref is None:
            continue
        node = resolver(ref)
        if node.get("/Type") == "/Pages":
            kids = node.raw_get("/Kids")
            kids = resolver(kids.reference) if isinstance(kids, generic.IndirectObject) else kids
            stack.extend(_reference(kids.raw_get(i)) for i in reversed(range(len(kids))))
        else:
            found.append(ref)
    return found


def _annotation_refs(resolver, page) -> list:
    annots = page.raw_get("/Annots") if "/Annots" in page else None
    if annots is None:
        return []
    array = resolver(annots.reference) if isinstance(annots, generic.IndirectObject) else annots
    return [_reference(array.raw_get(i)) for i in range(len(array))]


def _is_markup(annotation) -> bool:
    return annotation.get("/Subtype") in MARKUP_SUBTYPES and not (ACTIVE_KEYS & set(annotation))


def _appearance_refs(annotation) -> list:
    refs = []
    appearance = annotation.get("/AP")
    if isinstance(appearance, generic.DictionaryObject):
        for key in ("/N", "/R", "/D"):
            if key in appearance and _reference(appearance.raw_get(key)):
                refs.append(_reference(appearance.raw_get(key)))
    if "/Popup" in annotation and _reference(annotation.raw_get("/Popup")):
        refs.append(_reference(annotation.raw_get("/Popup")))
    return refs


def _existing(resolver, ref):
    try:
        return resolver(ref)
    except Exception:  # absent from that revision: pyHanko raises its own reading errors
        return None


class AnnotationAdditionRule(QualifiedWhitelistRule):
    """Comments added to pages after a signature (see the module's docstring)."""

    def apply_qualified(self, old, new):
        changed = set(new.explicit_refs_in_revision())
        for page_ref in _page_refs(new):
            if page_ref not in changed:
                continue
            old_page = _existing(old, page_ref)
            if old_page is None:  # a page new in this revision is not a comment
                continue
            new_page = new(page_ref)
            keys = (set(old_page) | set(new_page)) - {"/Annots"}
            if any(old_page.raw_get(k, None) != new_page.raw_get(k, None) for k in keys):
                continue
            before = _annotation_refs(old, old_page)
            after = _annotation_refs(new, new_page)
            if after[: len(before)] != before or None in after:
                continue
            added = after[len(before) :]
            annotations = [new(ref) for ref in added]
            if not all(_is_markup(a) for a in annotations):
                continue
            yield ModificationLevel.ANNOTATIONS, ReferenceUpdate(page_ref)
            annots = new_page.raw_get("/Annots")
            if isinstance(annots, generic.IndirectObject):
                yield ModificationLevel.ANNOTATIONS, ReferenceUpdate(annots.reference)
            for ref, annotation in zip(added, annotations, strict=True):
                yield ModificationLevel.ANNOTATIONS, ReferenceUpdate(ref)
                for extra in _appearance_refs(annotation):
                    yield ModificationLevel.ANNOTATIONS, ReferenceUpdate(extra)


PADES_DIFF_POLICY = StandardDiffPolicy(
    global_rules=[*DEFAULT_DIFF_POLICY.global_rules, AnnotationAdditionRule()],
    form_rule=DEFAULT_DIFF_POLICY.form_rule,
)
