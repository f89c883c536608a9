"""``python -m bot.console add-counsellor NAME --teams youth,county --languages ar,sv``.

The password is read from standard input (never from the command line, where it
would land in shell history and ``ps``).
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import List, Optional

from bot.console.accounts import add_counsellor
from bot.storage.redis_client import get_redis


def _list(raw: str) -> List[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.console")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-counsellor", help="create or update a counsellor account (password from stdin)")
    add.add_argument("name")
    add.add_argument("--teams", required=True, help="comma-separated: youth,shelter,county")
    add.add_argument("--languages", default="", help="comma-separated language codes they speak, e.g. ar,sv")
    add.add_argument("--alias", default=None, help="first name or alias the person sees (default: from NAME)")
    args = parser.parse_args(argv)
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        counsellor = add_counsellor(get_redis(), args.name, password, teams=_list(args.teams), languages=_list(args.languages), alias=args.alias)
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"counsellor {counsellor.name} ({counsellor.alias}): teams {','.join(counsellor.teams)}; languages {','.join(counsellor.languages) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
