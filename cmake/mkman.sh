#!/bin/sh
# mkman.sh GO_MD2MAN PAGE.md OUT.8: turn a docs/cmd page (already in NAME, SYNOPSIS, ... form) into a man
# page: "# husk run" becomes the title husk-run(8), "## X" the man section X, links to another command's
# page become husk-CMD(8), other links their text. Run by the build (CMakeLists.txt, target man).
set -eu
md2man=$1 src=$2 out=$3
sed -e '1s/^# husk$/% husk 8/' \
	-e '1s/^# husk \([a-z]*\)$/% husk-\1 8/' \
	-e 's/^`husk \([a-z]*\)` - /husk-\1 - /' \
	-e 's/^`husk` - /husk - /' \
	-e 's/^## /# /' \
	-e 's/\[husk \([a-z]*\)\]([a-z]*\.md)/**husk-\1**(8)/g' \
	-e 's/\[husk\](husk\.md)/**husk**(8)/g' \
	-e 's/\[\([^]]*\)\]([^)]*)/\1/g' "$src" | "$md2man" >"$out.tmp"
mv "$out.tmp" "$out"
