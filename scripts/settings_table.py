"""Print the README's settings table from handlers.settings.SETTINGS (paste it into README.md).

tests/test_docs.py fails when a setting is missing from the README; this keeps the two equal.
"""

from __future__ import annotations

from handlers.settings import SETTINGS


def main() -> None:
    """Print the Markdown table."""
    print("| variable | default | meaning |")
    print("|---|---|---|")
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default else "(empty)"
        print(f"| `{setting.variable}` | {default} | {setting.help} |")


if __name__ == "__main__":
    main()
