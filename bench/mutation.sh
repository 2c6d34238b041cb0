#!/bin/sh
# Mutation test of the due-day rules (issue 9, point 7): mutmut over register/deadlines.py and
# register/calendar.py, each mutant checked by the fast due-day tests only (test_deadlines,
# test_due_day_boundaries, test_calendar, test_validate). The configuration is [tool.mutmut] in
# pyproject.toml. 495 mutants: about 5 minutes on 2 idle cores, 13 when the cores are shared. Needs: pip install mutmut (tested with 3.8.1).
#
#   sh bench/mutation.sh            # full run from scratch, then the list of survivors
#   mutmut show <name>              # the diff of one surviving mutant
#
# mutmut copies register/ and tests/ into mutants/ (git-ignored) and puts that copy first on
# sys.path, so the editable install of another checkout does not interfere.
set -eu
cd "$(dirname "$0")/.."
rm -rf mutants
mutmut run --max-children "${MUTMUT_CHILDREN:-2}"
echo
echo "Overlevende mutanten:"
mutmut results
