#!/usr/bin/env bash
# Usage: architecture_doc_current.sh LAYERS_MMD ARCHITECTURE_MD
# The mermaid block between "<!-- layers:begin -->" and "<!-- layers:end -->" in the page must be
# exactly the picture CMake drew from the targets. To redraw it: scripts/architecture-picture.
set -euo pipefail
drawn="$1" page="$2"
shown=$(sed -n '/<!-- layers:begin -->/,/<!-- layers:end -->/p' "$page" | sed '1,2d;$d' | sed '$d')
if [[ "$shown" != "$(cat "$drawn")" ]]; then
  echo "docs/architecture.md does not show the layers the build has; run scripts/architecture-picture" >&2
  diff <(echo "$shown") "$drawn" >&2 || true
  exit 1
fi
echo "docs/architecture.md shows the $(grep -c -- '-->\|-\.->' "$drawn") layer dependencies of the build"
