"""What a barcode scanner meant, read from the keys it pressed rather than the characters the laptop made of them.

A USB scanner is a keyboard that presses keys by position, as on a US keyboard unless it is set otherwise. On a
laptop with another layout the same positions make other characters: "NWD-00012" arrives as "NWDß00012" with a
German layout, "NWD'00012" with a Swiss one, "NZD)àààà&é" with a French AZERTY one, and a serial "5CD1234XYZ" as
"5CD1234XZY" (Y and Z swapped) where nothing looks wrong. The window system reports each key's position with the
character: on Linux (X11, Wayland) the keycode, evdev's code plus 8; on Windows the PC scan code, which for these
keys is the same number without the 8. This module turns those positions back into what a US keyboard types.
macOS reports virtual key codes of its own, which are not mapped here: there the characters are taken as typed.
"""

from __future__ import annotations

from collections.abc import Sequence

_KEYPAD_DIGITS = (0x47, 0x48, 0x49, 0x4B, 0x4C, 0x4D, 0x4F, 0x50, 0x51, 0x52)
#: PC scan code (set 1; Linux evdev uses the same numbers) → (character, with Shift) on a US keyboard.
_US: dict[int, tuple[str, str]] = {
    **{code: (d, s) for code, d, s in zip(range(0x02, 0x0C), "1234567890", "!@#$%^&*()", strict=True)},
    0x0C: ("-", "_"),
    0x0D: ("=", "+"),
    **{code: (c, c.upper()) for code, c in zip(range(0x10, 0x1A), "qwertyuiop", strict=True)},
    0x1A: ("[", "{"),
    0x1B: ("]", "}"),
    **{code: (c, c.upper()) for code, c in zip(range(0x1E, 0x27), "asdfghjkl", strict=True)},
    0x27: (";", ":"),
    0x28: ("'", '"'),
    0x29: ("`", "~"),
    0x2B: ("\\", "|"),
    **{code: (c, c.upper()) for code, c in zip(range(0x2C, 0x33), "zxcvbnm", strict=True)},
    0x33: (",", "<"),
    0x34: (".", ">"),
    0x35: ("/", "?"),
    0x37: ("*", "*"),  # keypad
    0x39: (" ", " "),
    0x4A: ("-", "-"),  # keypad
    0x4E: ("+", "+"),  # keypad
    **{code: (d, d) for code, d in zip(_KEYPAD_DIGITS, "7894561230", strict=True)},  # keypad
    0x53: (".", "."),  # keypad
}
#: What each window system adds to the scan code in the key positions it reports.
OFFSETS = {"xcb": 8, "wayland": 8, "offscreen": 8, "windows": 0}


def us_reading(keys: Sequence[tuple[int, bool]], platform: str) -> str | None:
    """The text a US keyboard makes of these (key position, Shift held) pairs, or None when a position is unknown
    (another system, a key outside the main block) and nothing can be said."""
    offset = OFFSETS.get(platform)
    if offset is None or not keys:
        return None
    out: list[str] = []
    for code, shift in keys:
        found = _US.get(code - offset)
        if found is None:
            return None
        out.append(found[1] if shift else found[0])
    return "".join(out)
