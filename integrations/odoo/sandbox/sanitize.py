"""What Odoo stores for an Html field: ``odoo/tools/mail.py`` ``html_sanitize`` (odoo/odoo 17.0).

Odoo parses the value with ``lxml.html.fromstring`` (libxml2), cleans the tree with an
``lxml.html.clean.Cleaner`` configured by ``html_sanitize`` and serialises it again. The
sandbox has no lxml, so this module rebuilds the parts a client can notice with the standard
library:

- ``kill_tags`` (``script``, ``style``, ``iframe``, ``object``, ``embed``, form inputs, …) go
  with their content; tags outside lxml's ``defs.tags`` lose the tag and keep their content.
- Only lxml's ``safe_attrs`` (plus Odoo's ``style`` and ``data-oe-*`` additions) survive
  (``sanitize_attributes``, on by default); ``on*`` handlers and ``javascript:`` links never do.
- Text that starts the value is wrapped in ``<p>`` (libxml2's implied paragraph), so a plain
  escaped string comes back as ``<p>…</p>`` with its line breaks untouched; a single root
  element is returned as is and the ``<div>`` lxml wraps around several roots is removed.
- Text is re-escaped like lxml does (``&``, ``<``, ``>`` only: quotes stay plain) and ``\\xa0``
  becomes ``&nbsp;``; an empty or blank value is stored as ``""``.

- ``sanitize_style`` (fields declared ``sanitize_style=True``, e.g. ``mail.message.body`` and
  ``mail.activity.note``): ``_Cleaner.parse_style`` keeps only whitelisted CSS properties,
  rewritten as ``name:value; …``, and drops a ``style`` left empty. Other Html fields keep
  ``style`` as given (``fields.Html`` defaults to ``sanitize_style=False``).

Not reproduced: the quote and signature detection of ``tag_quote``, per-field options (``sanitize_attributes=False``), URL escaping in
attributes and libxml2's less common repairs of broken markup.
"""

import re
from html import escape
from html.parser import HTMLParser

KILL_TAGS = frozenset(
    "base embed frame head iframe link meta noscript object script style title applet param "
    "button input select textarea".split()
)
REMOVE_TAGS = frozenset("html body form blink marquee".split())
ALLOWED_TAGS = frozenset(
    "a abbr acronym address area article aside b bdi bdo big blockquote br caption center cite code col "
    "colgroup dd del details dfn dir div dl dt em fieldset figcaption figure font footer h1 h2 h3 h4 h5 h6 "
    "header hgroup hr i img ins kbd label legend li main map mark menu nav ol optgroup option p pre q s "
    "samp section small span strike strong sub summary sup table tbody td tfoot th thead time tr tt u ul "
    "var video audio source track picture wbr".split()
)
VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd details dir div dl dt fieldset figcaption figure footer "
    "h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre section table tbody td tfoot th thead "
    "tr ul".split()
)
SAFE_ATTRS = frozenset(
    "abbr accept accept-charset accesskey action align alt axis border cellpadding cellspacing char "
    "charoff charset checked cite class clear cols colspan color compact coords datetime dir disabled "
    "enctype for frame headers height href hreflang hspace id ismap label lang longdesc maxlength media "
    "method multiple name nohref noshade nowrap prompt readonly rel rev rows rowspan rules scope selected "
    "shape size span src start summary tabindex target title type usemap valign value vspace width style "
    "data-o-mail-quote data-o-mail-quote-node data-oe-model data-oe-id data-oe-field data-oe-type "
    "data-oe-expression data-oe-translation-initial-sha data-oe-nodeid data-oe-protected".split()
)
LINK_ATTRS = frozenset("href src action background cite longdesc usemap".split())
JAVASCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|livescript|data:text/html)", re.IGNORECASE)
CONTROL_CHARS = re.compile(r"[\x00-\x20]+")
#: odoo/tools/mail.py ``_Cleaner._style_re`` and ``_style_whitelist`` (17.0).
STYLE_RE = re.compile(r"""([\w-]+)\s*:\s*((?:[^;"']|"[^";]*"|'[^';]*')+)""")
STYLE_WHITELIST = frozenset(
    "font-size font-family font-weight font-style background-color color text-align line-height letter-spacing "
    "text-transform text-decoration opacity float vertical-align display padding padding-top padding-left "
    "padding-bottom padding-right margin margin-top margin-left margin-bottom margin-right white-space border "
    "border-color border-radius border-style border-width border-top border-bottom height width max-width "
    "min-width min-height border-collapse border-spacing caption-side empty-cells table-layout".split()
    + [f"border-{side}-{part}" for side in ("top", "bottom", "left", "right")
       for part in ("style", "color", "width", "left-radius", "right-radius")]
)


def html_sanitize(value, *, sanitize_style=False):
    """The value Odoo keeps for an Html field given ``value`` (a string of HTML)."""
    if value is None or value is False:
        return False
    if not isinstance(value, str):
        value = str(value)
    if not value.strip():
        return ""
    builder = _TreeBuilder(sanitize_style=sanitize_style)
    builder.feed(value)
    builder.close()
    roots = builder.root.children
    if not roots or all(isinstance(node, str) and not node.strip() for node in roots):
        return ""
    elements = [node for node in roots if isinstance(node, _Element)]
    loose_text = any(isinstance(node, str) and node.strip() for node in roots)
    if len(elements) == 1 and not loose_text:
        out = elements[0].render()
    else:
        inner = "".join(_render(node) for node in roots)
        out = inner if _has_block(roots) else f"<span>{inner}</span>"
    return out.replace("\xa0", "&nbsp;")


class _Element:
    def __init__(self, tag, attrs=()):
        self.tag, self.attrs, self.children = tag, list(attrs), []

    def render(self):
        attrs = "".join(f' {name}="{escape(value, quote=True).replace("&#x27;", chr(39))}"' if value is not None
                        else f" {name}" for name, value in self.attrs)
        if self.tag in VOID_TAGS:
            return f"<{self.tag}{attrs}>"
        return f"<{self.tag}{attrs}>{''.join(_render(child) for child in self.children)}</{self.tag}>"


class _Comment(str):
    pass


def _render(node):
    if isinstance(node, _Element):
        return node.render()
    if isinstance(node, _Comment):
        return f"<!--{node}-->"
    return escape(node, quote=False)


def _has_block(nodes):
    return any(isinstance(node, _Element) and (node.tag in BLOCK_TAGS or _has_block(node.children)) for node in nodes)


class _TreeBuilder(HTMLParser):
    """A forgiving tree of the allowed content, built as libxml2 would for the common cases."""

    def __init__(self, *, sanitize_style=False):
        super().__init__(convert_charrefs=True)
        self.sanitize_style = sanitize_style
        self.root = _Element("#root")
        self.stack = [self.root]
        self.killing = []  # tags whose content is being dropped
        self.started = False

    @property
    def current(self):
        return self.stack[-1]

    def handle_starttag(self, tag, attrs):
        self._open(tag, attrs, void=tag in VOID_TAGS)

    def handle_startendtag(self, tag, attrs):
        self._open(tag, attrs, void=True)

    def _open(self, tag, attrs, *, void):
        if self.killing:
            if not void and tag in KILL_TAGS:
                self.killing.append(tag)
            return
        if tag in KILL_TAGS:
            if not void:
                self.killing.append(tag)
            return
        self.started = True
        if tag in REMOVE_TAGS or tag not in ALLOWED_TAGS:
            return
        if self.current.tag == "p" and tag in BLOCK_TAGS:
            self.stack.pop()  # libxml2 closes an open paragraph before a block
        element = _Element(tag, _clean_attrs(attrs, self.sanitize_style))
        self.current.children.append(element)
        if not void and tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_endtag(self, tag):
        if self.killing:
            if tag == self.killing[-1]:
                self.killing.pop()
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if self.killing or not data:
            return
        if not self.started and data.strip() and self.current is self.root:
            paragraph = _Element("p")  # text before any tag: libxml2's implied <p>
            self.root.children.append(paragraph)
            self.stack.append(paragraph)
        if data.strip():
            self.started = True
        self.current.children.append(data)

    def handle_comment(self, data):
        if not self.killing:
            self.current.children.append(_Comment(data))


def _clean_attrs(attrs, sanitize_style=False):
    cleaned = []
    for name, value in attrs:
        if name not in SAFE_ATTRS or name.startswith("on"):
            continue
        if name == "style" and sanitize_style:
            value = parse_style(value)
            if not value:
                continue
        if name in LINK_ATTRS and value and JAVASCRIPT_URL.match(CONTROL_CHARS.sub("", value)):
            value = ""
        cleaned.append((name, value))
    return cleaned


def parse_style(style):
    """``_Cleaner.parse_style``: the whitelisted declarations, last one of a name winning in place."""
    valid = {}
    for name, value in STYLE_RE.findall(style or ""):
        if name.lower() in STYLE_WHITELIST:
            valid[name.lower()] = value
    return "; ".join(f"{name}:{value}" for name, value in valid.items())
