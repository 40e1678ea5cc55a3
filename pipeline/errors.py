"""The root of every error the core raises on purpose."""

import unicodedata


class StanceError(Exception):
    """Base class: catch this to handle any pipeline failure with a clear message."""


def visible(text: object) -> str:
    """``text`` with every control character written as an escape (``\\n``, ``\\x1b``), so an
    input name cannot forge a line or send terminal codes to stderr or a log."""
    out = []
    for char in str(text):
        if char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)
