# parse-lab.awk: split one lab's markdown into what run-labs.sh executes (the convention is described
# in docs/labs/README.md, "Checked commands"). Usage: awk -v out=DIR -f parse-lab.awk LAB.md > DIR/plan
#
# Plan lines, in document order:
#   L LINE NEEDS      the whole lab needs the shell condition NEEDS (<!-- labs: lab-needs NEEDS -->)
#   B LINE KIND NEEDS a checked block starts; KIND is main, cleanup or prologue; NEEDS may be empty
#   C K               command K: DIR/K.cmd (the command), DIR/K.exp (expected output), DIR/K.info
#                     ("LINE PROMPT", PROMPT being # or $)
#   F K               file block K: DIR/K.file (content), DIR/K.info ("LINE PATH")
#   E LINE MESSAGE    a malformed block: the runner fails the lab with MESSAGE
# POSIX awk (Debian's mawk): no gensub, no match() into arrays.

function flush_cmd() {
	if (k > 0 && cmdfile != "") {
		close(cmdfile)
		close(expfile)
	}
	cmdfile = ""
}

function start_cmd(prompt, text) {
	flush_cmd()
	k++
	cmdfile = out "/" k ".cmd"
	expfile = out "/" k ".exp"
	printf "" > expfile
	printf "%s %s\n", NR, prompt > (out "/" k ".info")
	close(out "/" k ".info")
	print "C " k
	add_cmd_line(text)
}

# A command goes on over the next line if it ends in a backslash, and over a here-document's body.
function add_cmd_line(text,    word) {
	print text > cmdfile
	cont = (text ~ /\\$/)
	if (heredoc == "" && match(text, /<<-?[ \t]*['"]?[A-Za-z_][A-Za-z0-9_]*['"]?/)) {
		word = substr(text, RSTART, RLENGTH)
		strip_tabs = (word ~ /^<<-/)
		sub(/^<<-?[ \t]*/, "", word)
		gsub(/['"]/, "", word)
		heredoc = word
	}
}

function fence_len(line,    n) {
	n = 0
	while (substr(line, n + 1, 1) == "`")
		n++
	return n
}

BEGIN {
	k = 0
	inblock = 0
	needs = ""
}

{
	sub(/\r$/, "")
}

# Inside a fenced block: the closing fence has at least as many backticks as the opening one.
inblock {
	if (fence_len($0) >= fence && $0 ~ /^`+[ \t]*$/) {
		if (kind == "console") {
			if (heredoc != "")
				print "E " NR " here-document '" heredoc "' is not closed"
			else if (cont)
				print "E " NR " the last command ends with a backslash"
			flush_cmd()
		} else if (kind == "file") {
			close(filefile)
		}
		inblock = 0
		next
	}
	if (kind == "console") {
		if (heredoc != "") {
			print > cmdfile
			line = $0
			if (strip_tabs)
				sub(/^\t+/, "", line)
			if (line == heredoc)
				heredoc = ""
			next
		}
		if (cont) {
			add_cmd_line($0)
			next
		}
		if ($0 ~ /^[#$] / || $0 == "#" || $0 == "$") {
			start_cmd(substr($0, 1, 1), substr($0, 3))
			next
		}
		if (cmdfile == "") {
			print "E " NR " output before the first command of the block"
			next
		}
		print > expfile
	} else if (kind == "file") {
		print > filefile
	}
	next
}

/^<!-- labs: lab-needs .* -->[ \t]*$/ {
	cond = $0
	sub(/^<!-- labs: lab-needs /, "", cond)
	sub(/ -->[ \t]*$/, "", cond)
	print "L " NR " " cond
	next
}

/^<!-- labs: needs .* -->[ \t]*$/ {
	needs = $0
	sub(/^<!-- labs: needs /, "", needs)
	sub(/ -->[ \t]*$/, "", needs)
	next
}

/^<!-- labs:/ {
	print "E " NR " unknown directive: " $0
	next
}

/^```/ {
	fence = fence_len($0)
	info = substr($0, fence + 1)
	gsub(/^[ \t]+|[ \t]+$/, "", info)
	n = split(info, word, /[ \t]+/)
	inblock = 1
	kind = "other"
	if (word[1] == "console") {
		kind = "console"
		bkind = "main"
		for (i = 2; i <= n; i++) {
			if (word[i] == "cleanup" || word[i] == "prologue")
				bkind = word[i]
			else
				print "E " NR " unknown console block attribute '" word[i] "'"
		}
		print "B " NR " " bkind " " needs
		cont = 0
		heredoc = ""
		cmdfile = ""
	} else {
		for (i = 2; i <= n; i++) {
			if (word[i] ~ /^file=./) {
				kind = "file"
				k++
				filefile = out "/" k ".file"
				printf "" > filefile
				printf "%s %s\n", NR, substr(word[i], 6) > (out "/" k ".info")
				close(out "/" k ".info")
				print "B " NR " main " needs
				print "F " k
			}
		}
	}
	needs = ""
	next
}
