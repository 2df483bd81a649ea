"""HTML nested deeper than lxml will parse: libxml2 stops at 255 levels (2048 with huge_tree) and
trafilatura then finds no article in what is left. `flattened` rewrites such a page with the wrapper
tags (div, span, section, font, ...) below a safe depth left out and everything else, text included,
kept as it was, so the article can be extracted after all. The tokenizer is the standard library's
(it keeps no tree, so no depth limit applies).
"""

from __future__ import annotations

from html.parser import HTMLParser

LXML_DEPTH = 250  # a little under libxml2's limit: trees this deep lose their inner content
KEEP_DEPTH = 60   # below this the wrapper tags are dropped (real articles nest far less)
_WRAPPERS = frozenset("div span section font center b i u em strong small big nobr main".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class _Flattener(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, kept)
        self.max_depth = 0

    def handle_starttag(self, tag, attrs):
        text = self.get_starttag_text() or f"<{tag}>"
        if tag in _VOID:
            self.out.append(text)
            return
        if tag in ("p", "li") and self.stack and self.stack[-1][0] == tag:  # <p>a<p>b: the first is closed
            self.out += [f"</{tag}>"] if self.stack.pop()[1] else []
        keep = len(self.stack) < KEEP_DEPTH or tag not in _WRAPPERS
        self.stack.append((tag, keep))
        self.max_depth = max(self.max_depth, len(self.stack))
        if keep:
            self.out.append(text)

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):  # close up to the matching open tag, as browsers do
            if self.stack[i][0] == tag:
                closed = self.stack[i:]
                del self.stack[i:]
                self.out += [f"</{t}>" for t, kept in reversed(closed) if kept]
                return
        # a stray end tag: dropped

    def handle_data(self, data):
        self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        pass  # trafilatura drops comments anyway

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")


def flattened(html: str) -> str | None:
    """The page with its deep wrapper nesting removed, or None when it is not nested that deeply."""
    parser = _Flattener()
    parser.feed(html)
    parser.close()
    if parser.max_depth < LXML_DEPTH:
        return None
    return "".join(parser.out) + "".join(f"</{t}>" for t, kept in reversed(parser.stack) if kept)
