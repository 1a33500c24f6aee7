"""LaTeX math as readable Unicode text: H(p,q)=-\\sum_{x}p(x)\\log q(x) -> H(p,q) = −∑ₓ p(x) log q(x).

pylatexenc parses the formula and names the symbols; this module lays them out: sub/superscripts as Unicode
sub/superscript characters where every character has one (else `_x` / `_(ij)`), fractions as a/b, spacing around
relations and binary operators, function names set apart. Pure; pylatexenc is imported on first use.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

__all__ = ["latex_to_unicode"]


_SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvxəβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓₔᵦᵧᵨᵩᵪ"))
_SUPERSCRIPTS = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθιφχ∗",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᶥᵠᵡ*",
    )
)
# Characters a script may contain without a Unicode sub/superscript form, kept as they are (y_{i,j} -> yᵢ,ⱼ).
_SCRIPT_PASSTHROUGH = {",", "'", "′", "*", "ᵀ"}

_FUNCTIONS = {
    "log", "ln", "lg", "exp", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "max",
    "min", "sup", "inf", "lim", "liminf", "limsup", "det", "dim", "ker", "arg", "argmax", "argmin", "deg", "gcd",
    "Pr", "sgn", "tr", "var", "cov",
}  # fmt: skip
_BIG_OPERATORS = {"sum": "∑", "prod": "∏", "coprod": "∐", "int": "∫", "iint": "∬", "iiint": "∭", "oint": "∮",
                  "bigcup": "⋃", "bigcap": "⋂"}  # fmt: skip
_ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305", "tilde": "\u0303",
            "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "check": "\u030c"}  # fmt: skip
_TEXT_MACROS = {"text", "textrm", "textit", "textbf", "mathrm", "operatorname", "mbox", "textnormal", "mathit"}
_STYLE_MACROS = {"mathbf", "boldsymbol", "bm", "mathsf", "mathtt", "displaystyle", "textstyle"}
_SPACE_MACROS = {",", ";", ":", "!", " ", "quad", "qquad", "enspace", "thinspace"}
_DELIMITER_SIZES = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "middle"}
_RELATIONS = set("=<>≤≥≠≈≡∼≃≅∝∈∉⊂⊃⊆⊇→←↔⇒⇐⇔↦≪≫∥∣:")
_BINARY = set("+−±∓·×÷∗∘⊙⊗⊕∪∩∧∨")
_OPEN = set("([{⟨⌊⌈‖|")
_CLOSE = set(")]}⟩⌋⌉")


@dataclass
class _Piece:
    """One unit of converted math with its typographic class (decides the spacing around it)."""

    text: str
    kind: str  # ord | op | fn | rel | bin | open | close | punct | slash | space
    space_after: bool = False  # the source had whitespace after a comma
    loose: bool = False  # ends in a script written as _x / ^(..), which reads better followed by a space


def _to_script(text: str, table: dict[str, str]) -> str | None:
    """`text` in sub/superscript characters, or None when one of its characters has no such form."""
    out = []
    for ch in text:
        if ch in table:
            out.append(table[ch])
        elif ch in _SCRIPT_PASSTHROUGH:
            out.append(ch)
        else:
            return None
    return "".join(out) if out else None


@lru_cache(maxsize=1)
def _latex2text():
    import logging

    from pylatexenc.latex2text import LatexNodes2Text

    # pylatexenc logs a warning (printed on stderr, over the TUI) for a macro missing its arguments; we fall back
    # to the source text in that case anyway.
    logging.getLogger("pylatexenc").setLevel(logging.ERROR)

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


_SILENT_MACROS = {"limits", "nolimits", "displaystyle", "textstyle", "scriptstyle", "label", "nonumber", "notag",
                  "phantom", "vphantom", "hphantom"}  # fmt: skip
_SYMBOL_MACROS = {"|": "‖", "dots": "…", "cdots": "⋯", "ldots": "…", "vdots": "⋮", "ddots": "⋱", "top": "ᵀ",
                  "intercal": "ᵀ"}  # fmt: skip


def _macro_fallback(node) -> str:
    """pylatexenc's own reading of a macro we have no special rule for; the macro's name when it knows none."""
    name = node.macroname
    if name in _SYMBOL_MACROS:
        return _SYMBOL_MACROS[name]
    if name in _SILENT_MACROS:
        return ""
    try:
        text = _latex2text().nodelist_to_text([node]).strip()
    except Exception:  # pylatexenc raises assorted errors on odd input; keep the source rather than lose it
        return node.latex_verbatim()
    if "%s" in text or "%(" in text:
        return node.latex_verbatim()
    return text or name


def _args(node) -> list:
    argd = getattr(node, "nodeargd", None)
    return [a for a in (argd.argnlist if argd else []) if a is not None]


def _nodes_text(nodes) -> str:
    return _join(_pieces(nodes))


def _node_text(node) -> str:
    from pylatexenc.latexwalker import LatexGroupNode

    if isinstance(node, LatexGroupNode):
        return _nodes_text(node.nodelist)
    return _nodes_text([node])


def _needs_parens(text: str) -> bool:
    return len(text) > 1 and not (text[0] in "([" and text[-1] in ")]") and not text.isalnum()


# Arguments of macros that pylatexenc may not know to take any (they then follow as separate groups).
_ARITY = {name: 1 for name in (*_TEXT_MACROS, *_STYLE_MACROS, *_ACCENTS, "sqrt")} | {
    "frac": 2, "dfrac": 2, "tfrac": 2, "cfrac": 2}


def _macro_pieces(node, args: list) -> list[_Piece]:
    name = node.macroname
    if name in _BIG_OPERATORS:
        return [_Piece(_BIG_OPERATORS[name], "op")]
    if name in _FUNCTIONS:
        return [_Piece(name, "fn")]
    if name in _SPACE_MACROS:
        return [_Piece(" ", "space")]
    if name in _DELIMITER_SIZES:
        return []  # the delimiter itself follows as its own token
    if name in _ACCENTS and args:
        inner = _node_text(args[-1])
        if not inner:
            return []
        return [_Piece(unicodedata.normalize("NFC", inner[0] + _ACCENTS[name] + inner[1:]), "ord")]
    if name in _TEXT_MACROS and args:
        raw = _latex2text().nodelist_to_text([args[-1]]) if name.startswith("text") else _node_text(args[-1])
        text = raw.strip()
        if not text:
            return []
        kind = "fn" if name == "operatorname" else ("text" if name.startswith("text") else "ord")
        pieces = [_Piece(" ", "space")] if kind == "text" and raw[:1].isspace() else []
        pieces.append(_Piece(text, kind))
        if kind == "text" and raw[-1:].isspace():
            pieces.append(_Piece(" ", "space"))
        return pieces
    if name in _STYLE_MACROS:
        return _pieces([args[-1]]) if args else []
    if name in ("frac", "dfrac", "tfrac", "cfrac") and len(args) >= 2:
        num, den = _node_text(args[-2]), _node_text(args[-1])
        num = f"({num})" if _needs_parens(num) else num
        den = f"({den})" if _needs_parens(den) else den
        return [_Piece(f"{num}/{den}", "ord")]
    if name == "sqrt" and args:
        inner = _node_text(args[-1])
        root = {"3": "∛", "4": "∜"}.get(_node_text(args[0]) if len(args) > 1 else "", "√")
        return [_Piece(root + (f"({inner})" if _needs_parens(inner) else inner), "ord")]
    text = _macro_fallback(node)
    if not text:
        return []
    if text == name and len(name) > 1:
        return [_Piece(text, "fn")]  # an operator we do not know, e.g. \softmax: reads like \log
    return [_Piece(text, _char_kind(text) if len(text) == 1 else "ord")]


def _char_kind(ch: str) -> str:
    if ch in _RELATIONS:
        return "rel"
    if ch in _BINARY:
        return "bin"
    if ch in _OPEN:
        return "open"
    if ch in _CLOSE:
        return "close"
    if ch in ",;":
        return "punct"
    return "ord"


def _pieces(nodes) -> list[_Piece]:
    """Flatten pylatexenc nodes into typographic pieces, attaching sub/superscripts to what precedes them."""
    from pylatexenc.latexwalker import (
        LatexCharsNode,
        LatexCommentNode,
        LatexGroupNode,
        LatexMacroNode,
        LatexMathNode,
        LatexSpecialsNode,
    )

    # First a flat stream of atoms: single characters (str) and nodes (groups and macros).
    atoms: list = []
    for node in nodes:
        if isinstance(node, LatexCharsNode):
            atoms.extend(node.chars)
        elif isinstance(node, LatexSpecialsNode):
            atoms.extend(node.specials_chars)
        elif isinstance(node, LatexMathNode):
            atoms.extend(node.nodelist)
        elif isinstance(node, LatexCommentNode):
            continue
        else:
            atoms.append(node)

    pieces: list[_Piece] = []
    i = 0
    while i < len(atoms):
        atom = atoms[i]
        i += 1
        if isinstance(atom, str):
            if atom in "_^":
                # The script is the next non-space atom: a group, a macro or a single character.
                while i < len(atoms) and isinstance(atoms[i], str) and atoms[i].isspace():
                    i += 1
                if i >= len(atoms):
                    break
                script = atoms[i]
                i += 1
                text = script if isinstance(script, str) else _node_text(script)
                text = {"-": "−", "*": "∗"}.get(text, text)
                table = _SUBSCRIPTS if atom == "_" else _SUPERSCRIPTS
                compact = text.replace(" ", "")
                if not compact:
                    continue
                converted = _to_script(compact.replace("−", "-"), table)
                loose = converted is None
                if converted is None:
                    converted = atom + (compact if len(compact) == 1 else f"({compact})")
                if pieces and pieces[-1].kind != "space":
                    pieces[-1].text += converted
                    pieces[-1].loose = loose
                else:
                    pieces.append(_Piece(converted, "ord", loose=loose))
                continue
            if atom.isspace():
                if pieces and pieces[-1].kind == "punct":
                    pieces[-1].space_after = True
                continue
            if atom == "~":
                pieces.append(_Piece(" ", "space"))
                continue
            ch = {"-": "−", "*": "∗"}.get(atom, atom)
            pieces.append(_Piece(ch, "slash" if ch == "/" else _char_kind(ch)))
        elif isinstance(atom, LatexGroupNode):
            inner = _pieces(atom.nodelist)
            if len(inner) == 1:
                pieces.append(inner[0])
            elif inner:
                pieces.append(_Piece(_join(inner), "ord"))
        elif isinstance(atom, LatexMacroNode):
            args = _args(atom)
            wanted = _ARITY.get(atom.macroname, 0) - len(args)
            while wanted > 0 and i < len(atoms):
                if isinstance(atoms[i], str) and atoms[i].isspace():
                    i += 1
                    continue
                if not isinstance(atoms[i], LatexGroupNode):
                    break
                args.append(atoms[i])
                i += 1
                wanted -= 1
            pieces.extend(_macro_pieces(atom, args))
        else:
            try:
                text = _latex2text().nodelist_to_text([atom]).strip()
            except Exception:  # keep the source of anything pylatexenc cannot read
                text = atom.latex_verbatim()
            if text:
                pieces.append(_Piece(text, "ord"))
    return pieces


def _join(pieces: Sequence[_Piece]) -> str:
    """Join pieces with the spacing a typeset formula shows: around relations and binary operators, after ∑."""
    out: list[str] = []
    prev: _Piece | None = None
    for piece in pieces:
        kind = "ord" if piece.kind == "text" else piece.kind
        if kind == "bin" and (
            prev is None or prev.kind in ("rel", "bin", "open", "punct", "op", "fn", "unary", "slash")
        ):
            kind = "unary"
        if kind == "rel" and piece.text == ":" and (prev is None or prev.kind == "open"):
            kind = "ord"
        if prev is not None and kind != "space" and prev.kind != "space":
            if _space_between(prev, kind):
                out.append(" ")
        out.append(piece.text)
        prev = _Piece(piece.text, kind, piece.space_after, piece.loose)
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def _space_between(prev: _Piece, kind: str) -> bool:
    if kind == "slash" or prev.kind == "slash":
        return False
    if kind in ("rel", "bin") or prev.kind in ("rel", "bin"):
        return True
    if prev.kind == "punct":
        return prev.space_after
    if kind in ("close", "punct"):
        return False
    if prev.kind in ("op", "fn"):
        return kind != "open" or prev.kind == "op"
    if kind in ("op", "fn"):
        return prev.kind in ("ord", "close")
    return prev.loose and kind == "ord"


@lru_cache(maxsize=512)
def latex_to_unicode(latex: str) -> str:
    """One LaTeX math expression (without its $ delimiters) as readable Unicode text; the source itself on failure."""
    source = latex.strip()
    if not source:
        return ""
    try:
        from pylatexenc.latexwalker import LatexWalker

        nodes, _, _ = LatexWalker(source, tolerant_parsing=True).get_latex_nodes()
        text = _join(_pieces(nodes))
    except Exception:  # a formula must never vanish: show what the author wrote
        return source
    return text or source
