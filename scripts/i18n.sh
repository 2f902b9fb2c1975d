#!/bin/sh
# Translation workflow (Flask-Babel). Usage: scripts/i18n.sh [extract|update|compile|check|all]
#   extract  read every _()/_l() string in grievance/**.py and templates/**.html into messages.pot
#   update   merge messages.pot into each language's messages.po (new strings arrive empty)
#   compile  turn each messages.po into the messages.mo the app loads
#   check    fail if any string has no translation or is marked fuzzy
#   all      extract, update, compile (the default)
set -eu
cd "$(dirname "$0")/.."

PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
DIR=grievance/translations
POT="$DIR/messages.pot"

extract() {
    "$PYBABEL" extract -F babel.cfg -k _l -k lazy_gettext \
        --project=grievance --version=0.1 --add-location=file --sort-by-file \
        -o "$POT" .
}

update() {
    # No fuzzy matching: a guessed translation is worse than an empty one the tests catch.
    "$PYBABEL" update -i "$POT" -d "$DIR" --no-fuzzy-matching --ignore-obsolete --width=100
}

compile() {
    "$PYBABEL" compile -d "$DIR" --statistics
}

check() {
    "$PYBABEL" compile -d "$DIR" --statistics 2>&1 | tee /dev/stderr | grep -q ' (100%) translated' || {
        echo "untranslated or fuzzy strings remain" >&2
        exit 1
    }
}

case "${1:-all}" in
    extract) extract ;;
    update) update ;;
    compile) compile ;;
    check) check ;;
    all) extract && update && compile ;;
    *) echo "usage: $0 [extract|update|compile|check|all]" >&2; exit 2 ;;
esac
