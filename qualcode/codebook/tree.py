"""A codebook's hierarchy as indented text, for ``qualcode codebook show``."""

from __future__ import annotations

import textwrap

from qualcode.codebook.model import Code, Codebook


def format_codebook_tree(codebook: Codebook, definitions: bool = True, width: int = 88) -> str:
    """The hierarchy as indented text: ``id: name  [n rules]``, each definition below it."""
    lines = [f"{codebook.name} (version {codebook.version})"]
    if codebook.description:
        lines += textwrap.wrap(codebook.description, width)
    lines.append("")

    def walk(codes: list[Code], level: int) -> None:
        for code in codes:
            pad = "  " * level
            n_rules = len(code.rules.all)
            suffix = f"  [{n_rules} rule{'s' if n_rules != 1 else ''}]" if n_rules else ""
            lines.append(f"{pad}{code.id}: {code.name}{suffix}")
            if definitions:
                lines.extend(textwrap.wrap(code.definition, width, initial_indent=pad + "    ",
                                           subsequent_indent=pad + "    "))
            walk(code.children, level + 1)

    walk(codebook.roots, 0)
    return "\n".join(lines).rstrip() + "\n"
