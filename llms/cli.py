"""Command line: parse arguments, then call into the module that does the work."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from llms import __version__, paths
from llms.files import EXIT_OK, EXIT_USAGE, write_atomically

__all__ = ["main", "build_parser"]

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llms",
        description="A local-first LLM chat hub with usage and cost analytics.",
        epilog="Config search order: --config, $LLMS_CONFIG, ~/.llms/llms.json, the packaged default.",
    )
    parser.add_argument("prompt", nargs="?", help="one-shot chat: stream the answer, then a usage line")
    parser.add_argument("-m", "--model", help="model for one-shot chat (default: defaults.model)")
    parser.add_argument("--serve", nargs="?", type=int, const=8000, metavar="PORT",
                        help="serve the app and the /v1 API (default port 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--token", action="append", metavar="[NAME=]SECRET",
                        help="require a Bearer token (repeat for several; default $LLMS_TOKEN); needed off loopback. "
                             "The NAME is recorded in the ledger for requests made with it")
    parser.add_argument("--verbose", action="store_true",
                        help="with --serve: log one line per request (time, model, provider, tokens, cost, ms, status)")
    parser.add_argument("--check", nargs="+", metavar=("PROVIDER", "MODEL"),
                        help="test a provider's models (all when none named)")
    parser.add_argument("--models", action="store_true", help="list the enabled models with their prices")
    parser.add_argument("--init", action="store_true",
                        help="write the default config to ~/.llms/llms.json (or to --config PATH)")
    parser.add_argument("--force", action="store_true", help="with --init or --import-config: overwrite an existing file")
    parser.add_argument("--config", metavar="PATH", help="the llms.json to use (also $LLMS_CONFIG)")
    parser.add_argument("--update-pricing", action="store_true",
                        help="refresh prices (online) and write changes into your llms.json")
    parser.add_argument("--report", nargs="?", const="summary", choices=("summary", "detailed", "csv", "hourly"),
                        help="the usage ledger as a table (default summary) or CSV; filters: --since, -m, --provider")
    parser.add_argument("--format", choices=("summary", "detailed", "csv", "hourly"),
                        help="with --report: the same as its positional format (the cost-tracking guide's spelling)")
    parser.add_argument("--since", metavar="WHEN",
                        help="with --report: 7d, 24h, 2w, hours like 168, or a date like 2026-11-01")
    parser.add_argument("--provider", help="with --report: only this provider")
    parser.add_argument("--by", choices=("app",),
                        help="with --report summary: a table by client application too (Claude Code, Codex, the SDKs)")
    parser.add_argument("--reindex", action="store_true",
                        help="rebuild the ledger's index (usage.index.sqlite) from its JSONL files")
    parser.add_argument("--import-config", metavar="PATH",
                        help="convert an llms.py llms.json to ours (written next to it as NAME.converted.json)")
    parser.add_argument("--output", metavar="PATH", help="with --import-config: where to write the converted config")
    parser.add_argument("--version", action="version", version=f"llms {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _run(argv)
    except BrokenPipeError:
        # `llms --report csv | head`: the reader has what it wanted. Point stdout at /dev/null so the
        # interpreter's own flush at exit does not raise again, and end quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.init:
        return _init(Path(args.config).expanduser() if args.config else paths.user_config(os.environ), args.force)
    if args.import_config:
        from llms.commands.import_config import run_import

        output = Path(args.output).expanduser() if args.output else None
        return run_import(Path(args.import_config).expanduser(), output, args.force, sys.stdout, sys.stderr)
    config_path = _config_path(args)
    if args.update_pricing:
        from llms.commands.update_pricing import update_pricing

        return update_pricing(config_path, sys.stdout)
    config = _load(config_path)
    if config is None:
        return EXIT_USAGE
    if args.serve is not None:
        return _serve(config, args)
    if args.reindex:
        from llms.commands.report import run_reindex

        return run_reindex(config)
    if args.report:
        from llms.commands.report import run_report

        return run_report(config, args.format or args.report, args.since, args.model, args.provider, by=args.by)
    if args.check:
        from llms.commands.check import run_check

        return run_check(config, args.check[0], args.check[1:], sys.stdout)
    if args.models:
        from llms.commands.models import print_models

        return print_models(config, sys.stdout)
    if args.prompt:
        from llms.commands.chat import run_chat

        return run_chat(config, args.model, args.prompt, sys.stdout, sys.stderr)
    build_parser().print_help()
    return EXIT_USAGE


def _config_path(args) -> Path:
    from llms.config import find_config_path

    return find_config_path(args.config, os.environ)


def _load(config_path: Path):
    from llms.config import ConfigError, load_config

    try:
        return load_config(config_path)
    except ConfigError as exc:
        print(f"llms: {exc}", file=sys.stderr)
        return None


def _init(target: Path, force: bool) -> int:
    """Writes the default config to `target` (--config's path, else ~/.llms/llms.json)."""
    if target.exists() and not force:
        print(f"llms: {target} exists; use --init --force to overwrite it", file=sys.stderr)
        return EXIT_USAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, paths.DEFAULT_CONFIG.read_text(encoding="utf-8"))
    print(f"wrote {target}")
    return EXIT_OK


def _serve(config, args) -> int:
    from llms.server.access import ServerSettings, bind_refusal, parse_tokens

    try:
        tokens = parse_tokens(args.token or ([os.environ["LLMS_TOKEN"]] if os.environ.get("LLMS_TOKEN") else []))
    except ValueError as exc:
        print(f"llms: {exc}", file=sys.stderr)
        return EXIT_USAGE
    refused = bind_refusal(args.host, bool(tokens))
    if refused:
        print(f"llms: {refused}", file=sys.stderr)
        return EXIT_USAGE
    from llms.server.app import run

    return run(config, ServerSettings(args.host, args.serve, tokens, verbose=args.verbose))
