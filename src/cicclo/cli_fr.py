"""The command line in French: argparse's own words (usage, section titles, errors) translated, the
defaults shown in the help, and argument errors given the usage-error status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

USAGE_ERROR = 4  # pytest's own status for a usage error: one meaning for one number

FRENCH = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "show program's version number and exit": "afficher la version et quitter",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "argument explicite ignoré : %r",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "un des arguments %s est obligatoire",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "expected %s argument": "%s valeur attendue",
    "expected %s arguments": "%s valeurs attendues",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "unexpected option string: %s": "option inattendue : %s",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s) : %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choix : %(choices)s)",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "commande inconnue %(parser_name)r (commandes : "
                                                             "%(choices)s)",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
}


def _french(message: str) -> str:
    return FRENCH.get(message, message)


def _french_plural(singular: str, plural: str, count: int) -> str:
    return _french(singular if count == 1 else plural)


@contextmanager
def french_argparse() -> Iterator[None]:
    """argparse speaks French inside this block (its messages go through its module-level gettext)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _french, _french_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def _in_french(method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with french_argparse():
            return method(*args, **kwargs)
    return wrapped


class FrenchHelpFormatter(argparse.HelpFormatter):
    """Shows each option's default value, unless its help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if ("défaut" in text or "%(default)" in text or default in (None, False, [], argparse.SUPPRESS)
                or not action.option_strings):
            return text
        return f"{text} (défaut : %(default)s)"


class FrenchArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage, help and errors are in French; an error exits with USAGE_ERROR."""

    __init__ = _in_french(argparse.ArgumentParser.__init__)
    format_usage = _in_french(argparse.ArgumentParser.format_usage)
    format_help = _in_french(argparse.ArgumentParser.format_help)
    parse_known_args = _in_french(argparse.ArgumentParser.parse_known_args)  # type: ignore[assignment]
    parse_args = _in_french(argparse.ArgumentParser.parse_args)  # type: ignore[assignment]

    def error(self, message: str) -> NoReturn:
        with french_argparse():
            self.print_usage(sys.stderr)
            self.exit(USAGE_ERROR, _french("%(prog)s: error: %(message)s\n") % {"prog": self.prog,
                                                                                  "message": message})

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Any:
        with french_argparse():
            return super().add_argument_group(*args, **kwargs)

