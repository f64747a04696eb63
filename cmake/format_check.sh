#!/usr/bin/env bash
# Fails when any C++ source under the given root differs from clang-format's
# output (.clang-format at the root). Run by CTest as `format_check`; fix with
# `./troupe.sh format`.
set -euo pipefail
root="$1"
fmt="${2:-clang-format}"
cd "$root"
mapfile -t files < <(find failpoints config ring mvcc actors participants coordinator \
  apps examples bench tests -type f \( -name '*.cpp' -o -name '*.hpp' \) \
  -not -path '*/build/*' 2>/dev/null | sort)
[[ ${#files[@]} -eq 0 ]] && exit 0
"$fmt" --dry-run -Werror "${files[@]}"
echo "format_check: ${#files[@]} files formatted"
